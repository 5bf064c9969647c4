/**
 * The scenarios of Tauri's own ACL fixtures (crates/tests/acl: basic-ping, file-explorer, file-explorer-remote,
 * multiwindow, multiwebview, scope, scope-extended, platform-specific-permissions), ported as a table. Tauri checks
 * them with snapshots of `Resolved`; here each scenario is checked through what matters to an app: which calls pass,
 * with which command scope, what global scope the plugin sees, and the exact denial text.
 *
 * Scopes follow current Tauri (`with_resolved_permissions`): each expanded permission gets the capability entry's
 * values plus its own, and a scope-only permission inside a set (`fs:read-download-dir` → `allow-download-dir`) goes
 * to the global scope. Older snapshots merged a set's scopes into its commands instead.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AuthorizeRequest, authorize, loadAcl } from '../../../src/acl/index.js';
import { ask, fakePlugins, fixture, remote } from './helpers.js';

type Expect = { allow: unknown[]; deny: unknown[] } | { message: string };

interface Case {
  readonly title: string;
  readonly request: AuthorizeRequest;
  readonly expect: Expect;
}

interface Scenario {
  readonly name: string;
  readonly plugins: string[];
  readonly platform?: NodeJS.Platform;
  readonly cases: Case[];
  /** Expected global scope of the plugin. */
  readonly global?: { plugin: string; allow: unknown[]; deny: unknown[] };
}

const NONE = { allow: [], deny: [] };
const path = (p: string) => ({ path: p });
const by = (window: string, webview = window) => `requested by: window "${window}", webview "${webview}", URL: local`;
const REMOTE_HINT = 'hint: a remote page needs a capability whose `remote.urls` matches its URL';

const OS_SPAWN_PERMISSIONS = 'os:allow-apt-linux, os:allow-edge-windows, os:allow-safari-macos, os:allow-servo-linux, os:open-browser';

