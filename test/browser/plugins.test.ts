// A plugin driven in real Chromium by the official @tauri-apps/api: `invoke('plugin:notes|…')`, a Channel argument,
// `Resource.close()`, `addPluginListener`, and its init script; from an allowed window, a window with no grant and
// a window with `deny-write`. The handler sees exactly the scopes the capabilities granted.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { PluginBuilder } from 'airlock';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { made, NotesState, notes, notesEmit, seen, tally } from '../fixtures/plugin-app/plugins.ts';
import { poll } from '../helpers/wait.js';

const config = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'plugin-app', 'tauri.conf.json');

let browser: Browser;
let t: TestApp;
let main: Page;
let guest: Page;
let limited: Page;
const loads: string[] = [];
const nav = new PluginBuilder('nav')
  .onPageLoad((w, p) => loads.push(`${w.label} ${p.url}`))
  .onNavigation((_w, url) => !url.searchParams.has('blocked'))
  .build();

before(async () => {
  browser = await launchBrowser();
  // tally's init script throws on purpose; it is registered first, so notes' must still run.
  t = await startApp((b) => b.scopedDenies().plugin(tally).plugin(notes).plugin(nav), { config });
  [main, guest, limited] = (await Promise.all(['main', 'guest', 'limited'].map((label) => openPage(browser, t.server.url(label))))) as [
    Page,
    Page,
    Page,
  ];
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

type Outcome = { ok: unknown } | { rejected: unknown };

const invoke = (page: Page, cmd: string, args: Record<string, unknown> = {}): Promise<Outcome> =>
  page.evaluate(
    ([c, a]) =>
      window.api.core.invoke(c as string, a as Record<string, unknown>).then(
        (ok: unknown) => ({ ok }),
        (rejected: unknown) => ({ rejected }),
      ),
    [cmd, args] as const,
  );

/** Writes a note from the page through a Channel; returns the progress the page saw and the rid. */
const write = (page: Page, text: string): Promise<{ progress: number[]; rid?: number; rejected?: unknown }> =>
  page.evaluate(async (text) => {
    const progress: number[] = [];
    const onProgress = new window.api.core.Channel<number>((n) => progress.push(n));
    try {
      const rid = await window.api.core.invoke<number>('plugin:notes|write', { text, onProgress });
      return { progress, rid };
    } catch (rejected) {
      return { progress, rejected };
    }
  }, text);

const runs = (): string[] => t.app.state(NotesState).runs;

describe('a plugin in Chromium', () => {
  test('its init script ran after __TAURI_INTERNALS__ and before the app script, despite an earlier one throwing', async () => {
    const init = await main.evaluate(() => (window as unknown as { __notesInit: unknown }).__notesInit);
    assert.deepEqual(init, { runs: 1, internals: 'object', appLoaded: 'undefined' });
  });

  test('an allowed window: the handler sees exactly the granted scopes', async () => {
    seen.length = 0;
    assert.deepEqual(await invoke(main, 'plugin:notes|read', { path: 'notes/today' }), { ok: true });
    assert.deepEqual(await invoke(main, 'plugin:notes|read', { path: 'notes/private/diary' }), { ok: false });
    assert.deepEqual(seen[0], {
      scope: { allow: [{ path: 'notes/' }, { path: 'extra/' }], deny: [{ path: 'notes/private' }, { path: 'extra/secret' }] },
      globalScope: { allow: [{ path: 'home/' }, { path: 'home/' }], deny: [] },
      webview: 'main',
    });
  });

  test("a Channel argument streams to the page; Resource.close() closes the rid, then rejects with Tauri's text", async () => {
    const { progress, rid } = await write(main, 'hello');
    assert.deepEqual(progress, [1, 2, 3]);
    assert.equal(typeof rid, 'number');
    const note = made.at(-1);
    const closed = await main.evaluate(async (rid) => {
      const resource = new window.api.core.Resource(rid);
      await resource.close();
      return new window.api.core.Resource(rid).close().then(
        () => 'closed twice',
        (e: unknown) => e,
      );
    }, rid as number);
    assert.equal(note?.closed, 1);
    assert.equal(closed, `The resource id ${rid} is invalid.`);
  });

  test("a window with no grant is refused with Tauri's text and nothing runs", async () => {
    const before = runs().length;
    const r = (await invoke(guest, 'plugin:notes|read', { path: 'notes/a' })) as { rejected: string };
    assert.equal(
      r.rejected.split('\n\nrequested by')[0],
      'notes.read not allowed on window "guest", webview "guest", URL: local\n\n' +
        'allowed on: [windows: "limited", URL: local], [windows: "main", URL: local], [windows: "main", URL: local]\n\n' +
        'referenced by: capability: limited, permission: notes:read-notes || capability: main, permission: notes:read-notes || capability: main, permission: notes:allow-read',
    );
    const w = await write(guest, 'nope');
    assert.match(String(w.rejected), /^notes\.write not allowed on window "guest"/);
    assert.deepEqual(w.progress, []);
    assert.equal(runs().length, before, 'no handler ran');
  });

  test('a window with deny-write may read but not write', async () => {
    const before = runs().length;
    const w = await write(limited, 'nope');
    assert.match(String(w.rejected), /^notes\.write explicitly denied on origin local/);
    assert.equal(runs().length, before);
    assert.deepEqual(await invoke(limited, 'plugin:notes|read', { path: 'notes/a' }), { ok: true });
  });

  test('addPluginListener receives api.emit; unregister() stops it; a window without the permission is refused', async () => {
    await main.evaluate(async () => {
      const w = window as unknown as { got: unknown[]; listener: { unregister(): Promise<void> } };
      w.got = [];
      w.listener = await window.api.core.addPluginListener('notes', 'saved', (p: unknown) => w.got.push(p));
    });
    assert.equal(t.app.pluginListenerCount, 1);
    notesEmit.emit?.('saved', { id: 1 });
    await main.waitForFunction(() => (window as unknown as { got: unknown[] }).got.length === 1);
    await main.evaluate(() => (window as unknown as { listener: { unregister(): Promise<void> } }).listener.unregister());
    assert.equal(t.app.pluginListenerCount, 0);
    notesEmit.emit?.('saved', { id: 2 });
    // A call after the emit: had the event been sent, it would have arrived before this answer.
    await invoke(main, 'plugin:notes|greeting');
    assert.deepEqual(await main.evaluate(() => (window as unknown as { got: unknown[] }).got), [{ id: 1 }]);
    const refused = await guest.evaluate(() =>
      window.api.core
        .addPluginListener('notes', 'saved', () => {})
        .then(
          () => 'registered',
          (e: unknown) => e,
        ),
    );
    assert.match(String(refused), /^notes\.register_listener not allowed on window "guest"/);
  });

  test('a reload frees the webview resources, runs the init script again, and keeps app resources', async () => {
    const { rid } = await write(main, 'before reload');
    const note = made.at(-1);
    const kept = (await invoke(main, 'plugin:notes|keep', { text: 'k' })) as { ok: number };
    await main.reload();
    await main.waitForFunction(() => typeof window.api === 'object');
    await main.waitForFunction(() => (window as unknown as { __notesInit?: { runs: number } }).__notesInit?.runs === 1);
    await poll(() => note?.closed === 1);
    assert.equal(note?.closed, 1, 'the old page’s resource was closed');
    assert.ok(t.app.resources.has(kept.ok));
    const again = await main.evaluate((rid) => new window.api.core.Resource(rid).close().catch((e: unknown) => e), rid as number);
    assert.equal(again, `The resource id ${rid} is invalid.`);
    assert.equal(await main.evaluate((rid) => new window.api.core.Resource(rid).close(), kept.ok), null);
  });
});

describe('navigation hooks in Chromium', () => {
  test("onPageLoad sees the page's URL; onNavigation refusing a page leaves it without IPC", async () => {
    const page = await openPage(browser, t.server.url('viewer', { path: '/index.html?from=test' }));
    await page.evaluate(() => window.api.core.invoke('plugin:notes|greeting').catch(() => null));
    assert.ok(loads.includes(`viewer ${t.server.origin}/index.html?from=test`), loads.join(', '));
    await page.close();
    const blocked = await openPage(browser, t.server.url('blocked', { path: '/?blocked=1' }));
    const r = await blocked.evaluate(() =>
      window.api.core.invoke('plugin:notes|greeting').then(
        () => 'answered',
        (e: unknown) => e,
      ),
    );
    assert.notEqual(r, 'answered');
    assert.ok(!t.app.webviews().includes('blocked'), 'the refused page was never bound to its label');
    assert.ok(!loads.some((l) => l.includes('blocked')), 'no page load for the refused page');
    await blocked.close();
  });
});

describe('a plugin under the isolation pattern', () => {
  test('its calls arrive sealed, pass the hook and the ACL, and stream over a Channel', async () => {
    const isolationDir = path.join(path.dirname(config), '..', 'isolation');
    await using iso = await startApp((b) => b.plugin(notes), {
      config: {
        plugins: { notes: { greeting: 'sealed hello' } },
        app: {
          security: {
            pattern: { use: 'isolation', options: { dir: isolationDir } },
            capabilities: [{ identifier: 'c', windows: ['main'], permissions: ['core:default', 'notes:default'] }],
          },
        },
      },
    });
    const sealed: boolean[] = [];
    iso.app.observeCalls((r) => {
      if (r.command.startsWith('plugin:notes|')) sealed.push(r.sealed);
    });
    const page = await openPage(browser, iso.server.url('main'));
    const r = await write(page, 'through the hook');
    assert.deepEqual(r.progress, [1, 2, 3]);
    assert.equal(typeof r.rid, 'number');
    assert.deepEqual(await invoke(page, 'plugin:notes|greeting'), { ok: 'sealed hello' });
    assert.deepEqual(sealed, [true, true]);
    await page.context().close();
  });
});
