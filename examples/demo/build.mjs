// Bundles the demo's frontend (TypeScript + the official @tauri-apps/api) into dist/: the demo's
// build.beforeBuildCommand, so `airlock run` rebuilds it before serving.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
await mkdir(dist, { recursive: true });
await build({
  entryPoints: [path.join(here, 'src', 'main.ts')],
  outfile: path.join(dist, 'main.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  logLevel: 'warning',
});
await copyFile(path.join(here, 'src', 'index.html'), path.join(dist, 'index.html'));
await copyFile(path.join(here, 'src', 'style.css'), path.join(dist, 'style.css'));
