// Bundles the first-party plugin tests' frontend (the official guest packages) once per process.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'guest-plugins');
let dist: Promise<string> | undefined;

export function guestFrontend(): Promise<string> {
  dist ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'airlock-guest-plugins-'));
    cpSync(path.join(fixtures, 'index.html'), path.join(dir, 'index.html'));
    await build({
      entryPoints: [path.join(fixtures, 'entry.ts')],
      outfile: path.join(dir, 'app.js'),
      bundle: true,
      format: 'iife',
      target: 'es2022',
      logLevel: 'warning',
    });
    return dir;
  })();
  return dist;
}

/** The tauri.conf.json of the first-party plugin tests (windows and capabilities beside it). */
export const guestConfig = path.join(fixtures, 'app', 'tauri.conf.json');
