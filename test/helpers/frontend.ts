// Bundles a test frontend (test/fixtures/<name>: index.html + entry.ts) once per process into a temporary dist
// directory: `frontend` (the official @tauri-apps/api), `client-frontend` (airlock/client beside it) and
// `guest-plugins` (the official plugin guest packages).
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const built = new Map<string, Promise<string>>();

export function bundledFrontend(name: 'frontend' | 'client-frontend' | 'guest-plugins'): Promise<string> {
  let dist = built.get(name);
  if (dist === undefined) {
    dist = (async () => {
      const dir = mkdtempSync(path.join(tmpdir(), `airlock-${name}-`));
      cpSync(path.join(FIXTURES, name, 'index.html'), path.join(dir, 'index.html'));
      await build({
        entryPoints: [path.join(FIXTURES, name, 'entry.ts')],
        outfile: path.join(dir, 'app.js'),
        bundle: true,
        format: 'iife',
        target: 'es2022',
        logLevel: 'warning',
      });
      return dir;
    })();
    built.set(name, dist);
  }
  return dist;
}

/** The official @tauri-apps/api, exposed on `window.api`. */
export const testFrontend = (): Promise<string> => bundledFrontend('frontend');

/** airlock/client beside the official API. */
export const clientFrontend = (): Promise<string> => bundledFrontend('client-frontend');

/** The official plugin guest packages. */
export const guestFrontend = (): Promise<string> => bundledFrontend('guest-plugins');

/** The tauri.conf.json of the first-party plugin tests (windows and capabilities beside it). */
export const guestConfig = path.join(FIXTURES, 'guest-plugins', 'app', 'tauri.conf.json');
