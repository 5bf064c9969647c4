/** The gate: which calls the ACL checks, how deny and allow combine, and the exact text of each kind of refusal. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Authorization, authorize, loadAcl } from '../../../src/acl/index.js';
import { ask, fixture, remote, resolveText } from './helpers.js';

const twoWindows = loadAcl({ configDir: fixture('two-windows'), appCommands: ['greet'] }).resolved;
const twoWindowsScoped = loadAcl({ configDir: fixture('two-windows'), appCommands: ['greet'], scopedDenies: true }).resolved;
const app = loadAcl({ configDir: fixture('app'), appCommands: ['greet', 'read_note', 'write_note', 'save_settings'] }).resolved;

function message(result: Authorization): string {
  assert.equal(result.allowed, false, 'expected a refusal');
  return result.allowed ? '' : result.message;
}

const SETTINGS = { window: 'settings', webview: 'settings' };
const QUIRK_NOTE =
  'note: as in Tauri, a deny in any capability applies to every window and origin; ' +
  'build the app with `Builder.scopedDenies()` to limit it to the windows and origins of its capability';

describe('deny and allow', () => {
  test('a deny in one capability denies the command for every window by default (Tauri quirk)', () => {
    assert.equal(
      message(authorize(twoWindows, ask('plugin:window|title'))),
      'window.title explicitly denied on origin local\n\nreferenced by: capability: settings, permission: core:window:deny-title\n\n' +
        `requested by: window "main", webview "main", URL: local\n\n${QUIRK_NOTE}`,
    );
  });

  test('with scopedDenies a deny applies only where its capability matches', () => {
    assert.equal(authorize(twoWindowsScoped, ask('plugin:window|title')).allowed, true);
  });

  test('deny wins over allow in the window the deny names, with or without scopedDenies', () => {
    const expected =
      'window.title explicitly denied on origin local\n\nreferenced by: capability: settings, permission: core:window:deny-title\n\n' +
      'requested by: window "settings", webview "settings", URL: local';
    assert.equal(message(authorize(twoWindowsScoped, ask('plugin:window|title', SETTINGS))), expected);
    assert.equal(message(authorize(twoWindows, ask('plugin:window|title', SETTINGS))), expected);
  });

  test('a deny does not spill over to other commands', () => {
    assert.equal(authorize(twoWindows, ask('plugin:window|is_visible', SETTINGS)).allowed, true);
  });

  test('a refusal also carries the release-build text', () => {
    const result = authorize(twoWindows, ask('plugin:window|title'));
    assert.equal(result.allowed === false && result.releaseMessage, 'Command plugin:window|title not allowed by ACL');
  });
});

describe('which calls are checked', () => {
  test('plugin commands are checked even when app commands are not', () => {
    assert.equal(
      message(authorize(twoWindows, ask('plugin:app|version', { window: 'popup', webview: 'popup' }))),
      'app.version not allowed on window "popup", webview "popup", URL: local\n\n' +
        'allowed on: [windows: "main", URL: local], [windows: "settings", URL: local]\n\n' +
        'referenced by: capability: main, permission: core:app:allow-version || capability: settings, permission: core:app:allow-version',
    );
  });

  test('app commands pass unchecked, with an empty scope, when the app has no permission files and the page is local', () => {
    const result = authorize(twoWindows, ask('greet', { window: 'popup', webview: 'popup' }));
    assert.ok(result.allowed);
    assert.equal(result.checked, false);
    assert.deepEqual([result.scope.allow, result.scope.deny], [[], []]);
  });

  test('app commands from a remote page are checked even without permission files (tauri 2.11.1)', () => {
    assert.equal(
      message(authorize(twoWindows, remote('greet', 'https://evil.com/page'))),
      'greet not allowed on window "main", webview "main", URL: https://evil.com/page\n\n' +
        'allowed on: [windows: "main", URL: https://*.example.com]\n\nreferenced by: capability: remote, permission: allow-greet',
    );
  });

  test('a remote capability grants app commands to the pages it names', () => {
    const result = authorize(twoWindows, remote('greet', 'https://app.example.com/page'));
    assert.ok(result.allowed);
    assert.equal(result.checked, true);
  });

  test('a remote page with no capability at all gets a hint about remote.urls', () => {
    const { resolved } = resolveText({
      capabilities: '{"identifier":"main","windows":["main"],"permissions":["core:default"]}',
      appCommands: ['greet'],
    });
    assert.equal(
      message(authorize(resolved, remote('greet', 'https://example.org'))),
      'greet not allowed. Permissions associated with this command: allow-greet\n\n' +
        'requested by: window "main", webview "main", URL: https://example.org/\n\n' +
        'hint: a remote page needs a capability whose `remote.urls` matches its URL',
    );
  });

  test('once the app has permission files every app command must be granted, local pages included', () => {
    assert.equal(
      message(authorize(app, ask('save_settings'))),
      'save_settings not allowed. Permissions associated with this command: allow-save-settings\n\n' +
        'requested by: window "main", webview "main", URL: local',
    );
  });

  test('an explicit deny binds even an otherwise unchecked app command', () => {
    const { resolved } = resolveText({
      capabilities: '{"identifier":"main","windows":["*"],"permissions":["deny-greet"]}',
      appCommands: ['greet'],
    });
    assert.equal(
      message(authorize(resolved, ask('greet'))),
      'greet explicitly denied on origin local\n\nreferenced by: capability: main, permission: deny-greet\n\n' +
        'requested by: window "main", webview "main", URL: local',
    );
  });

  test('the channel fetch command is exempt, as in Tauri', () => {
    const result = authorize(twoWindows, ask('plugin:__TAURI_CHANNEL__|fetch', { window: 'popup', webview: 'popup' }));
    assert.equal(result.allowed, true);
  });

  test('a window that matches no capability has no IPC at all for checked commands', () => {
    assert.equal(authorize(app, ask('greet', { window: 'popup', webview: 'popup' })).allowed, false);
    assert.equal(authorize(app, ask('plugin:event|listen', { window: 'popup', webview: 'popup', args: { event: 'x' } })).allowed, false);
  });
});

describe('app permissions', () => {
  test('the app default set grants its commands to the capability that names `default`', () => {
    assert.equal(authorize(app, ask('greet', SETTINGS)).allowed, true);
  });

  test('a set and an extended entry both grant the command, and their scopes are concatenated', () => {
    const result = authorize(app, ask('read_note'));
    assert.ok(result.allowed);
    assert.deepEqual(result.scope.allow, [
      { path: '$DOCUMENT/notes/*.md' },
      { path: '$DOCUMENT/shared/**' },
      { path: '$DOCUMENT/notes/*.md' },
    ]);
    assert.deepEqual(result.scope.deny, [{ path: '$DOCUMENT/notes/private.md' }, { path: '$DOCUMENT/notes/private.md' }]);
  });

  test('a command granted to another window names where it is allowed', () => {
    assert.equal(
      message(authorize(app, ask('read_note', SETTINGS))),
      'read_note not allowed on window "settings", webview "settings", URL: local\n\n' +
        'allowed on: [windows: "main", URL: local], [windows: "main", URL: local]\n\n' +
        'referenced by: capability: main, permission: allow-read-note || capability: main, permission: allow-read-note',
    );
  });
});

describe('core permissions', () => {
  const implicit = loadAcl({ configDir: undefined, appCommands: [] }).resolved;
  const inDefault = [
    'plugin:event|listen',
    'plugin:event|unlisten',
    'plugin:event|emit',
    'plugin:event|emit_to',
    'plugin:app|version',
    'plugin:app|name',
    'plugin:app|tauri_version',
    'plugin:app|identifier',
    'plugin:app|supports_multiple_windows',
    'plugin:app|register_listener',
    'plugin:app|remove_listener',
    'plugin:window|activity_name',
    'plugin:window|scene_identifier',
    'plugin:tray|set_icon_with_as_template',
    'plugin:app|bundle_type',
    'plugin:window|get_all_windows',
    'plugin:window|title',
    'plugin:window|is_visible',
    'plugin:window|scale_factor',
    'plugin:path|resolve_directory',
  ];
  const notInDefault = [
    'plugin:window|close',
    'plugin:window|destroy',
    'plugin:window|set_title',
    'plugin:app|app_show',
    'plugin:app|app_hide',
    'plugin:app|default_window_icon',
    'plugin:app|exit',
    'plugin:app|set_dock_visibility',
    'plugin:window|set_focusable',
    'plugin:window|set_fullscreen_on_monitor',
    'plugin:window|set_simple_fullscreen',
    'plugin:webview|set_webview_auto_resize',
  ];

  for (const command of inDefault) {
    test(`core:default grants ${command}`, () => {
      assert.equal(authorize(implicit, ask(command, { args: { event: 'x' } })).allowed, true);
    });
  }
  for (const command of notInDefault) {
    test(`core:default does not grant ${command}`, () => {
      assert.equal(authorize(implicit, ask(command)).allowed, false);
    });
  }

  test('the denial of an ungranted core command lists its permissions as Tauri does', () => {
    const { resolved } = resolveText({ capabilities: '{"identifier":"main","windows":["main"],"permissions":["core:app:default"]}' });
    assert.equal(
      message(authorize(resolved, ask('plugin:event|listen', { args: { event: 'x' } }))),
      'event.listen not allowed. Permissions associated with this command: core:event:allow-listen, core:event:default\n\n' +
        'requested by: window "main", webview "main", URL: local',
    );
  });

  test('a single autogenerated core permission grants exactly its command', () => {
    const { resolved } = resolveText({
      capabilities: '{"identifier":"main","windows":["main"],"permissions":["core:window:allow-close"]}',
    });
    assert.equal(authorize(resolved, ask('plugin:window|close')).allowed, true);
    assert.equal(authorize(resolved, ask('plugin:window|destroy')).allowed, false);
  });
});
