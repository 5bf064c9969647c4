// Plugins through the in-memory page: PluginBuilder's contract, start-up errors, permission folders read at build(),
// scopes exactly as granted, state and config from setup, Channel arguments, resources and plugin listeners.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { type App, Builder, type PluginApi, PluginBuilder, type PluginCommandNames } from 'airlock';
import { connectInMemory } from 'airlock/testing';
import { made, Note, notes, notesEmit, seen, tally } from '../fixtures/plugin-app/plugins.ts';
import { poll } from '../helpers/wait.js';

const config = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'plugin-app', 'tauri.conf.json');

function build(logs: string[] = [], configure: (b: Builder) => Builder = (b) => b): Promise<App> {
  return configure(
    Builder.default()
      .logger((level, m) => logs.push(`${level}: ${m}`))
      .scopedDenies()
      .plugin(tally)
      .plugin(notes)
      .invokeHandler({ ping: () => 'pong' }),
  ).build({ config, frontendDist: '/nonexistent' });
}

const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (v) => ({ resolved: v }),
    (e: unknown) => e,
  );

/** A config directory with one capability file. */
function project(capability: object): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'airlock-plugins-'));
  mkdirSync(path.join(dir, 'capabilities'));
  writeFileSync(path.join(dir, 'capabilities', 'default.json'), JSON.stringify(capability));
  writeFileSync(path.join(dir, 'tauri.conf.json'), '{}');
  return path.join(dir, 'tauri.conf.json');
}

describe('PluginBuilder', () => {
  test('names, commands and permission folders are checked when the plugin is built', () => {
    assert.throws(() => new PluginBuilder('Bad Name'), /a plugin name is lowercase ASCII letters/);
    assert.throws(() => new PluginBuilder('tauri-plugin-fs'), /name the plugin without `tauri-plugin-` \(`fs`\)/);
    assert.throws(() => new PluginBuilder('x').invokeHandler({ 'a|b': () => 1 }), /`a\|b` is not a command name/);
    assert.throws(() => new PluginBuilder('x').permissions('./relative'), /give an absolute path or a file: URL/);
    assert.throws(() => new PluginBuilder('x').jsInitScript('function ('), /plugin `x`: jsInitScript: /);
    const b = new PluginBuilder('x');
    b.build();
    assert.throws(() => b.build(), /build\(\) after build\(\)/);
    const p = new PluginBuilder('x').permissions(new URL('file:///opt/x/permissions')).build();
    assert.equal(p.permissionsDir, '/opt/x/permissions');
  });

  test('two plugins with one name, or a plugin named like a core plugin, stop start-up', () => {
    const a = new PluginBuilder('dup').build();
    assert.throws(() => Builder.default().plugin(a).plugin(new PluginBuilder('dup').build()), /two plugins are named `dup`/);
    for (const name of ['event', 'window', 'path', 'resources', 'core']) {
      assert.throws(
        () => Builder.default().plugin(new PluginBuilder(name).build()),
        new RegExp(`plugin \`${name}\` is named like a core plugin`),
      );
    }
  });

  test('a capability naming an unknown permission of a registered plugin stops start-up, naming file and entry', async () => {
    const conf = project({ identifier: 'default', windows: ['main'], permissions: ['notes:allow-nothing'] });
    await assert.rejects(
      Builder.default()
        .logger(() => {})
        .plugin(notes)
        .build({ config: conf, frontendDist: '/nonexistent' }),
      /capabilities\/default\.json: capability `default`: unknown permission `notes:allow-nothing`/,
    );
  });

  test("a plugin's own permission file naming an unknown permission stops start-up, naming the file", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'airlock-broken-'));
    writeFileSync(path.join(dir, 'default.toml'), '[default]\npermissions = ["allow-run", "allow-missing"]\n');
    const broken = new PluginBuilder('broken')
      .invokeHandler({ run: () => 1 })
      .permissions(dir)
      .build();
    await assert.rejects(
      Builder.default()
        .logger(() => {})
        .plugin(broken)
        .build({ frontendDist: '/nonexistent' }),
      /plugin broken\/default\.toml: default: unknown permission `allow-missing`/,
    );
  });

  test('core:app:allow-exit and the other permissions 2.12.5 documents exist; an unregistered plugin only warns', async () => {
    const logs: string[] = [];
    const conf = project({
      identifier: 'default',
      windows: ['main'],
      permissions: [
        'core:default',
        'core:app:allow-exit',
        'core:window:allow-activity-name',
        'core:app:allow-register-listener',
        'opener:default',
      ],
    });
    await using app = await Builder.default()
      .logger((l, m) => logs.push(`${l}: ${m}`))
      .build({ config: conf, frontendDist: '/nonexistent' });
    assert.ok(logs.some((l) => l.includes('`opener:default` belongs to plugin `opener`, which is not registered')));
    assert.match(app.explain({ command: 'plugin:app|exit', window: 'main' }), /allowed/);
  });
});

