// Every `plugin:<core plugin>|<cmd>` the installed @tauri-apps/api (2.12.5) sends has its `core:<p>:allow-<cmd>` /
// `deny-<cmd>` permissions, and the defaults its .d.ts remarks document hold; so a capability written from the
// 2.12.5 docs (e.g. `core:app:allow-exit`) never stops start-up as an unknown permission.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { authorize, loadAcl } from '../../src/acl/index.js';

const apiDir = path.dirname(createRequire(import.meta.url).resolve('@tauri-apps/api/core'));
const js = readdirSync(apiDir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.js'))
  .map((f) => readFileSync(path.join(apiDir, f), 'utf8'))
  .join('\n');
const CORE = new Set(['path', 'event', 'window', 'webview', 'app', 'image', 'resources', 'menu', 'tray']);
const sent = [...new Set([...js.matchAll(/plugin:([a-z]+)\|([a-zA-Z_]+)/g)].map((m) => `${m[1]}|${m[2]}`))]
  .map((s) => s.split('|') as [string, string])
  .filter(([p]) => CORE.has(p));

const slug = (cmd: string): string => cmd.replaceAll('_', '-');

test(`every core command the official API sends (${sent.length}) has allow-/deny- permissions`, () => {
  assert.ok(sent.length >= 150, `read the API's commands (${sent.length})`);
  const missing: string[] = [];
  for (const [plugin, cmd] of sent) {
    for (const kind of ['allow', 'deny']) {
      const identifier = `core:${plugin}:${kind}-${slug(cmd)}`;
      try {
        loadAcl({
          configDir: undefined,
          appCommands: [],
          capabilities: [{ identifier: 'c', windows: ['main'], permissions: [identifier] }],
        });
      } catch {
        missing.push(identifier);
      }
    }
  }
  assert.deepEqual(missing, []);
});

test('core:default holds the defaults 2.12.5 documents (exit, default_window_icon and setters out; listeners, activity_name in)', () => {
  const acl = loadAcl({ configDir: undefined, appCommands: [] }).resolved;
  const granted = (command: string): boolean =>
    authorize(acl, { command, webview: 'main', window: 'main', origin: 'http://127.0.0.1', local: true, args: { event: 'e' } }).allowed;
  for (const c of [
    'app|register_listener',
    'app|remove_listener',
    'window|activity_name',
    'window|scene_identifier',
    'tray|set_icon_with_as_template',
    'resources|close',
  ]) {
    assert.equal(granted(`plugin:${c}`), true, c);
  }
  for (const c of [
    'app|exit',
    'app|default_window_icon',
    'app|set_dock_visibility',
    'window|set_focusable',
    'window|set_title',
    'webview|set_webview_auto_resize',
  ]) {
    assert.equal(granted(`plugin:${c}`), false, c);
  }
});
