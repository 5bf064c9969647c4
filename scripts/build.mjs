// Builds the package: tsc for the Node code (dist/), esbuild for the browser bundles (dist/runtime/).
// The browser code is type-checked with its own tsconfig (DOM, no Node types) so neither side leaks into the other.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function typecheck(project, extra = []) {
  execFileSync(process.execPath, [tsc, '-p', project, ...extra], { cwd: root, stdio: 'inherit' });
}

typecheck('tsconfig.json');
for (const browser of ['src/webview', 'src/isolation', 'src/inspector']) typecheck(browser);
// `airlock/client` and `airlock/client/mocks`: browser ES modules (DOM types, no Node), declarations from tsc,
// the code bundled by esbuild so the package's exports point at plain built JS.
typecheck('src/client');
for (const entry of ['index', 'mocks']) {
  await build({
    entryPoints: [path.join(root, 'src', 'client', `${entry}.ts`)],
    outfile: path.join(root, 'dist', 'client', `${entry}.js`),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    logLevel: 'warning',
  });
}

// Each plugin's permission folder sits beside its built module (it finds it as new URL('./permissions', import.meta.url)).
for (const name of readdirSync(path.join(root, 'src', 'plugins'))) {
  const from = path.join(root, 'src', 'plugins', name, 'permissions');
  if (existsSync(from)) cpSync(from, path.join(root, 'dist', 'plugins', name, 'permissions'), { recursive: true });
}

mkdirSync(path.join(root, 'dist', 'runtime'), { recursive: true });
const bundles = [
  { entry: 'src/webview/main.ts', out: 'dist/runtime/webview.js', globalName: '__airlockRuntime' },
  { entry: 'src/isolation/main.ts', out: 'dist/runtime/isolation.js', globalName: '__airlockIsolation' },
  // `window.__TAURI__` (app.withGlobalTauri): the official API as one script, appended to the runtime when enabled.
  { entry: 'src/webview/global-tauri.ts', out: 'dist/runtime/global-tauri.js' },
  {
    entry: 'src/inspector/main.ts',
    out: 'dist/runtime/inspector.js',
    globalName: '__airlockInspector',
    footer: '__airlockInspector.start();',
  },
];
for (const b of bundles) {
  await build({
    entryPoints: [path.join(root, b.entry)],
    outfile: path.join(root, b.out),
    bundle: true,
    format: 'iife',
    ...(b.globalName === undefined ? {} : { globalName: b.globalName }),
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    ...(b.footer === undefined ? {} : { footer: { js: b.footer } }),
    logLevel: 'warning',
  });
}

// `window.__TAURI__.<plugin>` (app.withGlobalTauri): each first-party plugin's official guest package as one IIFE,
// which the plugin's init script delivers only when the flag is set (src/plugins/shared/global-api.ts). Add a row
// per plugin: its Tauri name and its guest package.
const PLUGIN_GLOBALS = {
  fs: '@tauri-apps/plugin-fs',
  store: '@tauri-apps/plugin-store',
  opener: '@tauri-apps/plugin-opener',
  shell: '@tauri-apps/plugin-shell',
  os: '@tauri-apps/plugin-os',
  process: '@tauri-apps/plugin-process',
  dialog: '@tauri-apps/plugin-dialog',
  http: '@tauri-apps/plugin-http',
  log: '@tauri-apps/plugin-log',
  'clipboard-manager': '@tauri-apps/plugin-clipboard-manager',
  notification: '@tauri-apps/plugin-notification',
};
mkdirSync(path.join(root, 'dist', 'runtime', 'plugins'), { recursive: true });
for (const [name, pkg] of Object.entries(PLUGIN_GLOBALS)) {
  const key = name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  await build({
    stdin: {
      contents: `import * as api from ${JSON.stringify(pkg)};\nconst g = window.__TAURI__;\nif (typeof g === 'object' && g !== null && g[${JSON.stringify(key)}] === undefined) g[${JSON.stringify(key)}] = api;\n`,
      resolveDir: root,
      loader: 'js',
    },
    outfile: path.join(root, 'dist', 'runtime', 'plugins', `${name}.js`),
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

// Plugins' permission folders ship beside their built code (a plugin finds them with new URL('./permissions', …)).
for (const name of readdirSync(path.join(root, 'src', 'plugins'))) {
  const from = path.join(root, 'src', 'plugins', name, 'permissions');
  if (existsSync(from)) cpSync(from, path.join(root, 'dist', 'plugins', name, 'permissions'), { recursive: true });
}
