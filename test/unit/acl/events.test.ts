/** Event-name permissions: scopes on core:event permissions decide which events a webview may listen to or emit. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authorize, loadAcl } from '../../../src/acl/index.js';
import { ask, fixture, resolveText } from './helpers.js';

const app = loadAcl({ configDir: fixture('app'), appCommands: ['greet', 'read_note', 'write_note', 'save_settings'] }).resolved;
const SETTINGS = { window: 'settings', webview: 'settings' };
const listen = (event: unknown, who = SETTINGS) => ask('plugin:event|listen', { ...who, args: { event, handler: 7 } });

describe('event-name permissions', () => {
  for (const event of ['settings-changed', 'settings-', 'theme']) {
    test(`a webview may listen to "${event}", which its allow scope names`, () => {
      assert.equal(authorize(app, listen(event)).allowed, true);
    });
  }

  test('a webview may not listen to an event outside its allow scope, and the message lists the allowed events', () => {
    const result = authorize(app, listen('secrets'));
    assert.equal(
      result.allowed === false && result.message,
      'event.listen of event "secrets" not allowed; allowed events: "settings-*", "theme"\n\n' +
        'referenced by: capability: settings, permission: core:event:allow-listen\n\n' +
        'requested by: window "settings", webview "settings", URL: local',
    );
  });

  test('an event scope needs a string event name to check', () => {
    const result = authorize(app, ask('plugin:event|listen', { ...SETTINGS, args: { handler: 7 } }));
    assert.equal(
      result.allowed === false && result.message,
      'event.listen needs a string `event` argument to check against its event scope\n\n' +
        'referenced by: capability: settings, permission: core:event:allow-listen\n\n' +
        'requested by: window "settings", webview "settings", URL: local',
    );
  });

  test('an unscoped grant such as core:default admits every event (Tauri behaviour)', () => {
    assert.equal(authorize(app, listen('secrets', { window: 'main', webview: 'main' })).allowed, true);
  });

  test('a deny entry refuses its events even next to an unscoped grant', () => {
    const result = authorize(app, ask('plugin:event|emit', { args: { event: 'admin-reset', payload: null } }));
    assert.equal(
      result.allowed === false && result.message,
      'event.emit of event "admin-reset" explicitly denied on origin local\n\n' +
        'referenced by: capability: main, permission: core:event:allow-emit\n\n' +
        'requested by: window "main", webview "main", URL: local',
    );
  });

  test('other events still pass, and the handler sees the event scope values', () => {
    const result = authorize(app, ask('plugin:event|emit', { args: { event: 'hello' } }));
    assert.ok(result.allowed);
    assert.deepEqual(result.scope.deny, [{ event: 'admin-*' }]);
  });

  test('event scopes do not touch unlisten, so a webview can always drop its listeners', () => {
    assert.equal(authorize(app, ask('plugin:event|unlisten', { ...SETTINGS, args: { event: 'secrets', eventId: 1 } })).allowed, true);
  });

  test('emit_to is scoped like emit', () => {
    const { resolved } = resolveText({
      capabilities: JSON.stringify({
        identifier: 'main',
        windows: ['main'],
        permissions: [{ identifier: 'core:event:allow-emit-to', allow: [{ event: 'chat/*' }] }],
      }),
    });
    assert.equal(authorize(resolved, ask('plugin:event|emit_to', { args: { event: 'chat/new', target: { kind: 'Any' } } })).allowed, true);
    assert.equal(authorize(resolved, ask('plugin:event|emit_to', { args: { event: 'admin', target: { kind: 'Any' } } })).allowed, false);
  });

  test('scope entries without an event key are left to the handler', () => {
    const { resolved } = resolveText({
      capabilities: JSON.stringify({
        identifier: 'main',
        windows: ['main'],
        permissions: [{ identifier: 'core:event:allow-listen', allow: [{ max: 3 }] }],
      }),
    });
    const result = authorize(resolved, ask('plugin:event|listen', { args: { event: 'anything' } }));
    assert.ok(result.allowed);
    assert.deepEqual(result.scope.allow, [{ max: 3 }]);
  });

  test('a non-string event in a scope fails start-up naming the capability and entry', () => {
    assert.throws(
      () =>
        resolveText({
          capabilities: JSON.stringify({
            identifier: 'main',
            windows: ['main'],
            permissions: [{ identifier: 'core:event:allow-listen', allow: [{ event: 3 }] }],
          }),
        }),
      {
        code: 'CONFIG',
        message: 'capabilities/test.json: capability `main`: `core:event:allow-listen`: an event scope entry needs a string `event`, got 3',
      },
    );
  });

  test('a bad event glob fails start-up', () => {
    assert.throws(
      () =>
        resolveText({
          capabilities: JSON.stringify({
            identifier: 'main',
            windows: ['main'],
            permissions: [{ identifier: 'core:event:default', deny: [{ event: 'a[' }] }],
          }),
        }),
      {
        code: 'CONFIG',
        message: 'capabilities/test.json: capability `main`: `core:event:default`: event scope: invalid glob `a[`: invalid range pattern',
      },
    );
  });
});
