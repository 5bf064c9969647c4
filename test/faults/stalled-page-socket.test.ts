// A page that stops reading its socket: a real Chromium tab stuck in a 5-second busy loop, and a protocol client that
// pauses its socket. The core must not grow without bound: past `limits.maxBufferedBytes` queued, events for that
// page are dropped and counted; past twice that, the page is disconnected as a slow consumer (close code 4029). A
// channel sender that awaits `channel.ready()` is held back instead, loses nothing, and is never disconnected.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { channel, command } from 'airlock';
import { appInternals } from 'airlock/testing';
import { startApp, type TestApp, ticketFrom } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { mib, rssPeak } from '../helpers/memory.js';
import { connectWsPage } from '../helpers/ws-page.js';
import { channelRef } from '../../src/protocol/frames.ts';
import { until } from '../helpers/wait.js';

const LIMIT = 512 * 1024;
const PAYLOAD = { pad: 'x'.repeat(16 * 1024) };

let t: TestApp;
/** Messages the `stream` command has sent so far. */
let streamed = 0;

before(async () => {
  t = await startApp((b) =>
    b.limits({ maxBufferedBytes: LIMIT }).invokeHandler({
      stream: command(z.object({ ch: channel(), n: z.number() }), async ({ ch, n }) => {
        streamed = 0;
        for (let i = 0; i < n; i++) {
          ch.send({ i, pad: 'y'.repeat(1024) });
          streamed++;
          if (i % 16 === 15) await ch.ready();
        }
        return n;
      }),
      whoami: (_a, ctx) => ctx.webview,
    }),
  );
});

after(async () => {
  await t?.[Symbol.asyncDispose]();
});

/** Emits 16 KiB events, 8 per millisecond tick, for `ms`, sampling RSS; resolves with the bytes and peak growth. */
async function flood(ms: number): Promise<{ bytes: number; growth: number }> {
  const rss = rssPeak();
  const end = Date.now() + ms;
  let events = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 8; i++, events++) t.app.emit('tick', PAYLOAD);
    rss.sample();
    await new Promise((r) => setTimeout(r, 1));
  }
  return { bytes: events * PAYLOAD.pad.length, growth: rss.peak - rss.start };
}

describe('a Chromium tab stuck in a busy loop', () => {
  let browser: Browser;
  let page: Page;

  before(async () => {
    browser = await launchBrowser();
    page = await openPage(browser, t.server.url('busy'));
  });

  after(async () => {
    await browser?.close();
  });

  test('its events are dropped, then it is disconnected; core memory stays bounded; it reconnects afterwards', async (tc) => {
    await page.evaluate(() => window.api.event.listen('tick', () => {}));
    const dropped0 = t.app.stats.droppedEvents;
    // The tab's main thread spins for 5 s and reads nothing meanwhile.
    const stalled = page.evaluate(() => {
      const end = Date.now() + 5000;
      while (Date.now() < end) {
        // busy
      }
    });
    const { bytes, growth } = await flood(4000);
    const dropped = t.app.stats.droppedEvents - dropped0;
    tc.diagnostic(`${mib(bytes)} MiB emitted at a stalled tab: ${dropped} events dropped, peak RSS +${mib(growth)} MiB`);
    assert.ok(dropped > 0, 'events beyond the limit were dropped and counted');
    await until(() => appInternals(t.app).connection('busy') === undefined, 'the slow consumer to be disconnected', 10_000);
    assert.ok(growth < 160 * 1024 * 1024, `peak RSS grew by ${mib(growth)} MiB`);
    await stalled;
    // The tab wakes up to find its socket closed (4029). A call made before it has seen the close fails with
    // DISCONNECTED; the next one reconnects it as the same webview.
    const after = await page.evaluate(async () => {
      const call = () => window.api.core.invoke<string>('whoami').catch((e: { code?: string }) => `${e.code}`);
      const first = await call();
      return first === 'DISCONNECTED' ? call() : first;
    });
    assert.equal(after, 'busy');
    assert.deepEqual({ pending: t.app.stats.pending, pageListeners: t.app.stats.pageListeners }, { pending: 0, pageListeners: 0 });
  });

  test('a channel that awaits ready() waits out the stall and delivers everything in order', async () => {
    const result = page.evaluate(async () => {
      const got: number[] = [];
      let all!: () => void;
      const allArrived = new Promise<void>((resolve) => {
        all = resolve;
      });
      const ch = new window.api.core.Channel<{ i: number }>((m) => {
        got.push(m.i);
        if (got.length === 4000) all();
      });
      const n = await window.api.core.invoke<number>('stream', { ch, n: 4000 });
      // Bounded, so that a lost message fails the count below instead of hanging the test.
      await Promise.race([allArrived, new Promise((r) => setTimeout(r, 10_000))]);
      return { n, count: got.length, inOrder: got.every((v, i) => v === i) };
    });
    await until(() => streamed > 100, 'the stream to start');
    await page.evaluate(() => {
      const end = Date.now() + 2000;
      while (Date.now() < end) {
        // busy
      }
    });
    assert.deepEqual(await result, { n: 4000, count: 4000, inOrder: true });
    assert.equal(appInternals(t.app).connection('busy')?.open, true, 'never disconnected');
  });
});

