/** Declare: capability and permission files are validated, and every error names the file and the entry. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildManifest, parseCapabilityFile, parsePermissionFile } from '../../../src/acl/index.js';
import { resolveText } from './helpers.js';

const SOURCE = 'capabilities/test.json';

function capabilityError(json: unknown, message: string | RegExp): void {
  assert.throws(() => parseCapabilityFile(JSON.stringify(json), 'json', SOURCE, []), { code: 'CONFIG', message });
}

function resolveError(json: unknown, message: string, extra: Partial<Parameters<typeof resolveText>[0]> = {}): void {
  assert.throws(() => resolveText({ capabilities: JSON.stringify(json), ...extra }), { code: 'CONFIG', message });
}

const cap = (fields: Record<string, unknown>) => ({ identifier: 'main', windows: ['main'], permissions: ['core:default'], ...fields });

describe('capability files', () => {
  test('read every field with Tauri defaults', () => {
    const [c] = parseCapabilityFile('{"identifier":"main","permissions":[]}', 'json', SOURCE, []);
    assert.deepEqual(c, {
      identifier: 'main',
      description: '',
      windows: [],
      webviews: [],
      permissions: [],
      local: true,
      remoteUrls: [],
      platforms: undefined,
      source: SOURCE,
    });
  });

  test('TOML capabilities read the same, inline tables included', () => {
    const toml =
      'identifier = "main"\nwindows = ["main"]\npermissions = ["core:default", { identifier = "fs:read", allow = [{ path = "$APP" }] }]\n[remote]\nurls = ["https://tauri.app"]';
    const [c] = parseCapabilityFile(toml, 'toml', 'capabilities/main.toml', []);
    assert.deepEqual(c?.permissions, [{ identifier: 'core:default' }, { identifier: 'fs:read', allow: [{ path: '$APP' }] }]);
    assert.deepEqual(c?.remoteUrls, ['https://tauri.app']);
  });

  test('an unknown field is a warning naming it, since a typo like `window` would grant nothing', () => {
    const warnings: string[] = [];
    parseCapabilityFile(JSON.stringify({ $schema: 'x', identifier: 'main', window: ['main'], permissions: [] }), 'json', SOURCE, warnings);
    assert.deepEqual(warnings, [
      'capabilities/test.json: capability `main`: unknown field `window` is ignored (expected one of identifier, description, windows, webviews, permissions, local, remote, platforms)',
      'capabilities/test.json: capability `main`: names no `windows` or `webviews`, so it grants nothing',
    ]);
  });

  test('a capability that is neither local nor remote is a warning', () => {
    const warnings: string[] = [];
    parseCapabilityFile(JSON.stringify(cap({ local: false })), 'json', SOURCE, warnings);
    assert.deepEqual(warnings, [
      'capabilities/test.json: capability `main`: has `local: false` and no `remote.urls`, so it grants nothing',
    ]);
  });

  test('a missing identifier is an error naming the file', () => {
    capabilityError(
      { windows: ['main'], permissions: [] },
      'capabilities/test.json: capability: `identifier` must be a non-empty string, got nothing',
    );
  });

  test('a missing identifier in a list names the position', () => {
    capabilityError(
      [cap({}), { permissions: [] }],
      'capabilities/test.json: capabilities[1]: `identifier` must be a non-empty string, got nothing',
    );
  });

  test('missing permissions are an error', () => {
    capabilityError(
      { identifier: 'main', windows: ['main'] },
      'capabilities/test.json: capability `main`: `permissions` is required (a list of permission identifiers)',
    );
  });

  test('a bad window glob is an error naming the capability', () => {
    capabilityError(
      cap({ windows: ['main-**'] }),
      'capabilities/test.json: capability `main`: `windows`: invalid glob `main-**`: recursive wildcards must form a single path component',
    );
  });

  test('a bad webview glob is an error naming the capability', () => {
    capabilityError(
      cap({ webviews: ['[x'] }),
      'capabilities/test.json: capability `main`: `webviews`: invalid glob `[x`: invalid range pattern',
    );
  });

  test('a bad remote URL pattern is an error naming the capability', () => {
    capabilityError(
      cap({ remote: { urls: ['tauri.app'] } }),
      'capabilities/test.json: capability `main`: `remote.urls`: invalid URL pattern `tauri.app`: expected an absolute pattern such as `https://example.com/*`',
    );
  });

  test('a malformed permission identifier is an error', () => {
    capabilityError(
      cap({ permissions: ['fs::read'] }),
      'capabilities/test.json: capability `main`: invalid permission identifier `fs::read`: it has too many `:` separators',
    );
    capabilityError(cap({ permissions: ['tauri-plugin-fs:read'] }), /must not start with `tauri-plugin-`/);
    capabilityError(cap({ permissions: ['fs:-read'] }), /a `-` may not start or end a part/);
    capabilityError(cap({ permissions: ['fs:read_dir'] }), /only ASCII letters, digits, `-` and `:` are allowed/);
  });

  test('a wrongly typed field is an error saying what it should be', () => {
    capabilityError(cap({ local: 'yes' }), 'capabilities/test.json: capability `main`: `local` must be true or false, got "yes"');
    capabilityError(cap({ windows: 'main' }), 'capabilities/test.json: capability `main`: `windows` must be an array, got "main"');
  });

  test('an unknown platform is an error listing the known ones', () => {
    capabilityError(
      cap({ platforms: ['beos'] }),
      'capabilities/test.json: capability `main`: `platforms` has "beos"; expected one of linux, macOS, windows, android, iOS',
    );
  });

  test('invalid JSON is an error naming the file', () => {
    assert.throws(() => parseCapabilityFile('{ "identifier": ', 'json', SOURCE, []), {
      code: 'CONFIG',
      message: /^capabilities\/test\.json: invalid JSON: /,
    });
  });

  test('invalid TOML is an error naming the file', () => {
    assert.throws(() => parseCapabilityFile('identifier = ', 'toml', 'capabilities/x.toml', []), {
      code: 'CONFIG',
      message: /^capabilities\/x\.toml: invalid TOML: /,
    });
  });
});

describe('permission files', () => {
  const toml = `
[default]
permissions = ["allow-greet"]

[[permission]]
identifier = "allow-read"
commands.allow = ["read"]
scope.allow = [{ path = "$APP" }]

[[set]]
identifier = "all"
description = "everything"
permissions = ["default", "allow-read"]
`;

  test('read [default], [[permission]] and [[set]]', () => {
    const file = parsePermissionFile(toml, 'toml', 'permissions/app.toml', []);
    assert.deepEqual(file.default?.permissions, ['allow-greet']);
    assert.deepEqual(file.permissions[0]?.commands, { allow: ['read'], deny: [] });
    assert.deepEqual(file.permissions[0]?.scope, { allow: [{ path: '$APP' }] });
    assert.deepEqual(file.sets[0]?.permissions, ['default', 'allow-read']);
  });

  test('a permission identifier with a prefix is an error', () => {
    assert.throws(() => parsePermissionFile('[[permission]]\nidentifier = "fs:read"', 'toml', 'permissions/p.toml', []), {
      code: 'CONFIG',
      message: 'permissions/p.toml: permission `fs:read`: invalid permission identifier `fs:read` (a plain name such as `allow-read`)',
    });
  });

  test('the same name defined in two files is an error naming both', () => {
    const a = parsePermissionFile('[[permission]]\nidentifier = "allow-x"', 'toml', 'permissions/a.toml', []);
    const b = parsePermissionFile('[[set]]\nidentifier = "allow-x"\ndescription = ""\npermissions = []', 'toml', 'permissions/b.toml', []);
    assert.throws(() => buildManifest('__app-acl__', [a, b]), {
      code: 'CONFIG',
      message: 'permissions/b.toml: permission or set `allow-x` is already defined in permissions/a.toml',
    });
  });
});

describe('references between permissions', () => {
  test('an unknown app permission is an error naming the file and capability', () => {
    resolveError(cap({ permissions: ['allow-fly'] }), 'capabilities/test.json: capability `main`: unknown permission `allow-fly`', {
      appCommands: ['greet'],
    });
  });

  test('an unknown permission of a core plugin is an error', () => {
    resolveError(
      cap({ permissions: ['core:window:allow-fly'] }),
      'capabilities/test.json: capability `main`: unknown permission `core:window:allow-fly`',
    );
  });

  test('an unknown core plugin is an error', () => {
    resolveError(
      cap({ permissions: ['core:fly:default'] }),
      'capabilities/test.json: capability `main`: unknown permission `core:fly:default` (no core plugin `core:fly`)',
    );
  });

  test('an unknown permission of a registered plugin is an error', () => {
    resolveError(cap({ permissions: ['fs:allow-fly'] }), 'capabilities/test.json: capability `main`: unknown permission `fs:allow-fly`', {
      plugins: [{ name: 'fs', commands: ['read_dir'] }],
    });
  });

  test('a registered plugin gets allow-/deny- permissions for its commands', () => {
    const { warnings } = resolveText({
      capabilities: JSON.stringify(cap({ permissions: ['fs:allow-read-dir', 'fs:deny-read-dir'] })),
      plugins: [{ name: 'fs', commands: ['read_dir'] }],
    });
    assert.deepEqual(warnings, []);
  });

  test('a plugin may not take the name of a core plugin, whose command keys it would share', () => {
    resolveError(cap({}), "plugin name `event` is not allowed (ASCII letters, digits and `-`; not `core` or a core plugin's name)", {
      plugins: [{ name: 'event', commands: ['listen'] }],
    });
  });

  test('a permission of an unregistered plugin is a warning naming the plugin, not an error', () => {
    const { warnings } = resolveText({ capabilities: JSON.stringify(cap({ permissions: ['core:default', 'opener:default'] })) });
    assert.deepEqual(warnings, [
      'capabilities/test.json: capability `main`: permission `opener:default` belongs to plugin `opener`, which is not registered; it grants nothing',
    ]);
  });

  test('a set member nobody defines is an error naming the permission file and set', () => {
    resolveError(cap({}), 'permissions/test.toml: set `all`: unknown permission `allow-fly`', {
      permissions: '[[set]]\nidentifier = "all"\ndescription = ""\npermissions = ["allow-fly"]',
    });
  });

  test('a set that includes itself is an error showing the cycle', () => {
    resolveError(cap({}), 'permissions/test.toml: set `b`: includes itself (a → b → a)', {
      permissions:
        '[[set]]\nidentifier = "a"\ndescription = ""\npermissions = ["b"]\n[[set]]\nidentifier = "b"\ndescription = ""\npermissions = ["a"]',
    });
  });

  test('an app set may include core permissions', () => {
    const { warnings } = resolveText({
      capabilities: JSON.stringify(cap({ permissions: ['ui'] })),
      permissions: '[[set]]\nidentifier = "ui"\ndescription = ""\npermissions = ["core:event:default", "core:window:allow-close"]',
    });
    assert.deepEqual(warnings, []);
  });

  test('two capabilities with one identifier are an error', () => {
    resolveError(
      [cap({}), cap({ windows: ['other'] })],
      'capabilities/test.json: capability with identifier `main` already exists (first defined in capabilities/test.json)',
    );
  });
});
