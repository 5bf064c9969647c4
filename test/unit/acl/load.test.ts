/** Loading: files next to the config, `app.security.capabilities` selection, the implicit default, warnings. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authorize, IMPLICIT_DEFAULT_NOTICE, loadAcl } from '../../../src/acl/index.js';
import { ask, fixture, remote } from './helpers.js';

const ids = (acl: ReturnType<typeof loadAcl>) => acl.resolved.capabilities.map((c) => c.identifier);

describe('the implicit default', () => {
  const loaded = loadAcl({ configDir: fixture('empty'), appCommands: ['greet'] });

  test('applies when there are no capability files and no inline capabilities', () => {
    assert.equal(loaded.implicitDefault, true);
    assert.deepEqual(loaded.warnings, []);
  });

  test('grants core:default to every local window', () => {
    assert.equal(
      authorize(loaded.resolved, ask('plugin:event|listen', { window: 'any-window', webview: 'any', args: { event: 'x' } })).allowed,
      true,
    );
    assert.equal(authorize(loaded.resolved, ask('plugin:window|close')).allowed, false);
  });

  test('leaves app commands unchecked for local pages', () => {
    const result = authorize(loaded.resolved, ask('greet'));
    assert.ok(result.allowed);
    assert.equal(result.checked, false);
  });

  test('grants nothing to remote pages', () => {
    assert.equal(authorize(loaded.resolved, remote('plugin:event|listen', 'https://example.com', { args: { event: 'x' } })).allowed, false);
    assert.equal(authorize(loaded.resolved, remote('greet', 'https://example.com')).allowed, false);
  });

  test('applies without a config directory too', () => {
    assert.equal(loadAcl({ configDir: undefined, appCommands: [] }).implicitDefault, true);
  });

  test('comes with a notice that says how to tighten it', () => {
    assert.match(IMPLICIT_DEFAULT_NOTICE, /^no capabilities configured: .*capabilities\/default\.json/);
  });

  test('does not apply once an inline capability exists', () => {
    const inline = loadAcl({
      configDir: fixture('empty'),
      appCommands: [],
      capabilities: [{ identifier: 'inline', windows: ['main'], permissions: ['core:app:default'] }],
    });
    assert.equal(inline.implicitDefault, false);
    assert.deepEqual(ids(inline), ['inline']);
    assert.equal(authorize(inline.resolved, ask('plugin:event|listen', { args: { event: 'x' } })).allowed, false);
  });
});

describe('capability files', () => {
  test('hold one capability, a list, or { capabilities: [...] }, in nested folders too', () => {
    const loaded = loadAcl({ configDir: fixture('forms'), appCommands: [], platform: 'linux' });
    assert.equal(loaded.implicitDefault, false);
    assert.deepEqual(ids(loaded), ['deep', 'list-a', 'list-b', 'named', 'single']);
  });

  test('with another extension are skipped with a warning', () => {
    const loaded = loadAcl({ configDir: fixture('forms'), appCommands: [], platform: 'linux' });
    assert.deepEqual(loaded.warnings, ['capabilities/README.md: unknown capability format (expected .json or .toml); ignored']);
  });

  test('apply only on their platforms', () => {
    const loaded = loadAcl({ configDir: fixture('forms'), appCommands: [], platform: 'android' });
    assert.deepEqual(ids(loaded), ['list-a', 'list-b', 'named', 'single']);
  });

  test('are all active when app.security.capabilities is empty', () => {
    assert.deepEqual(ids(loadAcl({ configDir: fixture('forms'), appCommands: [], capabilities: [], platform: 'linux' })), [
      'deep',
      'list-a',
      'list-b',
      'named',
      'single',
    ]);
  });

  test('are selected by identifier when app.security.capabilities lists some', () => {
    const loaded = loadAcl({ configDir: fixture('forms'), appCommands: [], capabilities: ['single', 'named'] });
    assert.deepEqual(ids(loaded), ['named', 'single']);
    assert.equal(authorize(loaded.resolved, ask('plugin:app|name', { window: 'a', webview: 'a' })).allowed, false);
    assert.equal(authorize(loaded.resolved, ask('plugin:app|version')).allowed, true);
  });

  test('mix with inline capabilities in the selection', () => {
    const loaded = loadAcl({
      configDir: fixture('forms'),
      appCommands: [],
      capabilities: ['single', { identifier: 'inline', windows: ['x'], permissions: [] }],
    });
    assert.deepEqual(ids(loaded), ['inline', 'single']);
  });

  test('an unknown identifier in the selection is an error listing the known ones', () => {
    assert.throws(() => loadAcl({ configDir: fixture('forms'), appCommands: [], capabilities: ['nope'] }), {
      code: 'CONFIG',
      message:
        'app.security.capabilities[0]: capability with identifier `nope` not found (capability files define: `deep`, `list-a`, `list-b`, `named`, `single`)',
    });
  });

  test('an inline capability with the identifier of a selected file is an error', () => {
    assert.throws(
      () =>
        loadAcl({
          configDir: fixture('forms'),
          appCommands: [],
          capabilities: ['single', { identifier: 'single', windows: ['x'], permissions: [] }],
        }),
      {
        code: 'CONFIG',
        message:
          'app.security.capabilities[1]: capability with identifier `single` already exists (first defined in capabilities/single.json)',
      },
    );
  });

  test('with a duplicate identifier fail naming both files', () => {
    assert.throws(() => loadAcl({ configDir: fixture('broken', 'duplicate'), appCommands: [] }), {
      code: 'CONFIG',
      message: 'capabilities/two.toml: capability with identifier `main` already exists (first defined in capabilities/one.json)',
    });
  });

  test('with an unknown permission fail naming the file and the capability', () => {
    assert.throws(() => loadAcl({ configDir: fixture('broken', 'unknown-permission'), appCommands: [] }), {
      code: 'CONFIG',
      message: 'capabilities/main.json: capability `main`: unknown permission `core:window:allow-fly`',
    });
  });
});

describe('permission files', () => {
  test('a broken set fails start-up even when no capability uses it', () => {
    assert.throws(() => loadAcl({ configDir: fixture('broken', 'bad-set'), appCommands: ['greet'] }), {
      code: 'CONFIG',
      message: 'permissions/sets.toml: set `everything`: unknown permission `allow-launch-rockets`',
    });
  });

  test('make app commands checked, and the generated schemas folder is skipped', () => {
    const loaded = loadAcl({ configDir: fixture('app'), appCommands: ['greet', 'read_note', 'write_note', 'save_settings'] });
    assert.deepEqual(loaded.warnings, []);
    assert.equal(loaded.resolved.appCommandsChecked, true);
  });

  test('a plugin directory provides that plugin permissions', () => {
    const loaded = loadAcl({
      configDir: fixture('tauri', 'basic-ping'),
      appCommands: [],
      plugins: [{ name: 'ping', permissionsDir: fixture('plugins', 'ping') }],
    });
    assert.equal(authorize(loaded.resolved, ask('plugin:ping|ping')).allowed, true);
  });
});

describe('an existing Tauri project', () => {
  const loaded = loadAcl({ configDir: fixture('legacy'), appCommands: [] });

  test('starts despite permissions of plugins Airlock does not have, with a warning per plugin', () => {
    assert.deepEqual(loaded.warnings, [
      'capabilities/default.json: capability `default`: permission `opener:default` belongs to plugin `opener`, which is not registered; it grants nothing',
      'capabilities/default.json: capability `default`: permission `shell:allow-open` belongs to plugin `shell`, which is not registered; it grants nothing',
    ]);
  });

  test('keeps core permissions for commands Airlock does not implement', () => {
    assert.equal(authorize(loaded.resolved, ask('plugin:window|start_dragging')).allowed, true);
  });

  test('refuses commands of the unregistered plugins', () => {
    const result = authorize(loaded.resolved, ask('plugin:opener|open_url'));
    assert.equal(
      result.allowed === false && result.message,
      'opener.open_url not allowed. Plugin not found\n\nrequested by: window "main", webview "main", URL: local',
    );
  });
});
