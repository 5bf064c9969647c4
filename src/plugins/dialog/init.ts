/**
 * The dialog plugin's page script, as Tauri's (`plugins/dialog/guest-js/init.ts`) plus Airlock's in-window dialogs:
 * `window.alert(m)` sends `message`, `window.confirm(m)` sends `confirm` and returns a Promise (IPC is never
 * synchronous); and when the core has no dialog helper to show a message natively it asks the page to draw one
 * (`dialog://in-window` to this webview), which answers with the label clicked.
 */
export const DIALOG_INIT_SCRIPT = `(() => {
  const internals = window.__TAURI_INTERNALS__;
  const invoke = (cmd, args) => internals.invoke(cmd, args);
  window.alert = function (message) {
    void invoke('plugin:dialog|message', { message: String(message) }).catch(() => {});
  };
  window.confirm = function (message) {
    return invoke('plugin:dialog|confirm', { message: String(message) });
  };

  const show = (d) => new Promise((resolve) => {
    const host = document.createElement('div');
    const root = host.attachShadow({ mode: 'open' });
    const box = document.createElement('dialog');
    box.setAttribute('role', 'alertdialog');
    box.style.cssText = 'max-width:28rem;font:14px system-ui,sans-serif;border:1px solid #888;border-radius:8px;padding:1rem';
    if (d.title) {
      const h = document.createElement('h2');
      h.style.cssText = 'margin:0 0 .5rem;font-size:1rem';
      h.textContent = d.title;
      box.append(h);
    }
    const p = document.createElement('p');
    p.style.cssText = 'white-space:pre-wrap;margin:0 0 1rem';
    p.textContent = d.message;
    box.append(p);
    const row = document.createElement('div');
    row.style.cssText = 'display:flex;gap:.5rem;justify-content:flex-end';
    let done = false;
    const finish = (label) => {
      if (done) return;
      done = true;
      box.close();
      host.remove();
      resolve(label);
    };
    for (const label of d.labels) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.dataset.label = label;
      b.addEventListener('click', () => finish(label));
      row.append(b);
    }
    box.append(row);
    box.addEventListener('cancel', (e) => { e.preventDefault(); finish(d.dismiss); });
    root.append(box);
    (document.body || document.documentElement).append(host);
    box.showModal();
    row.lastElementChild && row.lastElementChild.focus();
  });

  const label = internals.metadata && internals.metadata.currentWebview && internals.metadata.currentWebview.label;
  if (typeof label !== 'string') return;
  const handler = internals.transformCallback((event) => {
    const d = event && event.payload;
    if (!d || typeof d.id !== 'string') return;
    const answered = show(d);
    void invoke('plugin:dialog|in_window_answer', { id: d.id, shown: true }).catch(() => {});
    void answered.then((answer) => invoke('plugin:dialog|in_window_answer', { id: d.id, answer }).catch(() => {}));
  });
  void invoke('plugin:event|listen', { event: 'dialog://in-window', target: { kind: 'Webview', label }, handler }).catch(() => {});
})();`;
