/** explain(): the reasoning behind a decision, readable on a terminal. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explain, loadAcl } from '../../../src/acl/index.js';
import { ask, fixture, remote } from './helpers.js';

const twoWindows = loadAcl({ configDir: fixture('two-windows'), appCommands: ['greet'] }).resolved;

describe('explain', () => {
  test('shows every entry, why it does or does not apply, and the verdict with its message', () => {
    assert.equal(
      explain(twoWindows, ask('plugin:window|title')),
      [
        'may window "main" (webview "main", URL: local) call `plugin:window|title`?',
        'checked by the ACL: yes: plugin commands are always checked',
        'deny entries (Tauri rule: any deny entry denies everywhere):',
        '  - capability `settings`, permission `core:window:deny-title` (via `core:window:deny-title`) [windows: "settings", URL: local]: ' +
          'does not match: neither window "main" nor webview "main" matches its labels; denies anyway (a deny applies everywhere)',
        'allow entries:',
        '  - capability `main`, permission `core:window:allow-title` (via `core:default`) [windows: "main", URL: local]: matches',
        '  - capability `settings`, permission `core:window:allow-title` (via `core:default`) [windows: "settings", URL: local]: ' +
          'does not match: neither window "main" nor webview "main" matches its labels',
        'verdict: denied',
        '  window.title explicitly denied on origin local',
        '',
        '  referenced by: capability: settings, permission: core:window:deny-title',
        '',
        '  requested by: window "main", webview "main", URL: local',
        '',
        '  note: as in Tauri, a deny in any capability applies to every window and origin; build the app with `Builder.scopedDenies()` to limit it to the windows and origins of its capability',
      ].join('\n'),
    );
  });

  test('says why an app command is unchecked', () => {
    const text = explain(twoWindows, ask('greet'));
    assert.match(
      text,
      /^checked by the ACL: no: the app defines no permission files and the page is local, so app commands are not checked$/m,
    );
    assert.match(text, /^verdict: allowed \(scope: 0 allow, 0 deny\)$/m);
  });

  test('says why a remote page is checked and which origin does not match', () => {
    const text = explain(twoWindows, remote('greet', 'https://evil.com/'));
    assert.match(text, /^checked by the ACL: yes: app commands called from a remote page are always checked \(tauri ≥ 2\.11\.1\)$/m);
    assert.match(
      text,
      /\[windows: "main", URL: https:\/\/\*\.example\.com\]: does not match: URL https:\/\/evil\.com\/ is not in its context$/m,
    );
    assert.match(text, /^verdict: denied$/m);
  });

  test('reports the scopedDenies rule when it is on', () => {
    const scoped = loadAcl({ configDir: fixture('two-windows'), appCommands: ['greet'], scopedDenies: true }).resolved;
    const text = explain(scoped, ask('plugin:window|title'));
    assert.match(text, /^deny entries \(scopedDenies: only entries matching this window and URL deny\):$/m);
    assert.match(text, /^verdict: allowed/m);
  });
});