describe('a plugin in the app', () => {
  test('its commands see exactly the scopes the capabilities granted (command scope, global scope)', async () => {
    await using app = await build();
    const page = await connectInMemory(app, 'main');
    seen.length = 0;
    assert.equal(await page.invoke('plugin:notes|read', { path: 'notes/a' }), true);
    assert.equal(await page.invoke('plugin:notes|read', { path: 'notes/private/x' }), false);
    assert.equal(await page.invoke('plugin:notes|read', { path: 'extra/secret' }), false);
    const s = seen[0];
    assert.deepEqual(s?.scope, {
      allow: [{ path: 'notes/' }, { path: 'extra/' }],
      deny: [{ path: 'notes/private' }, { path: 'extra/secret' }],
    });
    // The global scope is the plugin's, from every capability that grants it (main and limited), as in Tauri.
    assert.deepEqual(s?.globalScope, { allow: [{ path: 'home/' }, { path: 'home/' }], deny: [] });
  });

  test("a window with no grant is refused with Tauri's text and nothing runs; deny-<cmd> refuses that command", async () => {
    await using app = await build();
    const guest = await connectInMemory(app, 'guest');
    const before = seen.length;
    const refused = await rejection(guest.invoke('plugin:notes|read', { path: 'notes/a' }));
    assert.match(String(refused), /^notes\.read not allowed on window "guest", webview "guest", URL: local/);
    assert.equal(seen.length, before, 'the handler did not run');
    const limited = await connectInMemory(app, 'limited');
    const ch = limited.channel();
    assert.match(
      String(await rejection(limited.invoke('plugin:notes|write', { text: 'x', onProgress: ch.id }))),
      /^notes\.write explicitly denied/,
    );
    assert.equal(await limited.invoke('plugin:notes|read', { path: 'notes/a' }), true);
    // The app's own command stays unchecked: permissions/tally/ belongs to the plugin, not to the app.
    assert.equal(await guest.invoke('ping'), 'pong');
  });

  test("an inlined plugin gets its permissions from the app's permissions/<name>/ folder", async () => {
    await using app = await build();
    const main = await connectInMemory(app, 'main');
    assert.equal(await main.invoke('plugin:tally|bump', { by: 1 }), 2);
    assert.match(
      String(await rejection((await connectInMemory(app, 'guest')).invoke('plugin:tally|bump', { by: 1 }))),
      /tally\.bump not allowed/,
    );
  });

  test('setup: api.config is plugins.<name> of tauri.conf.json, app.manage makes ctx.state', async () => {
    await using app = await build();
    assert.equal(await (await connectInMemory(app, 'main')).invoke('plugin:notes|greeting'), 'hello from tauri.conf.json');
  });

  test('a schema-validated command with a Channel argument: INVALID_ARGS as for app commands, then the stream', async () => {
    await using app = await build();
    const page = await connectInMemory(app, 'main');
    const bad = (await rejection(page.invoke('plugin:notes|write', { text: '', onProgress: page.channel().id }))) as Record<
      string,
      unknown
    >;
    assert.equal(bad['code'], 'INVALID_ARGS');
    assert.match(String(bad['message']), /^invalid args `text` for command `plugin:notes\|write`/);
    const ch = page.channel();
    const rid = await page.invoke('plugin:notes|write', { text: 'hello', onProgress: ch.id });
    assert.equal(await ch.ended, 3);
    assert.deepEqual(ch.messages, [1, 2, 3]);
    assert.equal(typeof rid, 'number');
  });

  test("resources: plugin:resources|close closes the webview's, then the app's; otherwise Tauri's text", async () => {
    await using app = await build();
    const page = await connectInMemory(app, 'main');
    const rid = (await page.invoke('plugin:notes|write', { text: 'a', onProgress: page.channel().id })) as number;
    const note = made.at(-1) as Note;
    assert.equal(await page.invoke('plugin:resources|close', { rid }), null);
    assert.equal(note.closed, 1, "the value's close() ran");
    assert.equal(await rejection(page.invoke('plugin:resources|close', { rid })), `The resource id ${rid} is invalid.`);
    const kept = (await page.invoke('plugin:notes|keep', { text: 'k' })) as number;
    assert.ok(app.resources.has(kept));
    const other = await connectInMemory(app, 'limited');
    assert.equal(await other.invoke('plugin:resources|close', { rid: kept }), null, 'app resources are shared');
    assert.equal(app.resources.has(kept), false);
  });

  test('a page that goes away frees its webview resources; app resources stay', async () => {
    await using app = await build();
    const page = await connectInMemory(app, 'main');
    await page.invoke('plugin:notes|write', { text: 'a', onProgress: page.channel().id });
    const note = made.at(-1) as Note;
    const kept = (await page.invoke('plugin:notes|keep', { text: 'k' })) as number;
    page.close();
    assert.equal(note.closed, 1);
    assert.ok(app.resources.has(kept));
  });

  test('plugin listeners: register_listener (and registerListener) get api.emit; remove_listener stops them', async () => {
    await using app = await build();
    const page = await connectInMemory(app, 'main');
    const a = page.channel();
    const b = page.channel();
    assert.equal(await page.invoke('plugin:notes|register_listener', { event: 'saved', handler: a.id }), null);
    assert.equal(await page.invoke('plugin:notes|registerListener', { event: 'saved', handler: b.id }), null);
    notesEmit.emit?.('saved', { n: 1 });
    notesEmit.emit?.('other', { n: 0 });
    const id = Number(a.id.split(':')[1]);
    assert.equal(await page.invoke('plugin:notes|remove_listener', { event: 'saved', channelId: id }), null);
    assert.equal(await a.ended, 1);
    notesEmit.emit?.('saved', { n: 2 });
    await page.invoke('ping');
    assert.deepEqual(a.messages, [{ n: 1 }]);
    assert.deepEqual(b.messages, [{ n: 1 }, { n: 2 }]);
    const guest = await connectInMemory(app, 'guest');
    // The desktop answer to the mobile permission API, gated like any command (notes:default does not grant it).
    assert.match(String(await rejection(page.invoke('plugin:notes|check_permissions'))), /notes\.check_permissions not allowed/);
    assert.match(
      String(await rejection(guest.invoke('plugin:notes|register_listener', { event: 'saved', handler: guest.channel().id }))),
      /notes\.register_listener not allowed/,
    );
  });
});

