window.__TAURI_ISOLATION_HOOK__ = (payload) => {
  const p = window.policy;
  let message = p.logged(payload);
  for (const check of [p.allowList, p.fileReads, p.confirmDeletes]) {
    if (message === null) break;
    message = check.call(p, message);
  }
  return message;
};
