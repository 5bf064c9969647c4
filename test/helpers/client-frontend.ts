// Bundles the typed client's test frontend (test/fixtures/client-frontend: airlock/client beside the official API).
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'client-frontend');
let dist: Promise<string> | undefined;

export function clientFrontend(): Promise<string> {
  dist ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'airlock-client-frontend-'));
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