describe('scopes and hooks', () => {
  const pickerScope = z.object({ path: z.string() }).transform((e) => ({ path: e.path, depth: e.path.split('/').length }));
  const captured: { api?: PluginApi<unknown, unknown> } = {};
  const picker = new PluginBuilder('picker')
    .scopeSchema(pickerScope)
    .invokeHandler({
      can: (args: { path: string }, ctx) => ({
        scope: ctx.scope.allow,
        global: ctx.globalScope.allow,
        ok: ctx.globalScope.matches((e) => (e as { path: string }).path === args.path),
      }),
    })
    .setup((_app, api) => {
      captured.api = api;
    })
    .build();

  function pickerProject(entry: unknown): string {
    const conf = project({
      identifier: 'c',
      windows: ['main'],
      permissions: [{ identifier: 'picker:allow-can', allow: [entry] }, 'picker:home'],
    });
    const dir = path.join(path.dirname(conf), 'permissions', 'picker');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'home.toml'), '[[permission]]\nidentifier = "home"\n[[permission.scope.allow]]\npath = "home/me"\n');
    return conf;
  }

  test('a scope schema parses every scope entry at start-up; handlers get its output', async () => {
    await using app = await Builder.default()
      .logger(() => {})
      .plugin(picker)
      .build({ config: pickerProject({ path: 'a/b' }), frontendDist: '/nonexistent' });
    const r = (await (await connectInMemory(app, 'main')).invoke('plugin:picker|can', { path: 'home/me' })) as Record<string, unknown>;
    assert.deepEqual(r['scope'], [{ path: 'a/b', depth: 2 }]);
    assert.deepEqual(r['global'], [{ path: 'home/me', depth: 2 }]);
    assert.equal(r['ok'], true);
  });

  test('a scope entry the schema refuses stops start-up, naming the capability and the permission', async () => {
    await assert.rejects(
      Builder.default()
        .logger(() => {})
        .plugin(picker)
        .build({ config: pickerProject({ path: 5 }), frontendDist: '/nonexistent' }),
      /capability `c`: `picker:allow-can` \(permission `picker:allow-can`\): allow scope entry \{"path":5\} is invalid: /,
    );
  });

  test('run-time scopes: entries a plugin allows or forbids join ctx.globalScope at once', async () => {
    await using app = await Builder.default()
      .logger(() => {})
      .plugin(picker)
      .build({ config: pickerProject({ path: 'a/b' }), frontendDist: '/nonexistent' });
    const page = await connectInMemory(app, 'main');
    const api = captured.api as PluginApi<unknown, unknown>;
    assert.equal(app.scopeOf('picker'), api.scope, 'app.scopeOf(name) is the plugin’s own scope');
    let changes = 0;
    api.scope.onChange(() => changes++);
    assert.equal(((await page.invoke('plugin:picker|can', { path: 'picked/file' })) as { ok: boolean }).ok, false);
    api.scope.allowEntry({ path: 'picked/file' });
    const after = (await page.invoke('plugin:picker|can', { path: 'picked/file' })) as { ok: boolean; global: unknown[] };
    assert.equal(after.ok, true);
    assert.deepEqual(after.global, [{ path: 'home/me', depth: 2 }, { path: 'picked/file' }]);
    api.scope.denyEntry({ path: 'home/me' });
    assert.equal(((await page.invoke('plugin:picker|can', { path: 'home/me' })) as { ok: boolean }).ok, false);
    assert.equal(changes, 2);
    assert.throws(() => app.scopeOf('nope'), /no plugin of that name is registered/);
  });

  test('lifecycle hooks: ready webview/window once, page load per page, navigation refusal, Ready/Exit/drop', async () => {
    const log: string[] = [];
    const hooks = new PluginBuilder('hooks')
      .setup(() => {
        log.push('setup');
      })
      .onWebviewReady((w) => log.push(`webview ${w.label} in ${w.window}`))
      .onWindowReady((w) => log.push(`window ${w.label}`))
      .onPageLoad((w, p) => log.push(`load ${w.label} ${p.event}`))
      .onNavigation((w) => w.label !== 'blocked')
      .onEvent((_app, e) => log.push(`event ${e.type}`))
      .onDrop(() => log.push('drop'))
      .build();
    const thrower = new PluginBuilder('thrower')
      .onPageLoad(() => {
        throw new Error('hook fails');
      })
      .build();
    const logs: string[] = [];
    const app = await Builder.default()
      .logger((l, m) => logs.push(`${l}: ${m}`))
      .plugin(thrower)
      .plugin(hooks)
      .setup(() => {
        log.push('app setup');
      })
      .build({ frontendDist: '/nonexistent' });
    assert.deepEqual(log, ['setup', 'app setup', 'event Ready']);
    const first = await connectInMemory(app, 'main');
    first.close();
    await connectInMemory(app, 'main');
    await assert.rejects(connectInMemory(app, 'blocked'), /plugin `hooks` refused the navigation of webview `blocked`/);
    assert.deepEqual(app.webviews(), ['main']);
    await app.close();
    assert.deepEqual(log.slice(3), [
      'window main',
      'webview main in main',
      'load main finished',
      'load main finished',
      'event ExitRequested',
      'event Exit',
      'drop',
    ]);
    assert.ok(logs.some((l) => l.startsWith('error: plugin `thrower`: onPageLoad threw')));
  });
});

