// The demo's isolation hook (Tauri v2 message shape: { cmd, callback, error, payload, options }).
// - blocks `delete_everything` (the page's invoke rejects with ISOLATION_REFUSED; the core never sees it);
// - lets everything else through, tagging app commands with a header the backend echoes to the page's hook log.
window.__TAURI_ISOLATION_HOOK__ = (message) => {
  if (message.cmd === 'delete_everything') return null;
  if (message.cmd.startsWith('plugin:')) return message;
  const keys =
    message.payload instanceof Uint8Array
      ? `${message.payload.byteLength} raw bytes`
      : Object.keys(message.payload ?? {}).join(', ') || 'no args';
  const headers = {
    ...(message.options?.headers ?? {}),
    'x-isolation-hook': `approved ${message.cmd} (${keys}) at ${new Date().toISOString().slice(11, 23)}`,
  };
  return { ...message, options: { ...message.options, headers } };
};
