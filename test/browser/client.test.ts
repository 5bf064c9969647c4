// airlock/client in real Chromium (brownfield): a typed call, events both ways, cancellation that reaches the core's
// ctx.signal at once, a reload aborting in-flight calls, and page → core streams with every byte in order and the
// core's buffering bounded by its credit window.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { STREAM_WINDOW } from 'airlock';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { clientFrontend } from '../helpers/frontend.js';
import { until } from '../helpers/wait.js';
import { abortMidCall, clientCommands, type Observed } from './client-app.js';

const openClient = async (browser: Browser, url: string): Promise<Page> => {
  const page = await openPage(browser, url);
  await page.waitForFunction(() => typeof window.client === 'object');
  return page;
};

/** How long the 1 GiB stream may take when AIRLOCK_LONG_TESTS=1 runs it. */
const LONG = process.env['AIRLOCK_LONG_TESTS'] === '1';

let browser: Browser;
let t: TestApp;
let page: Page;
const seen: Observed = { started: [], aborted: [], ignoredDone: 0, maxQueued: 0, received: 0, streamError: undefined, release: () => {} };
const warnings: string[] = [];

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) => clientCommands(b, seen), { frontendDist: await clientFrontend() });
  page = await openClient(browser, t.server.url('main'));
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

describe('airlock/client in Chromium', () => {
  test('a typed call resolves with the handler result; the client is not a thenable', async () => {
    const result = await page.evaluate(async () => {
      const awaited = await window.client; // must not hang: `then` is not a command
      return { greeting: await awaited.greet({ name: 'Ada' }), same: awaited === window.client };
    });
    assert.deepEqual(result, { greeting: 'Hello, Ada!', same: true });
  });

  test('client.invoke reaches a command by name, and the official API works beside it', async () => {
    const result = await page.evaluate(async () => [
      await window.client.invoke('greet', { name: 'Bo' }),
      await window.capi.core.invoke('greet', { name: 'Cy' }),
    ]);
    assert.deepEqual(result, ['Hello, Bo!', 'Hello, Cy!']);
  });

  test('a channel argument streams to the page', async () => {
    const ticks = await page.evaluate(async () => {
      const got: number[] = [];
      await window.client.ticks({ onTick: new window.capi.core.Channel<number>((n) => got.push(n)) });
      return got;
    });
    assert.deepEqual(ticks, [0, 1, 2]);
  });

  test('typed events: a declared payload reaches listeners; one that fails its schema is refused', async () => {
    const result = await page.evaluate(async () => {
      const got: unknown[] = [];
      const stop = await window.client.listen('ping', (e) => got.push(e.payload));
      await window.client.emit('ping', { n: 1 });
      // @ts-expect-error the wrong payload, on purpose: the core refuses it
      const refused = await window.client.emit('ping', { n: 'one' }).catch((e: unknown) => e);
      await window.client.emit('ping', { n: 2 });
      await stop();
      return { got, refused };
    });
    assert.deepEqual(result.got, [{ n: 1 }, { n: 2 }]);
    assert.equal((result.refused as { code?: string }).code, 'INVALID_ARGS');
    assert.match(String((result.refused as { message?: string }).message), /invalid payload `n` for event `ping`/);
  });

  test("aborting rejects at once with an AbortError and aborts the handler's ctx.signal in the core", async () => {
    seen.aborted.length = 0;
    const result = await abortMidCall(page, seen, 'a');
    assert.equal(result.name, 'AbortError');
    assert.ok(result.isDom);
    assert.ok(result.ms < 50, `rejected after ${result.ms} ms`);
    await until(() => seen.aborted.includes('a: CANCELLED'), "the core's ctx.signal to abort");
  });

  test('timeoutMs rejects with a TimeoutError and cancels in the core', async () => {
    seen.aborted.length = 0;
    const name = await page.evaluate(() =>
      window.client.hang({ tag: 't' }, { timeoutMs: 30 }).catch((e: unknown) => (e as DOMException).name),
    );
    assert.equal(name, 'TimeoutError');
    await until(() => seen.aborted.includes('t: CANCELLED'), "the core's ctx.signal to abort");
  });

  test('a handler that ignores its signal still has its result dropped: the page never sees it', async () => {
    seen.aborted.length = 0;
    const done = seen.ignoredDone;
    warnings.length = 0;
    const name = await page.evaluate(async () => {
      const controller = new AbortController();
      const pending = window.client.ignore({}, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      return pending.catch((e: unknown) => (e as DOMException).name);
    });
    assert.equal(name, 'AbortError');
    await until(() => seen.aborted.includes('ignore'), 'the abort');
    seen.release();
    await until(() => seen.ignoredDone === done + 1, 'the handler to finish');
    // A fence: a later call on the same ordered socket. Had the dropped result been sent, it would have arrived first
    // for a callback the page had freed, and the runtime would have warned about it.
    assert.equal(await page.evaluate(() => window.client.greet({ name: 'fence' })), 'Hello, fence!');
    assert.deepEqual(
      warnings.filter((w) => w.includes("Couldn't find callback")),
      [],
    );
    assert.equal(t.app.stats.pending, 0);
  });

  test('an already-aborted signal rejects without calling the core', async () => {
    seen.aborted.length = 0;
    const name = await page.evaluate(() =>
      window.client.hang({ tag: 'pre' }, { signal: AbortSignal.abort() }).catch((e: unknown) => (e as DOMException).name),
    );
    assert.equal(name, 'AbortError');
    // A fence: a call made after it is answered, so a `hang` the page had sent would have reached its handler by now.
    assert.equal(await page.evaluate(() => window.client.greet({ name: 'x' })), 'Hello, x!');
    assert.ok(!seen.started.includes('pre'), 'the core never got the call');
    assert.deepEqual(seen.aborted, []);
  });

  test('a 64 MiB page → core stream: every byte in order, the core never holds more than its window, the page is held back', async () => {
    seen.maxQueued = 0;
    const total = 64 * 1024 * 1024;
    const pauseAt = 8 * 1024 * 1024;
    const before = process.memoryUsage();
    const pending = page.evaluate(
      ([total, pauseAt]) => {
        window.probe.pulled = 0;
        return window.client.upload({ file: window.patternStream(total, 100_000), pauseAt });
      },
      [total, pauseAt] as const,
    );
    // The handler stops reading at 8 MiB: the page fills the window it was granted and goes no further.
    await until(() => seen.received >= pauseAt, 'the handler to reach its pause');
    await until(
      async () => (await page.evaluate(() => window.probe.pulled)) >= seen.received + STREAM_WINDOW / 2,
      'the page to use its credit',
    );
    const pulled = await page.evaluate(() => window.probe.pulled);
    // What the page read from its source: what the core consumed, plus at most a window of credit and one source chunk.
    assert.ok(pulled <= seen.received + STREAM_WINDOW + 100_000, `the page read ${pulled} bytes with ${seen.received} consumed`);
    seen.release();
    assert.equal(await pending, total);
    assert.ok(seen.maxQueued <= STREAM_WINDOW, `the core queued ${seen.maxQueued} bytes`);
    const grown = process.memoryUsage().arrayBuffers - before.arrayBuffers;
    assert.ok(grown < 48 * 1024 * 1024, `arrayBuffers grew by ${grown} bytes for a 64 MiB stream`);
  });

  test('a 1 GiB page → core stream with bounded core memory (AIRLOCK_LONG_TESTS=1)', { skip: !LONG }, async () => {
    seen.maxQueued = 0;
    const total = 1024 * 1024 * 1024;
    let peak = 0;
    const base = process.memoryUsage();
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.rss - base.rss);
    }, 50);
    const started = Date.now();
    try {
      const n = await page.evaluate((total) => window.client.upload({ file: window.patternStream(total, 256 * 1024) }), total);
      assert.equal(n, total);
    } finally {
      clearInterval(sampler);
    }
    console.log(`1 GiB in ${Date.now() - started} ms, core rss peak +${(peak / 2 ** 20).toFixed(1)} MiB, max queued ${seen.maxQueued}`);
    assert.ok(seen.maxQueued <= STREAM_WINDOW);
    assert.ok(peak < 256 * 1024 * 1024, `rss grew by ${peak} bytes`);
  });

  test('a stream source that fails fails the handler; a reload aborts in-flight calls', async () => {
    const err = await page.evaluate(async () => {
      async function* broken() {
        yield new Uint8Array([0, 1, 2]);
        throw new Error('disk gone');
      }
      return window.client.upload({ file: broken() }).catch((e: unknown) => String((e as { message?: string }).message ?? e));
    });
    assert.match(String(err), /disk gone/);
    seen.aborted.length = 0;
    const inflight = page.evaluate(() => window.client.hang({ tag: 'reload' })).catch(() => 'context gone');
    await until(() => t.app.stats.pending >= 1, 'the call to be in flight');
    await page.reload();
    await until(() => seen.aborted.includes('reload: DISCONNECTED'), "ctx.signal to abort with the page's going");
    assert.equal(await inflight, 'context gone');
    await page.waitForFunction(() => typeof window.client === 'object');
  });
});
