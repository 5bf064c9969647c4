/** Label globs behave like the Rust `glob` crate's Pattern that Tauri uses for `windows` and `webviews`. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileGlob, globMatches } from '../../../src/acl/index.js';

const MATCHES: [pattern: string, label: string, expected: boolean][] = [
  ['main', 'main', true],
  ['main', 'main2', false],
  ['main', 'Main', false],
  ['main-*', 'main-something', true],
  ['main-*', 'main-', true],
  ['main-*', 'other-main-x', false],
  ['*', '', true],
  ['*', 'settings/advanced', true],
  ['m?in', 'main', true],
  ['m?in', 'min', false],
  ['[ab]x', 'bx', true],
  ['[ab]x', 'cx', false],
  ['[a-c]1', 'b1', true],
  ['[!a]x', 'bx', true],
  ['[!a]x', 'ax', false],
  ['[]]', ']', true],
  ['[-x]', '-', true],
  ['a.b', 'a.b', true],
  ['a.b', 'axb', false],
  ['**/x', 'x', true],
  ['**/x', 'a/b/x', true],
  ['a/**', 'a/b/c', true],
  ['win(1)', 'win(1)', true],
  ['fenêtre-*', 'fenêtre-1', true],
];

const INVALID: [pattern: string, message: string][] = [
  ['***', 'invalid glob `***`: wildcards are either regular `*` or recursive `**`'],
  ['main-**', 'invalid glob `main-**`: recursive wildcards must form a single path component'],
  ['**x', 'invalid glob `**x`: recursive wildcards must form a single path component'],
  ['[abc', 'invalid glob `[abc`: invalid range pattern'],
  ['[]', 'invalid glob `[]`: invalid range pattern'],
  ['[z-a]', 'invalid glob `[z-a]`: invalid range pattern'],
];

describe('label globs', () => {
  for (const [pattern, label, expected] of MATCHES) {
    test(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(label)}`, () => {
      assert.equal(globMatches(compileGlob(pattern), label), expected);
    });
  }

  for (const [pattern, message] of INVALID) {
    test(`${JSON.stringify(pattern)} is rejected with the glob crate's reason`, () => {
      assert.throws(() => compileGlob(pattern), { name: 'GlobError', message });
    });
  }
});
