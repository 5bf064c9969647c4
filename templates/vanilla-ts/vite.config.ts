import { defineConfig } from 'vite';

// As in create-tauri-app: a fixed port that src-tauri/tauri.conf.json's build.devUrl points at, and the backend
// left to `airlock dev` (it restarts the core when src-tauri/ changes).
export default defineConfig({
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    host: 'localhost',
    // The page never talks to Vite directly: `airlock dev` proxies it through the core, same-origin as far as Vite
    // can tell. Vite's default CORS answers every other localhost origin (any port) with matching headers, letting
    // any local web page read the app's sources around the core; with CORS off, no other origin can read them.
    cors: false,
    watch: { ignored: ['**/src-tauri/**'] },
  },
});
