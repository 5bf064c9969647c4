// Security finding #5: a page that sends calls but stops reading its socket used to make the core queue every
// response without bound (responses were not counted against the send buffer; ~430 MiB were seen, many times
// `limits.maxBufferedBytes`). A small call whose answer is large is enough to amplify. Every outbound frame is now
// counted: responses cannot be dropped (the call would hang), so the page is disconnected as a slow consumer (4029)
// once what waits for it passes twice the limit, and what waits never grows past that (plus one frame).
import assert from 'node:assert/strict';
import { appInternals } from 'airlock/testing';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { connectWsPage, ticketFrom } from '../helpers/ws-page.js';

const LIMIT = 512 * 1024;
const ANSWER = 64 * 1024;
const CALLS = 400; // 25 MiB of answers, 50 times the limit
/** Twice the limit, one answer, and its per-frame overhead: the most that may ever wait for the page. */
const BOUND = 2 * LIMIT + ANSWER + 4096;

let t: TestApp;
let answered = 0;

before(async () => {
  t = await startApp((b) =>
    b.limits({ maxBufferedBytes: LIMIT }).invokeHandler({
      amplify: () => {
        answered++;
        return 'x'.repeat(ANSWER);
      },
      whoami: (_a, ctx) => ctx.webview,
    }),
  );
});

after(async () => {
  await t?.[Symbol.asyncDispose]();
});

/** Samples what waits for `label` until it is disconnected (or `ms` pass); resolves with the peak and the outcome. */
async function watch(label: string, ms: number): Promise<{ peak: number; disconnected: boolean }> {
  let peak = 0;
  const end = Date.now() + ms;
  for (;;) {
    const conn = appInternals(t.app).connection(label);
    if (conn === undefined) return { peak, disconnected: true };
    peak = Math.max(peak, conn.stats.queuedBytes);
    if (Date.now() > end) return { peak, disconnected: false };
    await new Promise((r) => setImmediate(r));
  }
}

describe('a page that sends calls and stops reading', () => {
  test('a Chromium tab that fires 400 small calls and then spins: disconnected, the queue stays bounded', async (tc) => {
    const browser: Browser = await launchBrowser();
    try {
      const page = await openPage(browser, t.server.url('busy'));
      answered = 0;
      const stalled = page.evaluate((n) => {
        for (let i = 0; i < n; i++) void window.api.core.invoke('amplify').catch(() => undefined);
        const end = Date.now() + 6000;
        while (Date.now() < end) {
          // busy: the tab reads nothing meanwhile
        }
      }, CALLS);
      const { peak, disconnected } = await watch('busy', 12_000);
      tc.diagnostic(`${answered} calls answered, peak queue ${(peak / 1024).toFixed(0)} KiB (bound ${(BOUND / 1024).toFixed(0)} KiB)`);
      assert.ok(disconnected, 'the slow page must be disconnected');
      assert.ok(peak <= BOUND, `at most ${BOUND} bytes may wait for the page, ${peak} did`);
      await stalled;
      // Once it reads again, it finds its socket closed; its next call reconnects it as the same webview.
      const after = await page.evaluate(async () => {
        const call = () => window.api.core.invoke<string>('whoami').catch((e: { code?: string }) => `${e.code}`);
        const first = await call();
        return first === 'DISCONNECTED' ? call() : first;
      });
      assert.equal(after, 'busy');
    } finally {
      await browser.close();
    }
  });

  test('a protocol client that pauses its socket and keeps calling: closed with 4029, the queue stays bounded', async () => {
    const client = await connectWsPage(t.server, `ticket.${ticketFrom(t.server.url('paused'))}`);
    const socket = (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    for (let i = 0; i < CALLS; i++) client.invoke('amplify').catch(() => undefined);
    const { peak, disconnected } = await watch('paused', 10_000);
    assert.ok(disconnected, 'the slow client must be disconnected');
    assert.ok(peak <= BOUND, `at most ${BOUND} bytes may wait for the client, ${peak} did`);
    socket.resume();
    assert.equal(await client.closed, 4029);
  });
});
