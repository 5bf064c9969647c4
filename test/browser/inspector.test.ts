// The IPC inspector: live traffic on its own origin, unreachable from the app's pages, absent unless enabled.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { channel, command, type App, type Server } from 'airlock';
import { appInternals } from 'airlock/testing';
import { quietBuilder } from '../helpers/app.js';
import { tryWebSocket } from '../helpers/attacker.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { testFrontend } from '../helpers/frontend.js';

const config = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'acl-app', 'tauri.conf.json');

let browser: Browser;
let app: App;
let server: Server;
let page: Page;

before(async () => {
  browser = await launchBrowser();
  app = await quietBuilder()
    .invokeHandler({
      greet: () => 'hi',
      save_settings: () => 'saved',
      read_note: command(z.object({ path: z.string(), progress: channel().optional() }), ({ progress }) => {
        progress?.send(1);
        return 'note';
      }),
    })
    .build({ config, frontendDist: await testFrontend() });
  server = await app.serve({ inspector: true });
  page = await openPage(browser, server.url('main'));
});

after(async () => {
  await browser?.close();
  await app?.close();
});

describe('IPC inspector', () => {
  test('shows calls with their ACL decision, failures, events and a latency summary', async () => {
    assert.ok(server.inspector?.startsWith('http://127.0.0.1:'));
    const inspector = await (await browser.newContext()).newPage();
    await inspector.goto(server.inspector ?? '');
    await inspector.waitForSelector('text=live');
    await page.evaluate(async () => {
      const { core, event } = window.api;
      await core.invoke('greet');
      await core.invoke('save_settings').catch(() => null);
      await core.invoke('read_note', { path: 'notes/a', progress: new core.Channel(() => {}) });
      await event.emit('inspector-test', { x: 1 });
    });
    // biome-ignore lint/performance/useDomNodeTextContent: the assertion is about the text the inspector shows, as laid out
    await inspector.waitForFunction(() => document.body.innerText.includes('inspector-test'));
    // biome-ignore lint/performance/useDomNodeTextContent: the assertion is about the text the inspector shows, as laid out
    const body = await inspector.evaluate(() => document.body.innerText);
    assert.match(body, /greet[\s\S]*ACL allowed/);
    assert.match(body, /save_settings[\s\S]*ACL denied[\s\S]*not allowed on window "main"/);
    assert.match(body, /Latency per command[\s\S]*greet\s+1/);
    assert.equal(await inspector.evaluate(() => location.hash), '', 'the token leaves the address bar');
  });

  test('the app page cannot open the inspector socket, even with the token', async () => {
    const token = new URL(server.inspector ?? '').hash.replace('#token=', '');
    const url = `ws://${new URL(server.inspector ?? '').host}/ws`;
    assert.equal(await page.evaluate(tryWebSocket, { url, protocols: [`airlock-inspector.${token}`] }), 'refused');
  });

  test('is absent unless enabled: no URL, and the tracer has no observer', async () => {
    await using plain = await quietBuilder().build({ frontendDist: await testFrontend() });
    const s = await plain.serve();
    assert.equal(s.inspector, undefined);
    assert.equal(appInternals(plain).tracer.active, false);
  });
});
