// The isolation hook of the bench: lets every message through unchanged, so variant (c) measures what the
// pattern itself costs (the iframe hop, sealing, the core opening the seal) and nothing else.
window.__TAURI_ISOLATION_HOOK__ = (payload) => payload;
