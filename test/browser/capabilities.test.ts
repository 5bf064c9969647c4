// Capabilities in real Chromium with two windows: what each label may call, event permissions, scopes, and the
// exact rejection text reaching the page's invoke.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { command } from 'airlock';
import { connectInMemory } from 'airlock/testing';
import { quietBuilder, startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';

const config = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'acl-app', 'tauri.conf.json');

let browser: Browser;
let t: TestApp;
let main: Page;
let settings: Page;
const saved: unknown[] = [];

before(async () => {
  browser = await launchBrowser();
  t = await startApp(
    (b) =>
      b.invokeHandler({
        greet: () => 'hi',
        save_settings: (args: unknown) => {
          saved.push(args);
          return 'saved';
        },
        read_note: command(z.object({ path: z.string() }), ({ path: p }, ctx) => {
          const prefix = (e: unknown) => p.startsWith((e as { path: string }).path);
          if (!ctx.scope.matches(prefix)) throw { code: 'SCOPE', message: `${p} is outside the granted scope` };
          return `contents of ${p}`;
        }),
      }),
    { config },
  );
  main = await openPage(browser, t.server.url('main'));
  settings = await openPage(browser, t.server.url('settings'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

const invoke = (page: Page, cmd: string, args: Record<string, unknown> = {}) =>
  page.evaluate(([c, a]) => window.api.core.invoke(c as string, a as Record<string, unknown>).catch((e: unknown) => ({ rejected: e })), [
    cmd,
    args,
  ] as const);

describe('capabilities', () => {
  test("a command allowed for one window is denied for the other, with Tauri's explanation", async () => {
    assert.equal(await invoke(main, 'greet'), 'hi');
    const denied = (await invoke(settings, 'greet')) as { rejected: string };
    assert.equal(
      denied.rejected.split('\n\nrequested by')[0],
      'greet not allowed on window "settings", webview "settings", URL: local\n\nallowed on: [windows: "main", URL: local]\n\nreferenced by: capability: main-window, permission: allow-greet',
    );
    assert.equal(await invoke(settings, 'save_settings', { theme: 'dark' }), 'saved');
    assert.match(((await invoke(main, 'save_settings')) as { rejected: string }).rejected, /^save_settings not allowed on window "main"/);
    assert.equal(saved.length, 1);
  });

  test('core:event permissions gate listen: settings may emit but not listen', async () => {
    const r = await settings.evaluate(async () => {
      const listen = await window.api.event
        .listen('x', () => {})
        .then(
          () => 'ok',
          (e: unknown) => e,
        );
      const emit = await window.api.event.emit('x', 1).then(
        () => 'ok',
        (e: unknown) => e,
      );
      return { listen, emit };
    });
    assert.equal(r.emit, 'ok');
    assert.match(
      String(r.listen),
      /^event\.listen not allowed on window "settings", webview "settings", URL: local\n\nallowed on: \[windows: "main", URL: local\]/,
    );
    assert.equal(await main.evaluate(() => window.api.event.listen('x', () => {}).then(() => 'ok')), 'ok');
  });

  test('a scope-restricted command gets its allow and deny values', async () => {
    assert.equal(await invoke(main, 'read_note', { path: 'notes/todo.md' }), 'contents of notes/todo.md');
    assert.deepEqual(await invoke(main, 'read_note', { path: 'notes/secret.md' }), {
      rejected: { code: 'SCOPE', message: 'notes/secret.md is outside the granted scope' },
    });
    assert.deepEqual(await invoke(main, 'read_note', { path: '/etc/passwd' }), {
      rejected: { code: 'SCOPE', message: '/etc/passwd is outside the granted scope' },
    });
  });

  test('a window that matches no capability has no IPC at all', async () => {
    const other = await openPage(browser, t.server.url('other'));
    const r = await other.evaluate(() => window.api.core.invoke('plugin:app|version').catch((e: unknown) => e));
    assert.match(String(r), /^app\.version not allowed/);
    await other.context().close();
  });

  test('a remote origin is refused without a remote capability (tauri 2.11.1 rule), even for app commands', async () => {
    // Remote content cannot reach Airlock's socket at all (the Origin check); an in-process page stands in for it.
    await using app = await quietBuilder()
      .invokeHandler({ greet: () => 'hi', save_settings: () => null, read_note: () => null })
      .build({ config });
    const remote = await connectInMemory(app, 'main', 'https://evil.example', false);
    const text = String(await remote.invoke('greet').catch((e: unknown) => e));
    // Tauri's text (authority.rs prints the window form whenever allowed entries exist, whatever their origin).
    assert.match(
      text,
      /^greet not allowed on window "main", webview "main", URL: https:\/\/evil\.example\/\n\nallowed on: \[windows: "main", URL: local\]/,
    );
  });

  test('app.explain answers "may window W call command C?"', () => {
    const text = t.app.explain({ command: 'greet', window: 'settings' });
    assert.match(text, /may window "settings"/);
    assert.match(text, /main-window/);
  });
});
