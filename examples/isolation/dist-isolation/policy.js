// The four classic isolation hooks, in Tauri v2's message shape: `payload.cmd` is the command ("read_file",
// "plugin:event|listen"), `payload.payload` its args. Each returns the message to let it through, or null to block.
window.policy = {
  /** 1. Log every call. */
  log: [],
  logged(payload) {
    this.log.push({ cmd: payload.cmd, at: Date.now() });
    return payload;
  },

  /** 2. Allow only the commands this app uses (and the event plugin the API needs for listen/emit). */
  allowed: new Set(['greet', 'read_file', 'delete_file']),
  allowList(payload) {
    return this.allowed.has(payload.cmd) || payload.cmd.startsWith('plugin:event|') ? payload : null;
  },

  /** 3. Block file reads outside the allowed directory. */
  readableDir: 'notes/',
  fileReads(payload) {
    if (payload.cmd !== 'read_file') return payload;
    const path = String(payload.payload?.path ?? '');
    const normalized = path.split('/').filter((part) => part !== '' && part !== '.');
    const escapes = normalized.includes('..') || path.startsWith('/');
    return !escapes && path.startsWith(this.readableDir) ? payload : null;
  },

  /** 4. Ask before a delete. In the sandboxed frame (no allow-modals, as in Tauri) confirm() returns false, so
   *  deletes stay blocked unless the app provides another way to ask; tests stub window.confirm. */
  confirmDeletes(payload) {
    if (payload.cmd !== 'delete_file') return payload;
    return window.confirm(`Delete ${payload.payload?.path}?`) ? payload : null;
  },
};