describe("the app's public face", () => {
  test("ctx.app and a setup hook's app reach the public API only: no dispatch, sessions, attach or connections", async () => {
    const faces: Record<string, unknown>[] = [];
    const probe = new PluginBuilder('probe')
      .invokeHandler({ face: (_a: unknown, ctx) => void faces.push(ctx.app as unknown as Record<string, unknown>) })
      .setup((app) => {
        faces.push(app as unknown as Record<string, unknown>);
      })
      .build();
    await using app = await Builder.default()
      .logger(() => {})
      .plugin(probe)
      .invokeHandler({ face: (_a: unknown, ctx) => void faces.push(ctx.app as unknown as Record<string, unknown>) })
      .build({
        frontendDist: '/nonexistent',
        config: { app: { security: { capabilities: [{ identifier: 'c', windows: ['main'], permissions: ['probe:allow-face'] }] } } },
      });
    const page = await connectInMemory(app, 'main');
    await page.invoke('plugin:probe|face');
    await page.invoke('face');
    assert.equal(faces.length, 3);
    for (const face of faces) {
      for (const internal of [
        'dispatch',
        'sessions',
        'attach',
        'connection',
        'tracer',
        'isolated',
        'emitFrom',
        'requestClose',
        'disconnected',
        'serve',
        'close',
      ]) {
        assert.equal(face[internal], undefined, `${internal} is not reachable`);
      }
      assert.ok(Object.isFrozen(face));
      assert.equal(typeof face['emit'], 'function');
      assert.equal(face['config'], app.config);
    }
  });
});

