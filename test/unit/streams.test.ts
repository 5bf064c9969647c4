// Page → core streams and cancel frames on the core's side of the wire, with a recording page: credit is granted
// only once the handler reads and only as it consumes, bytes beyond the credit close the page, data for a settled
// call is dropped, a stream id may be carried by one call at a time, and a cancel aborts ctx.signal and silences the call.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Builder, command, STREAM_WINDOW, stream } from 'airlock';
import { z } from 'zod';
import { decodeServerFrames, encodeCall } from '../../src/protocol/page.ts';
import { streamRef } from '../../src/protocol/frames.ts';
import { recordingPage } from '../helpers/peer.js';
import { until } from '../helpers/wait.js';

async function app(handlers: Parameters<Builder['invokeHandler']>[0]) {
  return Builder.default()
    .logger(() => {})
    .invokeHandler(handlers)
    .build({ frontendDist: '.' });
}

const credits = (text: string[]): number[] =>
  text.flatMap((t) => decodeServerFrames(t)).flatMap((f) => (f.kind === 'credit' ? [f.bytes] : []));

const invoke = (args: unknown, callback = 1, error = 2): string =>
  encodeCall.invoke({ cmd: 'upload', callback, error }, JSON.stringify(args));

describe('page → core streams (core side)', () => {
  test('credit comes once the handler reads, one window, then only as it consumes; every byte arrives in order', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const got: number[] = [];
    await using a = await app({
      upload: command(z.object({ file: stream() }), async ({ file }) => {
        await gate; // not reading yet: no credit may have been granted
        for await (const chunk of file) got.push(...chunk);
        return got.length;
      }),
    });
    const page = await recordingPage(a);
    page.conn.receive(invoke({ file: streamRef(5) }));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(credits(page.text), [], 'no credit before the handler reads');
    release();
    await until(() => credits(page.text).length === 1, 'the first grant');
    assert.deepEqual(credits(page.text), [STREAM_WINDOW]);
    for (const bytes of [[1, 2, 3], [4], [5, 6]]) {
      page.conn.receive(encodeCall.streamChunk(5));
      page.conn.receive(new Uint8Array(bytes));
    }
    page.conn.receive(encodeCall.streamEnd(5));
    await until(() => page.text.some((t) => t.startsWith('{"r":1')), 'the answer');
    assert.deepEqual(got, [1, 2, 3, 4, 5, 6]);
    assert.ok(page.text.includes('{"r":1,"d":6}'));
    assert.equal(page.closed, undefined);
  });

  test('bytes beyond the granted credit close the page as a protocol violation', async () => {
    await using a = await app({
      upload: command(z.object({ file: stream() }), async ({ file }) => {
        for await (const _ of file) await new Promise(() => {}); // reads one chunk, then stalls
      }),
    });
    const page = await recordingPage(a);
    page.conn.receive(invoke({ file: streamRef(1) }));
    await until(() => credits(page.text).length === 1, 'the grant');
    const chunk = new Uint8Array(64 * 1024);
    for (let sent = 0; sent <= STREAM_WINDOW && page.closed === undefined; sent += chunk.byteLength) {
      page.conn.receive(encodeCall.streamChunk(1));
      page.conn.receive(chunk);
    }
    assert.equal(page.closed?.code, 4000);
    assert.match(page.closed?.reason ?? '', /more bytes than the core granted/);
  });

  test('data for a stream whose call has settled is dropped; an id carried twice at once is refused', async () => {
    let release!: () => void;
    await using a = await app({
      upload: command(z.object({ file: stream() }), async () => {
        await new Promise<void>((r) => (release = r));
        return 'done';
      }),
    });
    const page = await recordingPage(a);
    page.conn.receive(invoke({ file: streamRef(9) }, 1, 2));
    await until(() => release !== undefined, 'the first call to run');
    page.conn.receive(invoke({ file: streamRef(9) }, 3, 4));
    await until(() => page.text.some((t) => t.startsWith('{"r":4')), 'the second call to be refused');
    assert.match(page.text.find((t) => t.startsWith('{"r":4')) ?? '', /already carried by another call/);
    release();
    await until(() => page.text.includes('{"r":1,"d":"done"}'), 'the first answer');
    page.conn.receive(encodeCall.streamChunk(9));
    page.conn.receive(new Uint8Array([1]));
    page.conn.receive(encodeCall.streamEnd(9));
    assert.equal(page.closed, undefined, 'late data is not a violation');
  });

  test('a cancel aborts ctx.signal with CANCELLED, fails the call’s streams, and nothing more is sent for it', async () => {
    const reasons: string[] = [];
    await using a = await app({
      upload: command(z.object({ file: stream() }), async ({ file }, ctx) => {
        ctx.signal.addEventListener('abort', () => reasons.push((ctx.signal.reason as { code: string }).code));
        try {
          for await (const _ of file);
        } catch (e) {
          reasons.push(`stream: ${(e as { code: string }).code}`);
          throw e;
        }
      }),
    });
    const page = await recordingPage(a);
    page.conn.receive(invoke({ file: streamRef(2) }, 11, 12));
    await until(() => credits(page.text).length === 1, 'the handler to read');
    const before = page.text.length;
    page.conn.receive(encodeCall.cancel(11));
    await until(() => reasons.length === 2, 'the abort');
    assert.deepEqual(reasons, ['CANCELLED', 'stream: CANCELLED']);
    await until(() => appStatsPending(a) === 0, 'the call to settle');
    assert.deepEqual(page.text.slice(before), [], 'no answer for a cancelled call');
    page.conn.receive(encodeCall.cancel(11)); // a second cancel, or one that crossed the answer: ignored
    assert.equal(page.closed, undefined);
  });
});

function appStatsPending(a: { stats: { pending: number } }): number {
  return a.stats.pending;
}

describe('under the isolation pattern', () => {
  test('a plaintext cancel or stream frame on the page socket is a protocol violation: they must come sealed', async () => {
    const dir = fileURLToPath(new URL('../fixtures/isolation-allowlist', import.meta.url));
    for (const frame of [encodeCall.cancel(1), encodeCall.streamEnd(1), encodeCall.streamChunk(1)]) {
      await using a = await Builder.default()
        .logger(() => {})
        .build({ frontendDist: '.', config: { app: { security: { pattern: { use: 'isolation', options: { dir } } } } } });
      const page = await recordingPage(a);
      page.conn.receive(frame);
      assert.equal(page.closed?.code, 4000, frame);
      assert.match(page.closed?.reason ?? '', /must be sealed/);
    }
  });

  test('an app command may not take the reserved __airlock: prefix of the control messages', () => {
    assert.throws(() => Builder.default().invokeHandler({ '__airlock:cancel': () => 1 }), /reserved for Airlock's control messages/);
  });
});
