// The page dies while the core streams to it: its renderer crashes, its tab is closed, the whole browser is killed
// with SIGKILL, or a client drops its socket half-way through a frame. Each time a channel is streaming, events are
// flowing, and calls hang in flight. The streaming handler must see its channel end and its signal abort, and the
// core must hold nothing for the page afterwards — no call, listener, channel or webview — and keep serving.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { z } from 'zod';
import { channel, command } from 'airlock';
import { startApp, type TestApp, ticketFrom } from '../helpers/app.js';
import { CHROMIUM, CHROMIUM_ARGS, launchBrowser, openPage } from '../helpers/browser.js';
import { connectWsPage } from '../helpers/ws-page.js';
import { channelRef } from '../../src/protocol/frames.ts';
import { until } from '../helpers/wait.js';

let t: TestApp;
/** How each streaming handler ended. */
const endings: string[] = [];
let ticker: NodeJS.Timeout;

before(async () => {
  t = await startApp((b) =>
    b.invokeHandler({
      stream: command(z.object({ ch: channel<number>() }), async ({ ch }, ctx) => {
        try {
          for (let i = 0; ; i++) {
            ch.send(i);
            if (i % 50 === 49) await ch.ready();
            if (i % 200 === 199) await new Promise((r) => setTimeout(r, 1));
          }
        } catch (e) {
          endings.push(`${(e as { code?: string }).code} aborted=${ctx.signal.aborted}`);
        }
      }),
      hang: () => new Promise(() => {}),
      ping: () => 'pong',
    }),
  );
  ticker = setInterval(() => t.app.emit('tick', { at: Date.now(), pad: 'x'.repeat(200) }), 5);
});

after(async () => {
  clearInterval(ticker);
  await t?.[Symbol.asyncDispose]();
});

/** Starts a stream, 20 hung calls and 5 listeners in the page, and waits until the stream is flowing. */
async function busy(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const { invoke, Channel } = window.api.core;
    const w = window as unknown as { got: number };
    w.got = 0;
    const ch = new Channel<number>(() => void w.got++);
    void invoke('stream', { ch }).catch(() => null);
    for (let i = 0; i < 20; i++) void invoke('hang').catch(() => null);
    await Promise.all(Array.from({ length: 5 }, () => window.api.event.listen('tick', () => {})));
  });
  await page.waitForFunction(() => (window as unknown as { got: number }).got > 500);
}

async function coreHoldsNothing(what: string, endingsBefore: number): Promise<void> {
  await until(() => t.app.stats.webviews === 0 && t.app.stats.pending === 0, `${what}: the core to release the page`, 15_000);
  assert.deepEqual(
    { ...t.app.stats, droppedEvents: 0 },
    { webviews: 0, pending: 0, pageListeners: 0, nodeListeners: 0, channels: 0, droppedEvents: 0 },
    what,
  );
  await until(() => endings.length === endingsBefore + 1, `${what}: the stream to end`);
  assert.equal(endings.at(-1), 'CHANNEL_CLOSED aborted=true', what);
  const fresh = await connectWsPage(t.server, `ticket.${ticketFrom(t.server.url('after'))}`);
  assert.equal(await fresh.invoke('ping'), 'pong', `${what}: the core still serves`);
  await fresh.close();
  await until(() => t.app.stats.webviews === 0, 'the probe page to go');
}

describe('a page killed mid-stream', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  test('its renderer crashes', async () => {
    const page = await openPage(browser, t.server.url('crash'));
    await busy(page);
    const n = endings.length;
    const cdp = await page.context().newCDPSession(page);
    // The crash takes the answer with it: do not wait for one.
    void cdp.send('Page.crash').catch(() => null);
    await coreHoldsNothing('renderer crash', n);
  });

  test('its tab is closed', async () => {
    const page = await openPage(browser, t.server.url('closed'));
    await busy(page);
    const n = endings.length;
    await page.close();
    await coreHoldsNothing('tab closed', n);
  });

  test('the whole browser is killed with SIGKILL', async () => {
    // A browser of its own, launched as a server so its process id is known: only that process is killed.
    const victimServer = await chromium.launchServer({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const pid = victimServer.process().pid;
    try {
      const victim = await chromium.connect(victimServer.wsEndpoint());
      const page = await openPage(victim, t.server.url('killed'));
      await busy(page);
      const n = endings.length;
      assert.ok(pid !== undefined);
      process.kill(pid, 'SIGKILL');
      await coreHoldsNothing('browser SIGKILL', n);
    } finally {
      await victimServer.kill().catch(() => null);
    }
  });
});

describe('a protocol client dying mid-frame', () => {
  test('it drops its socket after half of a 1 MiB frame, while streaming and with calls in flight', async () => {
    const page = await connectWsPage(t.server, `ticket.${ticketFrom(t.server.url('raw'))}`);
    await page.listen('tick', () => {});
    for (let i = 0; i < 20; i++) void page.invoke('hang').catch(() => null);
    void page.invoke('stream', { ch: channelRef(7) }).catch(() => null);
    await until(() => t.app.stats.pending === 21, 'the calls to start');
    const n = endings.length;
    const socket = (page.ws as unknown as { _socket: import('node:net').Socket })._socket;
    // A masked text frame header announcing 1 MiB (client frames must be masked), then half the payload.
    const header = Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 2, 3, 4]);
    await new Promise((written) => socket.write(Buffer.concat([header, Buffer.alloc(512 * 1024, 0x20)]), written));
    socket.destroy();
    await coreHoldsNothing('socket dropped mid-frame', n);
  });
});