describe('permission state and core plugin listeners', () => {
  test("check_permissions / request_permissions answer Tauri's { <name>: state } once granted", async () => {
    await using app = await Builder.default()
      .logger(() => {})
      .plugin(notes)
      .build({
        frontendDist: '/nonexistent',
        config: {
          app: {
            security: {
              capabilities: [
                {
                  identifier: 'c',
                  windows: ['main'],
                  permissions: ['core:default', 'notes:allow-check-permissions', 'notes:allow-request-permissions'],
                },
              ],
            },
          },
        },
      });
    const page = await connectInMemory(app, 'main');
    assert.deepEqual(await page.invoke('plugin:notes|check_permissions'), { notes: 'granted' });
    assert.deepEqual(await page.invoke('plugin:notes|request_permissions'), { notes: 'granted' });
    // core:app:default grants register_listener / remove_listener (the API's back-button listener), as in 2.12.5.
    const ch = page.channel();
    assert.equal(await page.invoke('plugin:app|register_listener', { event: 'back-button', handler: ch.id }), null);
    assert.equal(app.pluginListenerCount, 1);
    assert.equal(await page.invoke('plugin:app|remove_listener', { event: 'back-button', channelId: Number(ch.id.split(':')[1]) }), null);
    assert.equal(app.pluginListenerCount, 0);
  });
});

describe('the built plugin is typed by its name and commands', () => {
  test('PluginCommandNames names each `plugin:<name>|<cmd>` (checked by tsc over the tests)', () => {
    type Names = PluginCommandNames<typeof notes>;
    const names: Names[] = ['plugin:notes|read', 'plugin:notes|write', 'plugin:notes|keep', 'plugin:notes|greeting'];
    // @ts-expect-error: not a command of notes
    const wrong: Names = 'plugin:notes|delete';
    // @ts-expect-error: another plugin's name
    const other: Names = 'plugin:tally|read';
    const name: 'notes' = notes.name;
    assert.deepEqual(Object.keys(notes.commands).sort(), names.map((n) => n.split('|')[1]).sort());
    assert.equal(name, 'notes');
    assert.ok(wrong && other);
  });
});

