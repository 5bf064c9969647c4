// The folder boundaries of ARCHITECTURE.md, checked on every import in src/.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const src = path.join(import.meta.dirname, '..', '..', 'src');

/** folder → folders (under src/) and packages it may import. `type` imports of core from acl are allowed. */
const ALLOWED: Record<string, { folders: string[]; packages: RegExp }> = {
  protocol: { folders: ['protocol'], packages: /^$/ },
  acl: { folders: ['acl', 'protocol'], packages: /^(node:(fs|path)|smol-toml)$/ },
  core: { folders: ['core', 'protocol'], packages: /^(node:(crypto|async_hooks|events|fs|path)|zod)$/ },
  transports: { folders: ['transports', 'core', 'protocol'], packages: /^(node:.*|ws)$/ },
  webview: { folders: ['webview', 'protocol'], packages: /^$/ },
  isolation: { folders: ['isolation', 'protocol'], packages: /^$/ },
};

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

for (const [folder, rule] of Object.entries(ALLOWED)) {
  test(`src/${folder} imports only ${[...rule.folders].join(', ')}${rule.packages.source === '^$' ? '' : ' and its packages'}`, () => {
    const violations: string[] = [];
    for (const file of files(path.join(src, folder))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
        const [, isType, spec = ''] = m;
        if (spec.startsWith('.')) {
          const target = path.relative(src, path.resolve(path.dirname(file), spec)).split(path.sep)[0] ?? '';
          const typeOnlyCore = isType !== undefined && folder === 'acl' && target === 'core';
          if (!rule.folders.includes(target) && !typeOnlyCore) violations.push(`${path.relative(src, file)} → ${spec}`);
        } else if (!rule.packages.test(spec)) {
          violations.push(`${path.relative(src, file)} → ${spec}`);
        }
      }
    }
    assert.deepEqual(violations, []);
  });
}
