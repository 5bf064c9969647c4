// airlock/client under the isolation pattern, with a hook that allow-lists commands: typed calls pass the hook and
// reach the core sealed; aborting rejects at once and aborts the core's ctx.signal (the hook cannot block a cancel);
// a page → core stream's chunks are sealed too.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { STREAM_WINDOW } from 'airlock';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { clientFrontend } from '../helpers/frontend.js';
import { until } from '../helpers/wait.js';
import { abortMidCall, clientCommands, type Observed } from './client-app.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

let browser: Browser;
let t: TestApp;
let page: Page;
const seen: Observed = { started: [], aborted: [], ignoredDone: 0, maxQueued: 0, received: 0, streamError: undefined, release: () => {} };

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) => clientCommands(b, seen), {
    frontendDist: await clientFrontend(),
    config: { app: { security: { pattern: { use: 'isolation', options: { dir: path.join(fixtures, 'isolation-allowlist') } } } } },
  });
  page = await openPage(browser, t.server.url('main'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

describe('airlock/client under the isolation pattern', () => {
  test('a typed call passes the allow-list hook; a command the hook does not list is refused', async () => {
    const r = await page.evaluate(async () => ({
      greeting: await window.client.greet({ name: 'Ada' }),
      refused: await window.client
        .ticks({ onTick: new window.capi.core.Channel<number>() })
        .catch((e: unknown) => (e as { code?: string }).code),
    }));
    assert.deepEqual(r, { greeting: 'Hello, Ada!', refused: 'ISOLATION_REFUSED' });
  });

  test("aborting rejects at once and aborts the handler's ctx.signal; the hook never sees (or blocks) the cancel", async () => {
    seen.aborted.length = 0;
    const result = await abortMidCall(page, seen, 'iso');
    assert.equal(result.name, 'AbortError');
    assert.ok(result.ms < 50, `rejected after ${result.ms} ms`);
    await until(() => seen.aborted.includes('iso: CANCELLED'), "the core's ctx.signal to abort");
  });

  test('an 8 MiB page → core stream arrives sealed, every byte in order, the core holding at most its window', async () => {
    seen.maxQueued = 0;
    const total = 8 * 1024 * 1024;
    const n = await page.evaluate((total) => window.client.upload({ file: window.patternStream(total, 100_000) }), total);
    assert.equal(n, total);
    assert.ok(seen.maxQueued <= STREAM_WINDOW, `the core queued ${seen.maxQueued} bytes`);
  });

  test('the hook judged the calls but never saw a cancel or stream data; nothing reached the core unsealed', async () => {
    const frame = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(frame, 'the isolation frame exists');
    const hookSaw = await frame.evaluate(() => (window as unknown as { seen: string[] }).seen);
    assert.ok(hookSaw.includes('hang') && hookSaw.includes('upload'));
    assert.deepEqual(
      hookSaw.filter((c) => c.startsWith('__airlock:')),
      [],
    );
    // A plaintext cancel or stream frame on the page's socket would have closed it as a protocol violation.
    assert.equal(await page.evaluate(() => window.client.greet({ name: 'still connected' })), 'Hello, still connected!');
    assert.deepEqual(
      t.logs.filter((l) => /protocol violation|dropped a control message/.test(l)),
      [],
    );
  });
});
