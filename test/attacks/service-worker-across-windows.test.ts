// Security finding #8: windows of one app share an origin, and may share a browser profile (`serve()` users, a URL
// opened in the user's browser, and every window of the window host). A Service Worker registered by one window
// used to control the other windows' pages: it could serve them any script and read their credentials. The core
// now refuses every Service Worker script by default; `serve({ serviceWorkers: { <label>: '/scope/' } })` allows
// one only inside a scope of that window's own, holding no other window's URL.
//
// Both windows here live in ONE browser context (one profile), as the window host's windows do.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { App, Server } from 'airlock';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { quietBuilder } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { testFrontend } from '../helpers/frontend.js';

// The worker serves its own script in place of every script, into every page it controls.
const WORKER = `self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => {
  if (e.request.destination === 'script') e.respondWith(new Response('window.__owned = true;', { headers: { 'content-type': 'text/javascript' } }));
});`;

let browser: Browser;
let dist: string;

before(async () => {
  browser = await launchBrowser();
  dist = mkdtempSync(path.join(tmpdir(), 'airlock-sw-'));
  cpSync(await testFrontend(), dist, { recursive: true });
  writeFileSync(path.join(dist, 'sw.js'), WORKER);
  mkdirSync(path.join(dist, 'a'));
  writeFileSync(path.join(dist, 'a', 'sw.js'), WORKER);
  cpSync(path.join(dist, 'index.html'), path.join(dist, 'a', 'index.html'));
});

after(async () => {
  await browser?.close();
});

async function start(serviceWorkers?: Record<string, string>): Promise<{ app: App; server: Server; context: BrowserContext }> {
  const app = await quietBuilder()
    .invokeHandler({ ping: () => 'pong' })
    .build({ frontendDist: dist });
  const server = await app.serve({ port: 0, ...(serviceWorkers === undefined ? {} : { serviceWorkers }) });
  const context = await browser.newContext();
  await context.addInitScript('globalThis.__name = (f) => f');
  return { app, server, context };
}

async function open(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as unknown as { api?: unknown }).api === 'object');
  return page;
}

/** Registers `script` from the page; resolves 'registered' once it is active, or the error text. */
const register = (page: Page, script: string): Promise<string> =>
  page.evaluate(async (s) => {
    try {
      await navigator.serviceWorker.register(s);
      await navigator.serviceWorker.ready;
      return 'registered';
    } catch (e) {
      return String((e as Error).message ?? e);
    }
  }, script);

describe('Service Workers across windows sharing a profile (#8)', () => {
  test('refused by default: window a cannot register one, and window b keeps its own scripts', async () => {
    const { app, server, context } = await start();
    try {
      const a = await open(context, server.url('a', { path: '/' }));
      assert.match(await register(a, '/sw.js'), /403|bad HTTP response/i);
      assert.equal(await a.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length), 0);
      const b = await open(context, server.url('b', { path: '/' }));
      assert.equal(await b.evaluate(() => (window as { __owned?: boolean }).__owned ?? false), false);
      assert.equal(await b.evaluate(() => window.api.core.invoke('ping')), 'pong');
      // A raw fetch of the script as a worker update check would: refused with a reason that says how to allow one.
      const raw = await fetch(`${server.origin}/sw.js`, { headers: { 'service-worker': 'script' } });
      assert.equal(raw.status, 403);
      assert.match(await raw.text(), /serviceWorkers: \{ <label>: '\/<path>\/' \}/);
    } finally {
      await context.close();
      await app.close();
    }
  });

  test("the opt-out is scoped to its window: a worker inside a's own scope is served, one at the root is not", async () => {
    const { app, server, context } = await start({ a: '/a/' });
    try {
      const a = await open(context, server.url('a', { path: '/a/index.html' }));
      assert.match(await register(a, '/sw.js'), /403|bad HTTP response/i);
      assert.equal(await register(a, '/a/sw.js'), 'registered');
      const b = await open(context, server.url('b', { path: '/' }));
      assert.equal(await b.evaluate(() => navigator.serviceWorker.controller === null), true, "b is outside a's scope");
      assert.equal(await b.evaluate(() => window.api.core.invoke('ping')), 'pong');
    } finally {
      await context.close();
      await app.close();
    }
  });

  test('a scope that would hold another window, or the root, is refused at start-up', async () => {
    const app = await quietBuilder().build({ frontendDist: dist });
    try {
      await assert.rejects(
        app.serve({ port: 0, serviceWorkers: { main: '/' } }),
        /must be a path that starts and ends with '\/' and is not '\/'/,
      );
      await assert.rejects(app.serve({ port: 0, serviceWorkers: { main: '/app/' } }), /does not hold the window's URL/);
      await assert.rejects(app.serve({ port: 0, serviceWorkers: { other: '/' } }), /not '\/' itself/);
    } finally {
      await app.close();
    }
  });
});
