// A 100,000-event fan-out to 20 webviews: a Chromium tab listening through the official API and 19 pages speaking
// the protocol over their own sockets (Chromium takes ~0.1 ms per WebSocket message, so 20 tabs × 100,000 events
// would take minutes; the core's side — one frame per page per event on a real socket — is the same). Every webview
// must receive every event, in emission order, with none dropped, and nothing may stay on the core's heap.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp, ticketFrom } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { liveHeap, mib, rssPeak } from '../helpers/memory.js';
import { connectWsPage, type WsPage } from '../helpers/ws-page.js';
import { poll } from '../helpers/wait.js';

const EVENTS = 100_000;
const TABS = 1;
const SOCKETS = 19;

let browser: Browser;
let t: TestApp;
let tabs: Page[];
let sockets: WsPage[];
/** Per protocol page: next payload expected, and payloads that arrived out of order. */
const seen: Array<{ next: number; disorder: number }> = [];

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) => b);
  const context = await browser.newContext();
  await context.addInitScript('globalThis.__name = (f) => f');
  tabs = await Promise.all(
    Array.from({ length: TABS }, async (_, i) => {
      const page = await context.newPage();
      await page.goto(t.server.url(`tab${i}`));
      await page.waitForFunction(() => typeof (window as unknown as { api?: unknown }).api === 'object');
      await page.evaluate(async () => {
        const w = window as unknown as { tally: { next: number; disorder: number } };
        w.tally = { next: 0, disorder: 0 };
        await window.api.event.listen<number>('tick', (e) => {
          if (e.payload !== w.tally.next) w.tally.disorder++;
          w.tally.next = e.payload + 1;
        });
      });
      return page;
    }),
  );
  sockets = await Promise.all(
    Array.from({ length: SOCKETS }, async (_, i) => {
      const page = await connectWsPage(t.server, `ticket.${ticketFrom(t.server.url(`ws${i}`))}`);
      const tally = { next: 0, disorder: 0 };
      seen.push(tally);
      await page.listen('tick', (p) => {
        if (p !== tally.next) tally.disorder++;
        tally.next = (p as number) + 1;
      });
      return page;
    }),
  );
});

after(async () => {
  await Promise.all(sockets?.map((s) => s.close()) ?? []);
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

describe(`a ${EVENTS.toLocaleString('en')}-event fan-out to ${TABS + SOCKETS} webviews`, () => {
  test('every webview gets every event, in order, none dropped; nothing stays on the heap', async (tc) => {
    assert.equal(t.app.stats.webviews, TABS + SOCKETS);
    const heap0 = liveHeap();
    const rss = rssPeak();
    const started = Date.now();
    for (let n = 0; n < EVENTS; n++) {
      t.app.emit('tick', n);
      if (n % 2_000 === 1_999) {
        rss.sample();
        await new Promise((r) => setImmediate(r));
      }
    }
    const emitted = Date.now() - started;
    const tallies = async () => [
      ...seen,
      ...(await Promise.all(tabs.map((p) => p.evaluate(() => (window as unknown as { tally: { next: number; disorder: number } }).tally)))),
    ];
    let last = await tallies();
    await poll(
      async () => {
        rss.sample();
        last = await tallies();
        return last.every((x) => x.next >= EVENTS);
      },
      { ms: 150_000, every: 250 },
    );
    const heap = liveHeap() - heap0;
    tc.diagnostic(
      `emitted in ${emitted} ms, all delivered after ${Date.now() - started} ms; peak RSS +${mib(rss.peak - rss.start)} MiB, live heap +${mib(heap)} MiB`,
    );
    assert.deepEqual(last, Array(TABS + SOCKETS).fill({ next: EVENTS, disorder: 0 }));
    assert.equal(t.app.stats.droppedEvents, 0);
    // Two million frames went out (this process also runs the 19 protocol pages); none of it may stay reachable.
    assert.ok(heap < 16 * 1024 * 1024, `live heap grew by ${mib(heap)} MiB`);
    assert.ok(rss.peak - rss.start < 1536 * 1024 * 1024, `peak RSS grew by ${mib(rss.peak - rss.start)} MiB`);
  });
});
