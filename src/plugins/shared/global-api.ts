/**
 * `window.__TAURI__.<plugin>` for apps that set `app.withGlobalTauri`, as Tauri's plugins add theirs: the official
 * guest package bundled by scripts/build.mjs into `dist/runtime/plugins/<name>.js` (one IIFE per plugin), delivered in
 * the plugin's init script only when the flag is set. One line in a plugin: `.jsInitScript(globalApi('fs'))`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AirlockError, ErrorCode } from '../../protocol/errors.js';
import type { InitScriptFn } from '../../core/plugin.js';

const cache = new Map<string, string>();

/** Where the bundle is: beside the built package (dist/runtime/plugins), or dist/ when this file runs from src/. */
function bundleOf(name: string): string {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const candidates = [`../../runtime/plugins/${name}.js`, `../../../dist/runtime/plugins/${name}.js`];
  for (const rel of candidates) {
    try {
      const source = readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
      cache.set(name, source);
      return source;
    } catch {
      // try the next place
    }
  }
  throw new AirlockError(
    ErrorCode.CONFIG,
    `plugin \`${name}\`: its window.__TAURI__.${name} bundle (dist/runtime/plugins/${name}.js) is missing; build the package (node scripts/build.mjs)`,
  );
}

/** The init script that adds the plugin's guest API to `window.__TAURI__` when `app.withGlobalTauri` is set. */
export function globalApi(name: string): InitScriptFn {
  return (config) => (config.withGlobalTauri ? bundleOf(name) : undefined);
}