const SCENARIOS: Scenario[] = [
  {
    name: 'basic-ping',
    plugins: ['ping'],
    cases: [
      { title: 'the main window may ping', request: ask('plugin:ping|ping'), expect: NONE },
      {
        title: 'another window may not',
        request: ask('plugin:ping|ping', { window: 'other', webview: 'other' }),
        expect: {
          message:
            'ping.ping not allowed on window "other", webview "other", URL: local\n\n' +
            'allowed on: [windows: "main", URL: local]\n\nreferenced by: capability: run-app, permission: ping:allow-ping',
        },
      },
      {
        title: 'a remote page in the main window may not',
        request: remote('plugin:ping|ping', 'https://tauri.app'),
        expect: {
          message:
            'ping.ping not allowed on window "main", webview "main", URL: https://tauri.app/\n\n' +
            'allowed on: [windows: "main", URL: local]\n\nreferenced by: capability: run-app, permission: ping:allow-ping\n\n' +
            REMOTE_HINT,
        },
      },
      {
        title: 'an unknown command of the plugin is not found',
        request: ask('plugin:ping|pong'),
        expect: { message: `ping.pong not allowed. Command not found\n\n${by('main')}` },
      },
      {
        title: 'a command of an unregistered plugin is refused',
        request: ask('plugin:fs|read_dir'),
        expect: { message: `fs.read_dir not allowed. Plugin not found\n\n${by('main')}` },
      },
    ],
  },
  {
    name: 'file-explorer',
    plugins: ['fs'],
    cases: [
      { title: 'the read set grants read_dir', request: ask('plugin:fs|read_dir'), expect: NONE },
      { title: 'the read set grants read_file', request: ask('plugin:fs|read_file'), expect: NONE },
      {
        title: 'move is not granted and the message names the permission that would grant it',
        request: ask('plugin:fs|move'),
        expect: { message: `fs.move not allowed. Permissions associated with this command: fs:allow-move-temp\n\n${by('main')}` },
      },
    ],
    global: { plugin: 'plugin:fs|read_dir', allow: [path('$APP')], deny: [] },
  },
  {
    name: 'file-explorer-remote',
    plugins: ['fs'],
    cases: [
      {
        title: 'a local page may not read because the capability is remote-only',
        request: ask('plugin:fs|read_dir'),
        expect: {
          message:
            'fs.read_dir not allowed on window "main", webview "main", URL: local\n\n' +
            'allowed on: [windows: "main", URL: https://tauri.app]\n\nreferenced by: capability: run-app, permission: fs:allow-read-dir',
        },
      },
      {
        title: 'a page of https://tauri.app may read',
        request: remote('plugin:fs|read_file', 'https://tauri.app/docs/?q=1#top'),
        expect: NONE,
      },
      {
        title: 'a look-alike host may not',
        request: remote('plugin:fs|read_file', 'https://tauri.app.evil.com/'),
        expect: {
          message:
            'fs.read_file not allowed on window "main", webview "main", URL: https://tauri.app.evil.com/\n\n' +
            'allowed on: [windows: "main", URL: https://tauri.app]\n\nreferenced by: capability: run-app, permission: fs:allow-read-file',
        },
      },
    ],
  },
  {
    name: 'multiwindow',
    plugins: ['fs'],
    cases: [
      {
        title: 'the main window reads with the extended and the resource scopes',
        request: ask('plugin:fs|read_dir'),
        expect: { allow: [path('$CONFIG/*'), path('$RESOURCE/**'), path('$RESOURCE')], deny: [] },
      },
      {
        title: 'the external window reads without scope',
        request: ask('plugin:fs|read_dir', { window: 'external', webview: 'external' }),
        expect: NONE,
      },
      {
        title: 'the external window may not move',
        request: ask('plugin:fs|move', { window: 'external', webview: 'external' }),
        expect: {
          message:
            'fs.move not allowed on window "external", webview "external", URL: local\n\n' +
            'allowed on: [windows: "main", URL: local]\n\nreferenced by: capability: run-app, permission: fs:allow-move-temp',
        },
      },
    ],
    global: {
      plugin: 'plugin:fs|move',
      allow: [path('$APP'), path('$DOWNLOAD'), path('$DOWNLOAD/**')],
      deny: [path('$HOME'), path('$HOME')],
    },
  },
  {
    name: 'multiwebview',
    plugins: ['ping'],
    cases: [
      { title: 'the main window may ping', request: ask('plugin:ping|ping', { webview: 'anything' }), expect: NONE },
      {
        title: 'webview child1 may ping from any window',
        request: ask('plugin:ping|ping', { window: 'other', webview: 'child1' }),
        expect: NONE,
      },
      {
        title: 'webview child3 outside the main window may not',
        request: ask('plugin:ping|ping', { window: 'other', webview: 'child3' }),
        expect: {
          message:
            'ping.ping not allowed on window "other", webview "child3", URL: local\n\n' +
            'allowed on: [windows: "main", webviews: "child1", "child2", URL: local]\n\nreferenced by: capability: run-app, permission: ping:allow-ping',
        },
      },
    ],
  },
  {
    name: 'scope',
    plugins: ['fs'],
    cases: [
      {
        title: 'read_file carries the resources scope',
        request: ask('plugin:fs|read_file'),
        expect: { allow: [path('$RESOURCE/**'), path('$RESOURCE')], deny: [] },
      },
      {
        title: 'read_dir carries the resources scope',
        request: ask('plugin:fs|read_dir'),
        expect: { allow: [path('$RESOURCE/**'), path('$RESOURCE')], deny: [] },
      },
      { title: 'move carries the temp scope', request: ask('plugin:fs|move'), expect: { allow: [path('$TEMP/*')], deny: [] } },
    ],
    global: { plugin: 'plugin:fs|read_file', allow: [path('$APP'), path('$DOWNLOAD'), path('$DOWNLOAD/**')], deny: [path('$HOME')] },
  },
  {
    name: 'scope-extended',
    plugins: ['fs'],
    cases: [
      {
        title: 'read_dir carries the extended allow and the extended resource deny',
        request: ask('plugin:fs|read_dir'),
        expect: { allow: [path('$HOME/.config/**'), path('$RESOURCE/**'), path('$RESOURCE')], deny: [path('$RESOURCE/**/*.key')] },
      },
      { title: 'move keeps its own scope', request: ask('plugin:fs|move'), expect: { allow: [path('$TEMP/*')], deny: [] } },
    ],
    global: {
      plugin: 'plugin:fs|move',
      allow: [path('$APP/**'), path('$APP'), path('$DOWNLOAD'), path('$DOWNLOAD/**')],
      deny: [path('$HOME'), path('$APP/*.db')],
    },
  },
  {
    name: 'platform-specific-permissions',
    plugins: ['os'],
    platform: 'linux',
    cases: [
      {
        title: 'on Linux spawn may run apt and servo',
        request: ask('plugin:os|spawn'),
        expect: { allow: [{ command: 'apt' }, { command: 'servo' }], deny: [] },
      },
    ],
    global: { plugin: 'plugin:os|spawn', allow: [], deny: [] },
  },
  {
    name: 'platform-specific-permissions',
    plugins: ['os'],
    platform: 'darwin',
    cases: [
      { title: 'on macOS spawn may run safari', request: ask('plugin:os|spawn'), expect: { allow: [{ command: 'safari' }], deny: [] } },
    ],
    global: { plugin: 'plugin:os|spawn', allow: [path('$HOME/Library/**')], deny: [] },
  },
  {
    name: 'platform-specific-permissions',
    plugins: ['os'],
    platform: 'win32',
    cases: [
      { title: 'on Windows spawn may run edge', request: ask('plugin:os|spawn'), expect: { allow: [{ command: 'edge' }], deny: [] } },
    ],
    global: { plugin: 'plugin:os|spawn', allow: [], deny: [path('$APPLOCALDATA/EBWebView/**')] },
  },
  {
    name: 'platform-specific-permissions',
    plugins: ['os'],
    platform: 'android',
    cases: [
      {
        title: 'on Android no permission applies, and the message still lists them all',
        request: ask('plugin:os|spawn'),
        expect: { message: `os.spawn not allowed. Permissions associated with this command: ${OS_SPAWN_PERMISSIONS}\n\n${by('main')}` },
      },
    ],
  },
];

