// The isolation pattern when the page's own socket goes: calls answer or reject as they do in brownfield
// (test/browser/lifecycle.test.ts, test/attacks/second-tab-claims-label.test.ts), never wait for a frame that can no
// longer be bound. Every wait is bounded (`within`), so a call left unanswered fails its step, naming it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { appInternals } from 'airlock/testing';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { until, within } from '../helpers/wait.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
let browser: Browser;
let t: TestApp;
let page: Page;
let executed = 0;

before(async () => {
  browser = await launchBrowser();
  t = await startApp(
    (b) =>
      b.invokeHandler({
        hang: (_a, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
          }),
        whoami: (_a, ctx) => {
          executed++;
          return ctx.webview;
        },
      }),
    { config: { app: { security: { pattern: { use: 'isolation', options: { dir: path.join(fixtures, 'isolation') } } } } } },
  );
  page = await openPage(browser, t.server.url('main'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

const whoami = (p: Page): Promise<unknown> =>
  within(
    p.evaluate(() => window.api.core.invoke('whoami').catch((e: { code?: string; message?: string }) => `${e.code}: ${e.message}`)),
    '`whoami`',
  );

describe('isolation: the page socket closes', () => {
  test('calls in flight reject with DISCONNECTED; the next call reconnects, the frame starts over, and it is answered', async () => {
    assert.equal(await whoami(page), 'main');
    const pending = page.evaluate(() => window.api.core.invoke('hang').catch((e: unknown) => e));
    await until(() => t.app.stats.pending === 1, 'the call to start');
    appInternals(t.app).connection('main')?.close(4050, 'test closes the socket');
    const err = (await within(pending, '`hang` to reject')) as { code?: string; message?: string };
    assert.equal(err.code, 'DISCONNECTED');
    assert.equal(await whoami(page), 'main', 'the next call reconnects');
    assert.equal(await whoami(page), 'main');
    await until(() => t.app.stats.pending === 0, 'calls to settle');
  });

  test('a second tab claiming the live label gets DISCONNECTED (4009) at once, and the page keeps its label', async () => {
    assert.equal(await whoami(page), 'main', 'the label is held by a connected page');
    const before = executed;
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.evaluate(() => void window.open('/index.html', '_blank'))]);
    await popup.waitForFunction(() => typeof (window as unknown as { api?: unknown }).api === 'object');
    const first = (await whoami(popup)) as string;
    assert.match(first, /^DISCONNECTED: .*4009/);
    // A call made after the refusal tries again, and is refused again, rather than waiting for a frame token.
    assert.match((await whoami(popup)) as string, /^DISCONNECTED: .*4009/);
    assert.equal(executed, before, 'nothing the claimant sent ran');
    await popup.close();
    assert.equal(await whoami(page), 'main');
    assert.deepEqual(t.app.webviews(), ['main']);
  });
});
