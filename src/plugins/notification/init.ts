/**
 * The notification plugin's page script, as Tauri's (`plugins/notification/guest-js/init.ts`): `window.Notification`
 * becomes a shim whose constructor sends `notify`, whose `requestPermission()` sends `request_permission`, and whose
 * `permission` the core answers (`is_permission_granted`) — so `sendNotification()` of the guest package reaches the
 * core, passes the ACL, and shows as the app rather than as the browser.
 */
export function notificationInitScript(windows: boolean): string {
  return `(() => {
  const invoke = (cmd, args) => window.__TAURI_INTERNALS__.invoke(cmd, args);
  let settable = false;
  let value = 'default';
  const set = (v) => { settable = true; window.Notification.permission = v; settable = false; };
  const isGranted = () =>
    window.Notification.permission !== 'default' || ${windows ? 'true' : 'false'}
      ? Promise.resolve(window.Notification.permission === 'granted')
      : invoke('plugin:notification|is_permission_granted');
  const send = (options) => {
    if (typeof options === 'object') Object.freeze(options);
    return invoke('plugin:notification|notify', { options: typeof options === 'string' ? { title: options } : options });
  };
  window.Notification = function (title, options) {
    void send(Object.assign(options || {}, { title })).catch((e) => console.error('notification:', e));
  };
  window.Notification.requestPermission = () =>
    invoke('plugin:notification|request_permission').then((p) => {
      set(p === 'prompt' || p === 'prompt-with-rationale' ? 'default' : p);
      return p;
    });
  Object.defineProperty(window.Notification, 'permission', {
    enumerable: true,
    get: () => value,
    set: (v) => {
      if (!settable) throw new Error('Readonly property');
      value = v;
    },
  });
  void isGranted().then((r) => set(r === null ? 'default' : r ? 'granted' : 'denied')).catch(() => {});
})();`;
}
