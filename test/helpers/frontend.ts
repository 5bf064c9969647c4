// Bundles the test frontend (the official @tauri-apps/api) once per process into a temporary dist directory.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '..', 'fixtures', 'frontend');
let dist: Promise<string> | undefined;

export function testFrontend(): Promise<string> {
  dist ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'airlock-frontend-'));
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
