// Reloads, navigation and reconnects: nothing leaks, in-flight calls are settled, the webview keeps its label.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { appInternals } from 'airlock/testing';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { until } from '../helpers/wait.js';

let browser: Browser;
let t: TestApp;
let page: Page;
const aborted: string[] = [];

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) =>
    b.invokeHandler({
      hang: (_a, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted.push(ctx.webview);
            reject(ctx.signal.reason);
          });
        }),
      whoami: (_a, ctx) => ctx.webview,
    }),
  );
  page = await openPage(browser, t.server.url('main'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

describe('page lifecycle', () => {
  test("a reload mid-call aborts the call, drops the page's listeners, and the page reconnects as the same webview", async () => {
    await page.evaluate(async () => {
      await window.api.event.listen('x', () => {});
      void window.api.core.invoke('hang');
    });
    await until(() => t.app.stats.pending === 1, 'the call to start');
    assert.equal(t.app.stats.pageListeners, 1);
    await page.reload();
    await page.waitForFunction(() => typeof window.api === 'object');
    await until(() => aborted.length === 1, 'ctx.signal to abort');
    assert.deepEqual(aborted, ['main']);
    assert.equal(await page.evaluate(() => window.api.core.invoke('whoami')), 'main');
    assert.equal(t.app.stats.pending, 0);
    assert.equal(t.app.stats.pageListeners, 0);
    assert.deepEqual(t.app.webviews(), ['main']);
  });

  test('20 reload cycles leave no calls, listeners or channels behind', async () => {
    for (let i = 0; i < 20; i++) {
      await page.evaluate(async () => {
        await window.api.event.listen('y', () => {});
        void window.api.core.invoke('hang').catch(() => null);
      });
      await page.reload();
      await page.waitForFunction(() => typeof window.api === 'object');
    }
    assert.equal(await page.evaluate(() => window.api.core.invoke('whoami')), 'main');
    await until(() => t.app.stats.pending === 0, 'calls to settle');
    assert.deepEqual({ ...t.app.stats }, { webviews: 1, pending: 0, pageListeners: 0, nodeListeners: 0, channels: 0, droppedEvents: 0 });
  });

  test('calls in flight when the core closes the connection reject with DISCONNECTED', async () => {
    const pending = page.evaluate(() => window.api.core.invoke('hang').catch((e: unknown) => e));
    await until(() => t.app.stats.pending === 1, 'the call to start');
    appInternals(t.app).connection('main')?.close(4050, 'test closes the socket');
    const err = (await pending) as { code?: string; message?: string };
    assert.equal(err.code, 'DISCONNECTED');
    assert.equal(await page.evaluate(() => window.api.core.invoke('whoami')), 'main', 'the next call reconnects');
  });

  test('a second tab with the same launch URL cannot take the label', async () => {
    const url = t.server.url('solo');
    const first = await openPage(browser, url);
    assert.equal(await first.evaluate(() => window.api.core.invoke('whoami')), 'solo');
    const second = await openPage(browser, url);
    const err = await second.evaluate(() => window.api.core.invoke('whoami').catch((e: unknown) => e));
    assert.equal((err as { code?: string }).code, 'DISCONNECTED');
    assert.equal(await first.evaluate(() => window.api.core.invoke('whoami')), 'solo');
  });
});
