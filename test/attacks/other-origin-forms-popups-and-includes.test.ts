// A page on another origin (another port of 127.0.0.1, and `localhost`) tries what browsers allow across origins
// without CORS: form POSTs (urlencoded, text/plain JSON, multipart) at every path, non-simple fetches, including the
// app's scripts with <script src>, opening the app's launch URL in a popup or navigating to it, and — the other way
// round — the app window being redirected to the attacker (Tauri's CVE-2023-31134 class). Nothing may execute and no
// webview may connect. (Cross-origin fetch, no-cors POST, WebSocket and iframe embedding: cross-origin.test.ts.)
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { sentinel } from '../helpers/sentinel.js';

const s = sentinel();
let browser: Browser;
let t: TestApp;
let attacker: http.Server;
let attackerPort = 0;
/** Requests that reached the app server, with the status it answered. */
const seen: Array<{ method: string; path: string; status: number }> = [];

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) => b.invokeHandler(s.commands).setup((app) => s.watch(app)));
  attacker = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>attacker</title><iframe name="sink"></iframe>');
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
  const a = attacker.address();
  attackerPort = typeof a === 'object' && a !== null ? a.port : 0;
});

after(async () => {
  assert.equal(s.executed, 0, 'no attack may execute a command');
  assert.equal(s.events, 0);
  await browser?.close();
  attacker?.closeAllConnections();
  await new Promise((r) => attacker?.close(r));
  await t?.[Symbol.asyncDispose]();
});

/** A fresh tab on the attacker's origin that records every response the app server sends it. */
async function attackerPage(host = '127.0.0.1'): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  context.on('response', (r) => {
    const url = new URL(r.url());
    if (url.port === String(t.server.port)) seen.push({ method: r.request().method(), path: url.pathname, status: r.status() });
  });
  await page.goto(`http://${host}:${attackerPort}/`);
  return page;
}

const appUrl = (path: string): string => `${t.server.origin}${path}`;

describe('a page on another origin', () => {
  test('form POSTs (urlencoded, text/plain JSON, multipart) at the app, its runtime and its socket path are refused', async () => {
    const page = await attackerPage();
    seen.length = 0;
    const targets = ['/', '/index.html', '/__airlock/ws', '/__airlock/runtime.js'];
    const types = ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data'];
    for (const path of targets) {
      for (const enctype of types) {
        await page.evaluate(
          ({ action, enctype }) =>
            new Promise<void>((resolve) => {
              const sink = document.querySelector('iframe') as HTMLIFrameElement;
              sink.addEventListener('load', () => resolve(), { once: true });
              const form = document.createElement('form');
              form.method = 'POST';
              form.action = action;
              form.enctype = enctype;
              form.target = 'sink';
              const input = document.createElement('input');
              input.name = '{"t":"i","c":"side_effect","cb":1,"er":2,"a":{},"x":"';
              input.value = '"}';
              form.append(input);
              document.body.append(form);
              form.submit();
            }),
          { action: appUrl(path), enctype },
        );
      }
    }
    const posts = seen.filter((r) => r.method === 'POST');
    assert.equal(posts.length, targets.length * types.length, 'every form reached the server');
    assert.deepEqual(new Set(posts.map((r) => r.status)), new Set([403]));
    assert.deepEqual(t.app.webviews(), []);
  });

  test('non-simple fetches (PUT, DELETE, JSON content type, custom header) fail at the preflight', async () => {
    const page = await attackerPage();
    const results = await page.evaluate(async (origin) => {
      const tries: Array<[string, RequestInit]> = [
        ['/', { method: 'PUT', body: '{}' }],
        ['/', { method: 'DELETE' }],
        [
          '/__airlock/ws',
          { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"t":"i","c":"side_effect","cb":1,"er":2}' },
        ],
        ['/__airlock/runtime.js', { headers: { 'x-airlock': '1' } }],
        ['/index.html', { credentials: 'include' }],
      ];
      return Promise.all(
        tries.map(([p, init]) =>
          fetch(origin + p, init).then(
            (r) => `read ${r.status}`,
            () => 'blocked',
          ),
        ),
      );
    }, t.server.origin);
    assert.deepEqual(results, ['blocked', 'blocked', 'blocked', 'blocked', 'blocked']);
  });

  test("<script src> of the app's bundle or runtime does not load (no-cors inclusion refused)", async () => {
    const page = await attackerPage();
    const results = await page.evaluate(
      (urls) =>
        Promise.all(
          urls.map(
            (src) =>
              new Promise<string>((resolve) => {
                const el = document.createElement('script');
                el.src = src;
                el.onload = () => resolve('loaded');
                el.onerror = () => resolve('refused');
                document.head.append(el);
              }),
          ),
        ),
      [appUrl('/app.js'), appUrl('/__airlock/runtime.js')],
    );
    assert.deepEqual(results, ['refused', 'refused']);
    assert.equal(await page.evaluate(() => typeof (window as unknown as Record<string, unknown>)['__TAURI_INTERNALS__']), 'undefined');
  });

  test("window.open or navigation to the app's launch URL (valid ticket included) is refused, and no webview connects", async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const page = await attackerPage(host);
      seen.length = 0;
      const url = t.server.url('main');
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.evaluate((u) => void window.open(u, '_blank'), url)]);
      await popup.waitForLoadState();
      assert.match(await popup.content(), /cross-site request refused|cross-origin request refused/);
      await Promise.all([
        page.waitForURL((u) => u.port === String(t.server.port), { waitUntil: 'load' }),
        page.evaluate((u) => {
          location.href = u;
        }, t.server.url('main')),
      ]);
      assert.match(await page.content(), /refused/);
      assert.ok(seen.length >= 2 && seen.every((r) => r.status === 403), JSON.stringify(seen));
    }
    assert.deepEqual(t.app.webviews(), []);
  });
});

describe('the app window redirected to another origin (open redirect)', () => {
  test('the attacker page it lands on has no IPC, cannot reuse the session, and the app resumes when it comes back', async () => {
    const app = await openPage(browser, t.server.url('main'));
    assert.equal(await app.evaluate(() => window.api.core.invoke('whoami')), 'main');
    await app.evaluate((u) => {
      location.href = u;
    }, `http://127.0.0.1:${attackerPort}/`);
    await app.waitForURL(`http://127.0.0.1:${attackerPort}/`);
    const there = await app.evaluate(async (ws) => {
      const w = window as unknown as Record<string, unknown>;
      const socket = await new Promise<string>((resolve) => {
        const s = new WebSocket(ws, ['airlock.v1']);
        s.onopen = () => resolve('open');
        s.onerror = () => resolve('refused');
      });
      let storage = 'none';
      try {
        storage = sessionStorage.getItem('__airlock_session') ?? 'none';
      } catch {
        storage = 'blocked';
      }
      return { internals: typeof w['__TAURI_INTERNALS__'], socket, storage };
    }, `ws://127.0.0.1:${t.server.port}/__airlock/ws`);
    assert.deepEqual(there, { internals: 'undefined', socket: 'refused', storage: 'none' });
    await app.goBack();
    await app.waitForFunction(() => typeof window.api === 'object');
    assert.equal(await app.evaluate(() => window.api.core.invoke('whoami')), 'main');
    await app.context().close();
  });
});
