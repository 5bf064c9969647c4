// 1,000 reload cycles. A Chromium reload costs a new document, bundle and socket (~0.1–0.2 s each here), so the
// 1,000 are done by a page that speaks the protocol over a real socket and reconnects exactly as a reloading page
// does — with the resume token of its previous connection — each time leaving listeners, a hung call and an open
// channel behind, and going away cleanly or abruptly in turn. 30 real Chromium reloads do the same with the official
// API. Afterwards nothing is left: no call, listener, channel or session beyond the one live page, and the heap is
// back where it started.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { channel, command } from 'airlock';
import { appInternals } from 'airlock/testing';
import { startApp, type TestApp, ticketFrom } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { liveHeap, mib, rssPeak } from '../helpers/memory.js';
import { connectWsPage } from '../helpers/ws-page.js';
import { channelRef } from '../../src/protocol/frames.ts';
import { until } from '../helpers/wait.js';

export const RELOADS = 1_000;
export const BROWSER_RELOADS = 30;

let t: TestApp;
let aborted = 0;

before(async () => {
  t = await startApp((b) =>
    b.invokeHandler({
      hang: (_a, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted++;
            reject(ctx.signal.reason);
          });
        }),
      open_channel: command(z.object({ ch: channel() }), ({ ch }) => {
        ch.keepOpen();
        ch.send('hello');
        return null;
      }),
      whoami: (_a, ctx) => ctx.webview,
    }),
  );
});

after(async () => {
  await t?.[Symbol.asyncDispose]();
});

const clean = (webviews: number) => ({ webviews, pending: 0, pageListeners: 0, nodeListeners: 0, channels: 0, droppedEvents: 0 });

describe('reload cycles', () => {
  test(`${RELOADS.toLocaleString('en')} reconnects with the resume token, each leaving listeners, a hung call and an open channel behind`, async (tc) => {
    let page = await connectWsPage(t.server, `ticket.${ticketFrom(t.server.url('main'))}`);
    const heap0 = liveHeap();
    const rss = rssPeak();
    const aborted0 = aborted;
    const started = Date.now();
    for (let i = 0; i < RELOADS; i++) {
      void page.invoke('hang').catch(() => null);
      const [who] = await Promise.all([
        page.invoke('whoami'),
        page.listen('a', () => {}),
        page.listen('b', () => {}),
        page.invoke('open_channel', { ch: channelRef(i + 1) }),
      ]);
      assert.equal(who, 'main');
      if (i % 2 === 0) await page.close();
      else {
        page.ws.terminate();
        await page.closed;
      }
      rss.sample();
      page = await connectWsPage(t.server, `resume.${page.token}`);
    }
    tc.diagnostic(`${RELOADS} reconnect cycles in ${Date.now() - started} ms; peak RSS +${mib(rss.peak - rss.start)} MiB`);
    await until(() => aborted - aborted0 === RELOADS, 'every hung call to be aborted');
    assert.deepEqual({ ...t.app.stats }, clean(1));
    assert.equal(appInternals(t.app).sessions.size, 1, 'one session, resumed each time');
    assert.equal(await page.invoke('whoami'), 'main');
    await page.close();
    await until(() => t.app.stats.webviews === 0, 'the last page to go');
    const heap = liveHeap() - heap0;
    assert.ok(heap < 8 * 1024 * 1024, `live heap grew by ${mib(heap)} MiB over ${RELOADS} cycles`);
  });

  describe(`${BROWSER_RELOADS} Chromium reloads`, () => {
    let browser: Browser;
    let page: Page;

    before(async () => {
      browser = await launchBrowser();
      page = await openPage(browser, t.server.url('tab'));
    });

    after(async () => {
      await browser?.close();
    });

    test('each reload mid-call and mid-stream leaves nothing behind, and the tab keeps its label', async (tc) => {
      const aborted0 = aborted;
      const started = Date.now();
      for (let i = 0; i < BROWSER_RELOADS; i++) {
        await page.evaluate(async () => {
          void window.api.core.invoke('hang').catch(() => null);
          await Promise.all([
            window.api.event.listen('x', () => {}),
            window.api.event.once('y', () => {}),
            window.api.core.invoke('open_channel', { ch: new window.api.core.Channel() }),
          ]);
        });
        await page.reload();
        await page.waitForFunction(() => typeof window.api === 'object');
      }
      tc.diagnostic(`${BROWSER_RELOADS} reloads in ${Date.now() - started} ms`);
      assert.equal(await page.evaluate(() => window.api.core.invoke('whoami')), 'tab');
      await until(() => aborted - aborted0 === BROWSER_RELOADS, 'every hung call to be aborted');
      assert.deepEqual({ ...t.app.stats }, clean(1));
      assert.equal(
        await page.evaluate(
          () => (window as unknown as { __TAURI_INTERNALS__: { callbacks: Map<number, unknown> } }).__TAURI_INTERNALS__.callbacks.size,
        ),
        0,
      );
    });
  });
});