type Frame = { c?: number; m?: { i: number } };

describe('a protocol client that stops reading its socket', () => {
  test('events: dropped and counted past the limit, then the client is disconnected with 4029', async () => {
    const client = await connectWsPage(t.server, `ticket.${ticketFrom(t.server.url('paused'))}`);
    await client.listen('tick', () => {});
    const socket = (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    const dropped0 = t.app.stats.droppedEvents;
    const { growth } = await flood(1500);
    assert.ok(t.app.stats.droppedEvents > dropped0);
    assert.equal(appInternals(t.app).connection('paused'), undefined, 'disconnected as a slow consumer');
    assert.ok(growth < 160 * 1024 * 1024, `peak RSS grew by ${mib(growth)} MiB`);
    socket.resume();
    assert.equal(await client.closed, 4029);
  });

  test('a channel: the sender is held at the limit while the client is paused, and nothing is lost when it resumes', async () => {
    const client = await connectWsPage(t.server, `ticket.${ticketFrom(t.server.url('paused-channel'))}`);
    const got: number[] = [];
    client.ws.on('message', (data, binary) => {
      if (binary) return;
      // A text frame is one frame or a batch of them (protocol/frames.ts).
      const parsed = JSON.parse(data.toString()) as Frame | Frame[];
      for (const f of Array.isArray(parsed) ? parsed : [parsed]) if (f.c === 99 && f.m !== undefined) got.push(f.m.i);
    });
    const socket = (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
    const done = client.invoke('stream', { ch: channelRef(99), n: 20_000 });
    await until(() => streamed > 100, 'the stream to start');
    socket.pause();
    // Kernel buffers take a few MiB first; then the sender must stop, and stay stopped.
    for (let last = -1, end = Date.now() + 10_000; streamed !== last; ) {
      assert.ok(Date.now() < end, 'the sender was never held back');
      last = streamed;
      await new Promise((r) => setTimeout(r, 250));
    }
    const heldAt = streamed;
    // Nothing announces that nothing happens: watch for half a second that the sender stays where it stopped.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(streamed, heldAt, 'the sender made no progress while the client read nothing');
    assert.ok(heldAt < 20_000);
    assert.ok(appInternals(t.app).connection('paused-channel')?.open, 'not disconnected: the sender respected ready()');
    socket.resume();
    assert.equal(await done, 20_000);
    await until(() => got.length === 20_000, 'every message to arrive');
    assert.ok(
      got.every((v, i) => v === i),
      'in order, none lost',
    );
    await client.close();
  });
});