describe('core plugin commands new in this pipeline', () => {
  test('plugin:app|exit, once granted (core:app:allow-exit), answers and then closes the app', async () => {
    const app = await Builder.default()
      .logger(() => {})
      .build({
        frontendDist: '/nonexistent',
        config: {
          app: {
            security: { capabilities: [{ identifier: 'c', windows: ['main'], permissions: ['core:default', 'core:app:allow-exit'] }] },
          },
        },
      });
    const page = await connectInMemory(app, 'main');
    let ended = 0;
    page.connection.done.then(() => ended++);
    assert.equal(await page.invoke('plugin:app|exit', { code: 0 }), null);
    await page.connection.done;
    assert.equal(ended, 1);
    await poll(() => app.closed, { ms: 2000, every: 5 });
    assert.equal(app.closed, true);
  });

  test('plugin:webview|get_all_webviews lists the connected webviews with their windows', async () => {
    await using app = await Builder.default()
      .logger(() => {})
      .build({ frontendDist: '/nonexistent' });
    const main = await connectInMemory(app, 'main');
    await connectInMemory(app, 'side');
    assert.deepEqual(await main.invoke('plugin:webview|get_all_webviews'), [
      { label: 'main', windowLabel: 'main' },
      { label: 'side', windowLabel: 'side' },
    ]);
  });
});

describe('bounds', () => {
  test('a handler that adds a resource after its page went away leaks nothing: the value is closed, the call fails', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const late: Note[] = [];
    const slow = new PluginBuilder('slow')
      .invokeHandler({
        open: async (_a: unknown, ctx) => {
          await gate;
          const note = new Note('late');
          late.push(note);
          try {
            return ctx.resources.add(note);
          } catch (error) {
            late.push(error as Note);
            throw error;
          }
        },
      })
      .build();
    await using app = await Builder.default()
      .logger(() => {})
      .plugin(slow)
      .build({
        frontendDist: '/nonexistent',
        config: { app: { security: { capabilities: [{ identifier: 'c', windows: ['main'], permissions: ['slow:allow-open'] }] } } },
      });
    const page = await connectInMemory(app, 'main');
    // The page's promise never settles (it is gone); the handler runs on.
    void page.invoke('plugin:slow|open').catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    page.close();
    release();
    await poll(() => late.length >= 2, { ms: 2000, every: 5 });
    assert.equal(late[0]?.closed, 1, 'closed at once');
    assert.match(String((late[1] as unknown as Error).message), /resource table of webview `main` is closed/);
  });

  test('plugin listeners count against limits.maxListeners per page', async () => {
    await using app = await build([], (b) => b.limits({ maxListeners: 2 }));
    const page = await connectInMemory(app, 'main');
    const ids = [page.channel(), page.channel()].map((c) => c.id);
    for (const id of ids) await page.invoke('plugin:notes|register_listener', { event: 'saved', handler: id });
    const over = (await rejection(page.invoke('plugin:notes|register_listener', { event: 'saved', handler: page.channel().id }))) as {
      code?: string;
    };
    assert.equal(over.code, 'LIMIT_EXCEEDED');
    await page.invoke('plugin:notes|remove_listener', { event: 'saved', channelId: Number(ids[0]?.split(':')[1]) });
    assert.equal(await page.invoke('plugin:notes|register_listener', { event: 'saved', handler: page.channel().id }), null);
    page.close();
    assert.equal(app.pluginListenerCount, 0, 'a page that goes drops its plugin listeners');
  });
});

test('a plugin named like an Object.prototype member reads no inherited config (api.config is undefined)', async () => {
  let seenConfig: unknown = 'unset';
  const p = new PluginBuilder('constructor').setup((_app, api) => {
    seenConfig = api.config;
  });
  await using _app = await Builder.default()
    .logger(() => {})
    .plugin(p.build())
    .build({ frontendDist: '/nonexistent' });
  assert.equal(seenConfig, undefined);
});
