// A page of the app's own origin without the right secret: opened by typing its address (no launch ticket), with a
// forged ticket, with a ticket another tab already redeemed, with an expired ticket, or with a resume token that has
// since been rotated. Same origin is not enough: every one of them is refused and nothing runs. Then 500 guessed
// credentials over raw sockets. (The protocol-level checks are also in cross-origin.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { appInternals } from 'airlock/testing';
import { startApp, type TestApp, socketUrl } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { sentinel } from '../helpers/sentinel.js';
import { until } from '../helpers/wait.js';

const s = sentinel();
let browser: Browser;
let t: TestApp;

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) => b.invokeHandler(s.commands).setup((app) => s.watch(app)));
});

after(async () => {
  assert.equal(s.executed, 0, 'no page without the right secret may execute a command');
  assert.equal(s.events, 0);
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

async function tab(url: string, init?: string): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext();
  await context.addInitScript('globalThis.__name = (f) => f');
  if (init !== undefined) await context.addInitScript(init);
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as unknown as { api?: unknown }).api === 'object');
  return { page, context };
}

/** Every way the page has to act: the official API, and a socket of its own with what it can find. */
const tryEverything = async (wsUrl: string): Promise<Record<string, string>> => {
  // A page with no credential at all rejects with the no-session notice (a string, as Tauri's errors are).
  const code = (e: unknown): string =>
    typeof e === 'string' && e.includes('this page has no IPC session') ? 'NO_SESSION' : `${(e as { code?: string }).code}`;
  const invoke = await window.api.core.invoke('side_effect').then(() => 'executed', code);
  const emit = await window.api.event.emit('attack', 1).then(() => 'emitted', code);
  const socket = await new Promise<string>((resolve) => {
    const ws = new WebSocket(wsUrl, ['airlock.v1']);
    ws.onopen = () => resolve('open');
    ws.onerror = () => resolve('refused');
  });
  return { invoke, emit, socket };
};

const refusedEverywhere = { invoke: 'DISCONNECTED', emit: 'DISCONNECTED', socket: 'refused' };
const wsUrl = (): string => socketUrl(t.server);
const launch = (ticket: string, label = 'main'): string =>
  `${t.server.origin}/#${new URLSearchParams({ __airlock: ticket, label, window: label })}`;

describe('a same-origin page without the right secret', () => {
  test('opened by typing its address (no ticket at all)', async () => {
    const { page, context } = await tab(`${t.server.origin}/index.html`);
    assert.deepEqual(await page.evaluate(tryEverything, wsUrl()), { ...refusedEverywhere, invoke: 'NO_SESSION', emit: 'NO_SESSION' });
    await context.close();
  });

  test('with a forged ticket in the launch fragment', async () => {
    const { page, context } = await tab(launch('A'.repeat(32)));
    assert.deepEqual(await page.evaluate(tryEverything, wsUrl()), refusedEverywhere);
    assert.deepEqual(t.app.webviews(), []);
    await context.close();
  });

  test('with a ticket another tab already redeemed (that tab has since closed)', async () => {
    const url = t.server.url('main');
    const first = await openPage(browser, url);
    assert.equal(await first.evaluate(() => window.api.core.invoke('whoami')), 'main');
    await first.context().close();
    const { page, context } = await tab(url);
    assert.deepEqual(await page.evaluate(tryEverything, wsUrl()), refusedEverywhere);
    await context.close();
  });

  test('with a ticket that expired', async () => {
    const expired = appInternals(t.app).sessions.issueTicket({ label: 'late', window: 'late' }, Date.now() - 60 * 60_000);
    const { page, context } = await tab(launch(expired, 'late'));
    assert.deepEqual(await page.evaluate(tryEverything, wsUrl()), refusedEverywhere);
    await context.close();
  });

  test('with a resume token that was rotated by a later connection, even once the label is free', async () => {
    const first = await openPage(browser, t.server.url('rotating'));
    const stale = await first.evaluate(() => sessionStorage.getItem('__airlock_session') ?? '');
    await first.reload();
    await first.waitForFunction(() => typeof window.api === 'object');
    assert.equal(await first.evaluate(() => window.api.core.invoke('whoami')), 'rotating');
    assert.notEqual(await first.evaluate(() => sessionStorage.getItem('__airlock_session')), stale, 'the reload rotated the token');
    await first.context().close();
    await until(() => !t.app.webviews().includes('rotating'), 'the core to see the tab go');
    const { page, context } = await tab(
      `${t.server.origin}/index.html`,
      `sessionStorage.setItem('__airlock_session', ${JSON.stringify(stale)})`,
    );
    assert.deepEqual(await page.evaluate(tryEverything, wsUrl()), refusedEverywhere);
    await context.close();
  });
});

describe('guessing credentials', () => {
  test('500 random tickets and resume tokens over raw sockets are all refused at the handshake', async () => {
    const guesses = Array.from(
      { length: 500 },
      (_, i) => `airlock.${i % 2 ? 'ticket' : 'resume'}.${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')}`,
    );
    const results = new Map<string, number>();
    for (let i = 0; i < guesses.length; i += 50) {
      const batch = await Promise.all(
        guesses.slice(i, i + 50).map(
          (credential) =>
            new Promise<string>((resolve) => {
              const ws = new WebSocket(wsUrl(), ['airlock.v1', credential], { headers: { origin: t.server.origin } });
              ws.on('open', () => {
                ws.close();
                resolve('open');
              });
              ws.on('unexpected-response', (_req, res) => {
                res.resume();
                resolve(String(res.statusCode));
              });
              ws.on('error', () => resolve('error'));
            }),
        ),
      );
      for (const r of batch) results.set(r, (results.get(r) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(results), { 403: 500 });
    assert.deepEqual(t.app.webviews(), []);
  });
});
