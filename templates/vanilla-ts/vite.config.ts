import { defineConfig } from 'vite';

// As in create-tauri-app: a fixed port that src-tauri/tauri.conf.json's build.devUrl points at, and the backend
// left to `airlock dev` (it restarts the core when src-tauri/ changes).
export default defineConfig({
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    host: 'localhost',
    watch: { ignored: ['**/src-tauri/**'] },
  },
});
