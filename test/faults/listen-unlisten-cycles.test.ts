// 10,000 listen/unlisten cycles through the official API in Chromium (50 loops of 200, while the core keeps emitting
// the very event being listened to, so deliveries race the unlistens), and 10,000 Node-side cycles. Afterwards no
// listener is left in the core, no callback in the page, no warning was logged, and a fresh listener still gets
// exactly one delivery.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { liveHeap, mib } from '../helpers/memory.js';
import { until } from '../helpers/wait.js';

export const CYCLES = 10_000;

let browser: Browser;
let t: TestApp;
let page: Page;

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) => b.invokeHandler({ ping: () => 'pong' }));
  page = await openPage(browser, t.server.url('main'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

describe('listen/unlisten cycles', () => {
  test(`${CYCLES.toLocaleString('en')} cycles in the page leave no listener in the core and no callback in the page`, async (tc) => {
    const baseline = await page.evaluate(
      () => (window as unknown as { __TAURI_INTERNALS__: { callbacks: Map<number, unknown> } }).__TAURI_INTERNALS__.callbacks.size,
    );
    const heap0 = liveHeap();
    let warnings = 0;
    page.on('console', (m) => void (m.type() === 'warning' ? warnings++ : 0));
    const emitter = setInterval(() => t.app.emit('cycle', 1), 1);
    const started = Date.now();
    try {
      await page.evaluate(async (cycles) => {
        const loops = 50;
        await Promise.all(
          Array.from({ length: loops }, async () => {
            for (let i = 0; i < cycles / loops; i++) {
              const unlisten = await window.api.event.listen('cycle', () => {});
              await unlisten();
            }
          }),
        );
      }, CYCLES);
    } finally {
      clearInterval(emitter);
    }
    tc.diagnostic(`${CYCLES} cycles in ${Date.now() - started} ms`);
    // Events already on their way when a listener is removed are dropped quietly: a warning for each (as Tauri logs)
    // swamped the page until it crawled.
    assert.equal(warnings, 0, 'console warnings in the page');
    const callbacksLeft = () =>
      page.evaluate(
        () => (window as unknown as { __TAURI_INTERNALS__: { callbacks: Map<number, unknown> } }).__TAURI_INTERNALS__.callbacks.size,
      );
    await until(async () => (await callbacksLeft()) === baseline, 'the page callbacks to return to the baseline');
    assert.deepEqual({ pageListeners: t.app.stats.pageListeners, pending: t.app.stats.pending }, { pageListeners: 0, pending: 0 });
    const heap = liveHeap() - heap0;
    assert.ok(heap < 8 * 1024 * 1024, `core live heap grew by ${mib(heap)} MiB`);
    const deliveries = await page.evaluate(async () => {
      let n = 0;
      let heard!: () => void;
      const first = new Promise<void>((resolve) => {
        heard = resolve;
      });
      const unlisten = await window.api.event.listen('final', () => {
        n++;
        heard();
      });
      await window.api.event.emit('final', null);
      await first;
      // A fence: once this second emit is answered, any duplicate of the first delivery would have arrived.
      await window.api.event.emit('fence', null);
      await unlisten();
      return n;
    });
    assert.equal(deliveries, 1);
  });

  test(`${CYCLES.toLocaleString('en')} Node listen/unlisten and once cycles leave no Node listener`, () => {
    const before = t.app.stats.nodeListeners;
    let heard = 0;
    for (let i = 0; i < CYCLES; i++) {
      const off = t.app.listen('node-cycle', () => void heard++);
      if (i % 2 === 0) t.app.emit('node-cycle', i);
      off();
      t.app.once('node-once', () => void heard++);
      t.app.emit('node-once', i);
    }
    assert.equal(heard, CYCLES / 2 + CYCLES);
    assert.equal(t.app.stats.nodeListeners, before);
  });
});
