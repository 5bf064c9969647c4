// 100,000 invokes pipelined from the official @tauri-apps/api in Chromium — all issued before the first answer —
// each settles with its own result. Tauri's runtime draws callback ids at random with no collision check (about
// 4.6% of batches with 20,000 live ids collide); here ids are unique among live callbacks, whoever registers them.
// Answers come back out of order (a tenth of the calls wait a turn), so matching by position would fail.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';

export const PIPELINED = Number(process.env['PIPELINED'] ?? 100_000);

let browser: Browser;
let t: TestApp;
let page: Page;

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) =>
    b.invokeHandler({
      echo: ({ i }: { i: number }) => (i % 10 === 0 ? new Promise((resolve) => setImmediate(() => resolve(i))) : i),
      tick: () => null,
    }),
  );
  page = await openPage(browser, t.server.url('main'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

describe('pipelined invokes from the official API', () => {
  test(`${PIPELINED.toLocaleString('en')} invokes in flight at once each settle with their own result`, async (tc) => {
    const r = await page.evaluate(async (n) => {
      const internals = (window as unknown as { __TAURI_INTERNALS__: { callbacks: Map<number, unknown> } }).__TAURI_INTERNALS__;
      const before = internals.callbacks.size;
      const started = performance.now();
      const calls = Array.from({ length: n }, (_, i) => window.api.core.invoke<number>('echo', { i }));
      const live = internals.callbacks.size - before;
      const results = await Promise.all(calls);
      let wrong = 0;
      for (let i = 0; i < n; i++) if (results[i] !== i) wrong++;
      return { wrong, live, left: internals.callbacks.size - before, ms: Math.round(performance.now() - started) };
    }, PIPELINED);
    tc.diagnostic(`${PIPELINED} pipelined invokes settled in ${r.ms} ms`);
    assert.equal(r.live, 2 * PIPELINED, 'every call held two distinct callback ids at once');
    assert.equal(r.wrong, 0, 'every result matched its own call');
    assert.equal(r.left, 0, 'every callback was released');
    assert.equal(t.app.stats.pending, 0);
  });

  test('ids from the official transformCallback, Channels, listeners and invokes are unique among live callbacks', async () => {
    const r = await page.evaluate(async () => {
      const { transformCallback, invoke, Channel } = window.api.core;
      const ids: number[] = [];
      for (let i = 0; i < 20_000; i++) ids.push(transformCallback(() => {}, false));
      const channels = Array.from({ length: 1000 }, () => new Channel<unknown>());
      for (const ch of channels) ids.push(ch.id);
      const unlisten = await Promise.all(Array.from({ length: 200 }, (_, i) => window.api.event.listen(`e${i}`, () => {})));
      const internals = (
        window as unknown as { __TAURI_INTERNALS__: { callbacks: Map<number, unknown>; unregisterCallback(id: number): void } }
      ).__TAURI_INTERNALS__;
      const calls = Array.from({ length: 10_000 }, () => invoke('tick'));
      const live = [...internals.callbacks.keys()];
      await Promise.all(calls);
      await Promise.all(unlisten.map((u) => u()));
      for (const id of ids) internals.unregisterCallback(id);
      return {
        issued: ids.length,
        unique: new Set(ids).size,
        live: live.length,
        liveUnique: new Set(live).size,
        left: internals.callbacks.size,
        u32: live.every((id) => Number.isInteger(id) && id >= 0 && id <= 0xffff_ffff),
      };
    });
    assert.equal(r.unique, r.issued);
    assert.equal(r.liveUnique, r.live);
    assert.ok(r.live >= 20_000 + 1000 + 200 + 20_000, `${r.live} live callbacks`);
    assert.equal(r.u32, true);
    assert.equal(r.left, 0);
  });
});
