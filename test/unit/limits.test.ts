// Limits, deadlines and backpressure: one page cannot exhaust the core, and a hung handler does not pin a call.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { channel, command, type App } from 'airlock';
import { connectInMemory } from 'airlock/testing';
import { channelRef } from '../../src/protocol/frames.ts';
import { encodeCall } from '../../src/protocol/page.ts';
import { buildApp as build } from '../helpers/app.js';
import { recordingPage } from '../helpers/peer.js';
import { until } from '../helpers/wait.js';

/** A page whose socket reports `queued` bytes waiting, as a stalled browser tab would. */
async function stalledPage(app: App, queued: { bytes: number }) {
  const page = await recordingPage(app, { label: 'slow', bufferedAmount: () => queued.bytes });
  return { conn: page.conn, sent: page.text, closed: () => page.closed?.reason };
}

describe('deadlines and cancellation', () => {
  test('a command past its deadline rejects with TIMEOUT and its signal aborts', async () => {
    let signal: AbortSignal | undefined;
    await using app = await build({
      slow: command(
        z.object({}),
        (_a, ctx) => {
          signal = ctx.signal;
          return new Promise(() => {});
        },
        { timeoutMs: 30 },
      ),
    });
    const page = await connectInMemory(app);
    const err = (await page.invoke('slow', {}).catch((e: unknown) => e)) as { code: string; message: string };
    assert.equal(err.code, 'TIMEOUT');
    assert.match(err.message, /command `slow` ran past its deadline of 30 ms/);
    assert.equal(signal?.aborted, true);
    assert.equal(app.stats.pending, 0);
  });

  test('limits.commandTimeoutMs applies to every command that sets none', async () => {
    await using app = await build({ hang: () => new Promise(() => {}) }, { commandTimeoutMs: 20 });
    const err = (await (await connectInMemory(app)).invoke('hang').catch((e: unknown) => e)) as { code: string };
    assert.equal(err.code, 'TIMEOUT');
  });

  test('a handler that never settles is released as soon as its page goes away', async () => {
    await using app = await build({ hang: () => new Promise(() => {}) });
    const page = await connectInMemory(app);
    for (let i = 0; i < 100; i++) void page.invoke('hang').catch(() => null);
    await until(() => app.stats.pending === 100, 'the 100 calls to start');
    page.close();
    await until(() => app.stats.pending === 0, 'the calls to be released');
  });
});

describe('per-page limits', () => {
  test('calls beyond maxPendingInvokes reject with LIMIT_EXCEEDED; the page keeps working', async () => {
    await using app = await build({ hang: () => new Promise(() => {}), ping: () => 'pong' }, { maxPendingInvokes: 3 });
    const page = await connectInMemory(app);
    for (let i = 0; i < 3; i++) void page.invoke('hang');
    const err = (await page.invoke('ping').catch((e: unknown) => e)) as { code: string };
    assert.equal(err.code, 'LIMIT_EXCEEDED');
    const other = await connectInMemory(app, 'other');
    assert.equal(await other.invoke('ping'), 'pong', 'other webviews are unaffected');
  });

  test('listeners beyond maxListeners are refused', async () => {
    await using app = await build({}, { maxListeners: 2 });
    const page = await connectInMemory(app);
    await page.listen('a', () => {});
    await page.listen('b', () => {});
    await assert.rejects(
      page.listen('c', () => {}),
      (e: { code: string }) => e.code === 'LIMIT_EXCEEDED',
    );
  });

  test('emitting faster than maxEventsPerSecond is refused with a coded error', async () => {
    await using app = await build({}, { maxEventsPerSecond: 5 });
    const page = await connectInMemory(app);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        page.invoke('plugin:event|emit', { event: 'e' }).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        ),
      ),
    );
    assert.deepEqual(results.filter((r) => r === 'ok').length, 5);
    assert.ok(results.includes('LIMIT_EXCEEDED'));
  });

  test('frames nested deeper than maxDepth close the page with a reason', async () => {
    await using app = await build({ ping: () => 1 }, { maxDepth: 8 });
    const page = await connectInMemory(app);
    page.sendRaw(encodeCall.invoke({ cmd: 'ping', callback: 1, error: 2 }, `${'['.repeat(20)}${']'.repeat(20)}`));
    assert.equal(page.connection.open, false);
  });
});

describe('backpressure', () => {
  test('events for a page that does not read are dropped and counted, then it is disconnected', async () => {
    await using app = await build({}, { maxBufferedBytes: 1000 });
    const queued = { bytes: 0 };
    const slow = await stalledPage(app, queued);
    slow.conn.addListener('tick', { kind: 'Any' }, 7);
    app.emit('tick', 1);
    await new Promise(setImmediate); // events leave at the end of the turn (batched)
    assert.equal(slow.sent.filter((f) => f.startsWith('{"e"')).length, 1);
    queued.bytes = 1500;
    app.emit('tick', 2);
    app.emit('tick', 3);
    await new Promise(setImmediate);
    assert.equal(slow.sent.filter((f) => f.startsWith('{"e"')).length, 1);
    assert.equal(app.stats.droppedEvents, 2);
    queued.bytes = 2500;
    app.emit('tick', 4);
    assert.match(slow.closed() ?? '', /slow consumer/);
    assert.equal(app.stats.webviews, 0);
    assert.equal(app.stats.droppedEvents, 3);
  });

  test('a channel sender that overruns a stalled page is cut off with CHANNEL_CLOSED', async () => {
    const queued = { bytes: 0 };
    let failure: unknown;
    await using app = await build(
      {
        flood: command(z.object({ ch: channel() }), ({ ch }) => {
          try {
            for (let i = 0; i < 100; i++) {
              ch.send(i);
              queued.bytes += 100;
            }
          } catch (e) {
            failure = e;
          }
        }),
      },
      { maxBufferedBytes: 1000 },
    );
    const slow = await stalledPage(app, queued);
    slow.conn.receive(encodeCall.invoke({ cmd: 'flood', callback: 1, error: 2 }, JSON.stringify({ ch: channelRef(9) })));
    await until(() => failure !== undefined, 'the handler to stop sending');
    assert.equal((failure as { code?: string }).code, 'CHANNEL_CLOSED');
    assert.match(slow.closed() ?? '', /slow consumer/);
  });
});
