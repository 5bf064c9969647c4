/** The CommandScope handed to handlers: deny wins, an empty allow list allows, and values cannot be altered. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authorize, commandScope, compileGlob, EMPTY_SCOPE, globMatches, loadAcl } from '../../../src/acl/index.js';
import { ask, fakePlugins, fixture } from './helpers.js';

const isPath = (p: string) => (entry: unknown) =>
  typeof entry === 'object' &&
  entry !== null &&
  typeof (entry as { path?: unknown }).path === 'string' &&
  globMatches(compileGlob((entry as { path: string }).path), p);

describe('CommandScope.matches', () => {
  test('is true for anything when there are no entries', () => {
    assert.equal(
      EMPTY_SCOPE.matches(() => false),
      true,
    );
  });

  test('is true when an allow entry matches', () => {
    assert.equal(commandScope([{ path: '$APP/**' }]).matches(isPath('$APP/a.txt')), true);
  });

  test('is false when allow entries exist and none matches', () => {
    assert.equal(commandScope([{ path: '$APP/**' }]).matches(isPath('$HOME/a.txt')), false);
  });

  test('is false when a deny entry matches, even if an allow entry matches too', () => {
    assert.equal(commandScope([{ path: '$APP/**' }], [{ path: '$APP/*.db' }]).matches(isPath('$APP/data.db')), false);
  });

  test('is false when only deny entries exist and one matches', () => {
    assert.equal(commandScope([], [{ path: '$HOME' }]).matches(isPath('$HOME')), false);
    assert.equal(commandScope([], [{ path: '$HOME' }]).matches(isPath('$APP')), true);
  });
});

describe('scopes handed out by authorize', () => {
  const { resolved } = loadAcl({
    configDir: fixture('tauri', 'scope-extended'),
    appCommands: [],
    plugins: fakePlugins('fs'),
    platform: 'linux',
  });

  test('the global scope applies the capability-extended deny', () => {
    const result = authorize(resolved, ask('plugin:fs|move'));
    assert.ok(result.allowed);
    assert.equal(result.globalScope.matches(isPath('$APP/data.db')), false);
    assert.equal(result.globalScope.matches(isPath('$APP/notes.txt')), true);
    assert.equal(result.globalScope.matches(isPath('$HOME')), false);
  });

  test('the command scope applies the extended deny to resource files', () => {
    const result = authorize(resolved, ask('plugin:fs|read_file'));
    assert.ok(result.allowed);
    assert.equal(result.scope.matches(isPath('$RESOURCE/keys/app.key')), false);
    assert.equal(result.scope.matches(isPath('$RESOURCE/img/logo.png')), true);
  });

  test('a handler cannot widen its scope for later calls', () => {
    const first = authorize(resolved, ask('plugin:fs|move'));
    assert.ok(first.allowed);
    assert.throws(() => (first.scope.allow as unknown[]).push({ path: '**' }), TypeError);
    assert.throws(() => {
      (first.scope.allow[0] as { path: string }).path = '**';
    }, TypeError);
    const second = authorize(resolved, ask('plugin:fs|move'));
    assert.ok(second.allowed);
    assert.deepEqual(second.scope.allow, [{ path: '$TEMP/*' }]);
  });
});
