// Runs the whole suite with Node's test runner (TypeScript through tsx): unit tests, then real-Chromium tests.
// `node scripts/test.mjs [dir-or-file ...]` runs a subset.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function collect(target) {
  if (statSync(target).isFile()) return [target];
  return readdirSync(target, { recursive: true })
    .map((f) => path.join(target, String(f)))
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
}

const targets = process.argv.slice(2);
if (targets.length === 0) {
  // The tests are TypeScript too: type-check them (tsx, which runs them, only strips types).
  const tsc = path.join('node_modules', 'typescript', 'bin', 'tsc');
  for (const project of ['test/tsconfig.json', 'test/unit/acl/tsconfig.json']) {
    const check = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
    if (check.status !== 0) process.exit(check.status ?? 1);
  }
}
const files = (targets.length > 0 ? targets : ['test']).flatMap(collect);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
