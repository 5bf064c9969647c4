// src/core/internal.ts (the calling page's connection, the window host, sessions) is for the core's own plugins:
// only src/core and src/plugins/core may import it, so no user or first-party plugin reaches the core's internals.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const src = path.join(import.meta.dirname, '..', '..', 'src');
const internal = path.join(src, 'core', 'internal.ts');

test('only src/core and src/plugins/core import core/internal.ts', () => {
  const importers: string[] = [];
  for (const rel of readdirSync(src, { recursive: true }).map(String)) {
    if (!rel.endsWith('.ts')) continue;
    const file = path.join(src, rel);
    for (const m of readFileSync(file, 'utf8').matchAll(/from\s+['"](\.[^'"]+)['"]/g)) {
      const target = path.resolve(path.dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts'));
      if (target === internal) importers.push(rel.split(path.sep).join('/'));
    }
  }
  assert.ok(importers.length > 0, 'the core plugins use it');
  const outside = importers.filter((f) => !f.startsWith('core/') && !f.startsWith('plugins/core/'));
  assert.deepEqual(outside, []);
});