for (const scenario of SCENARIOS) {
  const label = scenario.platform === undefined ? scenario.name : `${scenario.name} on ${scenario.platform}`;
  describe(`Tauri ACL fixture ${label}`, () => {
    const { resolved, warnings } = loadAcl({
      configDir: fixture('tauri', scenario.name),
      appCommands: [],
      plugins: fakePlugins(...scenario.plugins),
      platform: scenario.platform ?? 'linux',
    });

    test('loads without warnings', () => {
      assert.deepEqual(warnings, []);
    });

    for (const c of scenario.cases) {
      test(c.title, () => {
        const result = authorize(resolved, c.request);
        if ('message' in c.expect) {
          assert.equal(result.allowed, false);
          assert.equal(result.allowed === false && result.message, c.expect.message);
        } else {
          assert.ok(result.allowed, result.allowed ? '' : result.message);
          assert.deepEqual({ allow: [...result.scope.allow], deny: [...result.scope.deny] }, c.expect);
        }
      });
    }

    const global = scenario.global;
    if (global !== undefined) {
      test('the plugin sees the expected global scope', () => {
        const result = authorize(resolved, ask(global.plugin));
        assert.ok(result.allowed);
        assert.deepEqual(
          { allow: [...result.globalScope.allow], deny: [...result.globalScope.deny] },
          { allow: global.allow, deny: global.deny },
        );
      });
    }
  });
}
