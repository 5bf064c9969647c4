// 20 webviews — 20 real Chromium tabs on the official API — each with 1,000 invokes in flight at once: every result
// reaches its own call in its own webview (each handler answers with the caller's label), answers interleave across
// webviews, and afterwards the core holds no call. A page over its limit gets a coded error; its neighbours do not.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { appInternals } from 'airlock/testing';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { until } from '../helpers/wait.js';

const WEBVIEWS = 20;
const CALLS = 1_000;

let browser: Browser;
let t: TestApp;
let pages: Page[];
let concurrentPeak = 0;
/** What the `hold` command waits for: released by the test once the greedy page has hit its limit. */
let release!: () => void;
let held = new Promise<void>((r) => (release = r));
let inFlight = 0;

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) =>
    b.limits({ maxPendingInvokes: 2 * CALLS }).invokeHandler({
      work: async ({ i }: { i: number }, ctx) => {
        concurrentPeak = Math.max(concurrentPeak, ++inFlight);
        await new Promise((r) => setTimeout(r, i % 3));
        inFlight--;
        return `${ctx.webview}:${i}`;
      },
      hold: () => held,
      quick: () => 1,
    }),
  );
  const context = await browser.newContext();
  await context.addInitScript('globalThis.__name = (f) => f');
  pages = await Promise.all(
    Array.from({ length: WEBVIEWS }, async (_, w) => {
      const page = await context.newPage();
      await page.goto(t.server.url(`w${w}`));
      await page.waitForFunction(() => typeof (window as unknown as { api?: unknown }).api === 'object');
      return page;
    }),
  );
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

describe(`${WEBVIEWS} webviews × ${CALLS.toLocaleString('en')} concurrent invokes`, () => {
  test('every result reaches its own call in its own webview, and nothing stays pending', async (tc) => {
    const started = Date.now();
    const results = await Promise.all(
      pages.map((page, w) =>
        page.evaluate(
          async ({ n, label }) => {
            const got = await Promise.all(Array.from({ length: n }, (_, i) => window.api.core.invoke<string>('work', { i })));
            return got.filter((r, i) => r !== `${label}:${i}`).length;
          },
          { n: CALLS, label: `w${w}` },
        ),
      ),
    );
    tc.diagnostic(
      `${WEBVIEWS * CALLS} invokes across ${WEBVIEWS} webviews in ${Date.now() - started} ms, up to ${concurrentPeak} handlers running at once`,
    );
    assert.deepEqual(results, Array(WEBVIEWS).fill(0), 'mismatched results per webview');
    assert.ok(concurrentPeak > CALLS, 'calls of different webviews ran concurrently');
    assert.deepEqual({ webviews: t.app.stats.webviews, pending: t.app.stats.pending }, { webviews: WEBVIEWS, pending: 0 });
  });

  test('a webview over maxPendingInvokes gets LIMIT_EXCEEDED while the other 19 are served in full', async () => {
    const [greedy, ...others] = pages as [Page, ...Page[]];
    held = new Promise<void>((r) => (release = r));
    // Held calls last until the greedy page has 2,000 in flight (its limit), however slowly the browser sends them.
    void until(() => appInternals(t.app).connection('w0')?.stats.pending === 2 * CALLS, 'the greedy page to reach its limit', 60_000).then(
      release,
      release,
    );
    const [over, ...rest] = await Promise.all([
      greedy.evaluate(
        async (n) => {
          const got = await Promise.all(
            Array.from({ length: n }, () =>
              window.api.core.invoke('hold').then(
                () => 'ok',
                (e: { code?: string }) => String(e.code),
              ),
            ),
          );
          return { ok: got.filter((g) => g === 'ok').length, limited: got.filter((g) => g === 'LIMIT_EXCEEDED').length };
        },
        2 * CALLS + 500,
      ),
      ...others.map((page) =>
        page.evaluate(
          async (n) =>
            (
              await Promise.all(
                Array.from({ length: n }, () =>
                  window.api.core.invoke('quick').then(
                    () => 1,
                    () => 0,
                  ),
                ),
              )
            ).reduce((a: number, b: number) => a + b, 0),
          100,
        ),
      ),
    ]);
    assert.ok(over.limited > 0 && over.ok >= 2 * CALLS && over.ok + over.limited === 2 * CALLS + 500, JSON.stringify(over));
    assert.deepEqual(rest, Array(WEBVIEWS - 1).fill(100));
    assert.equal(t.app.stats.pending, 0);
  });
});
