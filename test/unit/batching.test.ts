// Batch frames (protocol/frames.ts): what the core produces for a page in one turn leaves as one text frame, in
// order with everything else it sends, without waiting for a timer, bounded in size, and counted for backpressure;
// the page's decoder reads batches and refuses malformed ones whole.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { type App, channel, command } from 'airlock';
import { connectInMemory } from 'airlock/testing';
import { encode } from '../../src/protocol/codec.ts';
import { AirlockError, ErrorCode } from '../../src/protocol/errors.ts';
import { BATCH_MAX_CHARS, BATCH_MAX_FRAMES } from '../../src/protocol/frames.ts';
import { decodeServerFrames, type ServerMessage } from '../../src/protocol/page.ts';
import { buildApp as build } from '../helpers/app.js';
import { recordingPage } from '../helpers/peer.js';

/** One turn of the event loop has ended (and with it every `process.nextTick` and microtask it scheduled). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A short label per message, so a sequence of frames reads as one array. */
function label(m: ServerMessage): string {
  if (m.kind === 'event') return `e:${JSON.stringify(m.payload)}`;
  if (m.kind === 'response') return m.bytes ? 'r:bytes' : `r:${JSON.stringify(m.data)}`;
  if (m.kind === 'channel') return m.end ? `end:${m.index}` : m.bytes ? `c${m.index}:bytes` : `c${m.index}:${JSON.stringify(m.data)}`;
  return m.kind;
}

/** Every frame as labels, binary bodies as `bin:<first byte>`; and how many messages each text frame held. */
function read(frames: ReadonlyArray<string | Uint8Array>): { labels: string[]; sizes: number[] } {
  const labels: string[] = [];
  const sizes: number[] = [];
  for (const f of frames) {
    if (typeof f !== 'string') {
      labels.push(`bin:${f[0]}`);
      continue;
    }
    const messages = decodeServerFrames(f);
    sizes.push(f.startsWith('[') ? messages.length : 0);
    for (const m of messages) labels.push(label(m));
  }
  return { labels, sizes };
}

describe('batch frames: the page decoder', () => {
  test('a batch reads as its frames in order; a single frame as itself', () => {
    const batch = `[${encode.event('"tick"', '{"n":1}', [11, 12])},${encode.channel(3, 0, '"a"')},${encode.channelEnd(3, 1)},${encode.response(9, 'true')}]`;
    assert.deepEqual(decodeServerFrames(batch), [
      { kind: 'event', name: 'tick', payload: { n: 1 }, listeners: [11, 12] },
      { kind: 'channel', id: 3, index: 0, bytes: false, end: false, data: 'a' },
      { kind: 'channel', id: 3, index: 1, bytes: false, end: true, data: undefined },
      { kind: 'response', id: 9, bytes: false, data: true },
    ]);
    assert.deepEqual(decodeServerFrames(encode.event('"x"', 'null', [1, 2])), [
      { kind: 'event', name: 'x', payload: null, listeners: [1, 2] },
    ]);
    // Unknown frames are skipped, in a batch as alone (a newer core's frame kinds).
    assert.deepEqual(decodeServerFrames('{"zz":1}'), []);
    assert.deepEqual(decodeServerFrames(`[{"zz":1},${encode.channel(3, 0, '1')}]`).length, 1);
  });

  test('malformed batches are refused whole with a PROTOCOL error that says what is wrong', () => {
    const ok = encode.channel(1, 0, '1');
    const cases: Array<[string, RegExp]> = [
      ['[]', /no frames/],
      [`[${ok},[${ok}]]`, /element 1 is not a frame object/],
      [`[${ok},5]`, /element 1 is not a frame object/],
      [`[${ok},null]`, /element 1 is not a frame object/],
      [`[${ok},"x"]`, /element 1 is not a frame object/],
      [`[${ok},${encode.channelBytes(1, 1)}]`, /element 1 announces a binary body/],
      [`[${ok},${encode.responseBytes(4)}]`, /element 1 announces a binary body/],
      [`[${Array.from({ length: BATCH_MAX_FRAMES + 1 }, () => ok).join(',')}]`, /more than 1024/],
      [`[${ok},${encode.channel(1, 1, JSON.stringify('x'.repeat(BATCH_MAX_CHARS)))}]`, /characters, more than/],
    ];
    for (const [text, why] of cases) {
      assert.throws(
        () => decodeServerFrames(text),
        (e: unknown) => {
          const err = e as { code?: string; message?: string };
          assert.equal(err.code, 'PROTOCOL');
          assert.match(err.message ?? '', /malformed batch frame/);
          assert.match(err.message ?? '', why);
          return true;
        },
        text.slice(0, 60),
      );
    }
    assert.throws(
      () => decodeServerFrames('[{"c":1'),
      (e: unknown) => /not JSON/.test((e as Error).message),
    );
  });

  test('any text, any array: the decoder returns messages or throws a PROTOCOL AirlockError, nothing else', () => {
    const frame = fc.oneof(
      fc.jsonValue(),
      fc.record({ e: fc.string(), p: fc.jsonValue(), l: fc.array(fc.nat()) }),
      fc.record({ c: fc.nat(), i: fc.nat(), m: fc.jsonValue() }),
      fc.record({ c: fc.nat(), i: fc.nat(), b: fc.constant(1) }),
      fc.record({ r: fc.nat(), d: fc.jsonValue() }),
      fc.record({ hello: fc.jsonValue() }),
    );
    const text = fc.oneof(
      fc.array(frame, { maxLength: 40 }).map((a) => JSON.stringify(a)),
      frame.map((f) => JSON.stringify(f) ?? 'null'),
      fc.string({ unit: 'binary' }),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          const messages = decodeServerFrames(t);
          assert.ok(Array.isArray(messages));
          for (const m of messages) assert.equal(typeof m.kind, 'string');
        } catch (e) {
          assert.ok(e instanceof AirlockError, `only AirlockError escapes, got ${String(e)}`);
          assert.equal(e.code, ErrorCode.PROTOCOL);
        }
      }),
      { numRuns: 3000, seed: 152_026 },
    );
  });
});

/** A recording page with one listener of `tick` (handler 7), its hello already taken off. */
async function tickPage(app: App): Promise<Awaited<ReturnType<typeof recordingPage>>> {
  const page = await recordingPage(app);
  page.conn.addListener('tick', { kind: 'Any' }, 7);
  page.text.splice(0); // the hello
  return page;
}

describe('batch frames: the core', () => {
  test('a lone event leaves in the turn it was emitted, as a plain frame (no timer)', async () => {
    await using app = await build();
    const page = await tickPage(app);
    app.emit('tick', 1);
    await turn();
    assert.equal(page.text.length, 1);
    assert.match(page.text[0] ?? '', /^\{"e":"tick","p":1,"l":\[\d+,7\]\}$/);
  });

  test('events, channel messages and responses of one turn keep their exact order; JSON ones share a frame', async () => {
    await using app = await build({
      ping: () => 'pong',
      mix: command(z.object({ ch: channel() }), ({ ch }, ctx) => {
        ctx.app.emit('tick', 'a');
        ch.send('m0');
        ctx.app.emit('tick', 'b');
        ch.send(new Uint8Array([7]));
        ctx.app.emit('tick', 'c');
        ch.send('m2');
        return 'done';
      }),
    });
    const page = await connectInMemory(app);
    await page.listen('tick', () => {});
    const ch = page.channel();
    await turn();
    const from = page.received.length;
    // One turn: an event, a call answered at once, another event, then the mixed command.
    app.emit('tick', 'before');
    page.sendRaw(`{"t":"i","c":"ping","cb":1001,"er":1002,"a":{}}`);
    app.emit('tick', 'after');
    const done = page.invoke('mix', { ch: ch.id });
    assert.equal(await done, 'done');
    await ch.ended;
    const { labels, sizes } = read(page.received.slice(from));
    assert.deepEqual(labels, [
      'e:"before"',
      'r:"pong"',
      'e:"after"',
      'e:"a"',
      'c0:"m0"',
      'e:"b"',
      'c1:bytes',
      'bin:7',
      'e:"c"',
      'c2:"m2"',
      'end:3',
      'r:"done"',
    ]);
    // `before` left alone (the response flushed it); `after`…`b` as one batch (the bytes header flushed it); `c`, `m2`
    // and the channel's end (the command settled) as one, before the answer.
    assert.deepEqual(sizes, [0, 0, 4, 0, 3, 0]);
    assert.deepEqual(
      ch.messages.map((m) => (m instanceof Uint8Array ? [...m] : m)),
      ['m0', [7], 'm2'],
    );
  });

  test('across turns each turn is its own frame', async () => {
    await using app = await build();
    const page = await tickPage(app);
    app.emit('tick', 1);
    await turn();
    app.emit('tick', 2);
    app.emit('tick', 3);
    await turn();
    app.emit('tick', 4);
    await turn();
    const { labels, sizes } = read(page.text);
    assert.deepEqual(labels, ['e:1', 'e:2', 'e:3', 'e:4']);
    assert.deepEqual(sizes, [0, 2, 0]);
  });

  test('a burst is cut into batches within the frame and character caps, in order, a huge event alone', async () => {
    await using app = await build();
    const page = await tickPage(app);
    const big = 'x'.repeat(BATCH_MAX_CHARS + 10);
    for (let i = 0; i < 3000; i++) app.emit('tick', i === 1500 ? big : i);
    for (let i = 0; i < 2000; i++) app.emit('tick', { i, pad: 'p'.repeat(100) });
    await turn();
    const { labels, sizes } = read(page.text);
    const expected = [
      ...Array.from({ length: 3000 }, (_, i) => (i === 1500 ? `e:${JSON.stringify(big)}` : `e:${i}`)),
      ...Array.from({ length: 2000 }, (_, i) => `e:${JSON.stringify({ i, pad: 'p'.repeat(100) })}`),
    ];
    assert.equal(labels.length, expected.length);
    assert.ok(
      labels.every((l, i) => l === expected[i]),
      'every event, in the order emitted',
    );
    for (const [i, text] of page.text.entries()) {
      if (text.startsWith('[')) {
        assert.ok(text.length <= BATCH_MAX_CHARS, `batch ${i} has ${text.length} characters`);
        assert.ok((sizes[i] ?? 0) <= BATCH_MAX_FRAMES);
      } else assert.ok(text.length > BATCH_MAX_CHARS, 'only the huge event leaves on its own');
    }
    // The small events fill batches to the frame cap; the padded ones to the character cap.
    assert.equal(sizes[0], BATCH_MAX_FRAMES);
    assert.equal(page.text.filter((t) => !t.startsWith('[')).length, 1);
    assert.ok(page.text.length < 30, `${page.text.length} frames for 5,000 events`);
  });

  test('backpressure counts the batch not yet sent: queuedBytes, and events dropped past maxBufferedBytes', async () => {
    await using app = await build({}, { maxBufferedBytes: 4000 });
    const page = await tickPage(app);
    app.emit('tick', 0);
    assert.ok(page.conn.stats.queuedBytes > 0, 'the pending batch is queued for the page');
    await turn();
    assert.equal(page.conn.stats.queuedBytes, 0);
    // One turn's burst: the peer reports nothing queued, yet the batch itself holds the bytes.
    for (let i = 1; i <= 100; i++) app.emit('tick', { i, pad: 'p'.repeat(40) });
    assert.ok(app.stats.droppedEvents > 0, 'the batch counts against maxBufferedBytes');
    await turn();
    const { labels } = read(page.text);
    const delivered = labels.slice(1).map((l) => (JSON.parse(l.slice(2)) as { i: number }).i);
    assert.ok(delivered.length > 0 && delivered.length < 100);
    assert.deepEqual(
      delivered,
      Array.from({ length: delivered.length }, (_, k) => k + 1),
      'a prefix of the burst, in order',
    );
  });

  test('a close in the turn still sends what the turn produced before it', async () => {
    await using app = await build();
    const page = await tickPage(app);
    app.emit('tick', 1);
    app.emit('tick', 2);
    page.conn.close();
    assert.deepEqual(read(page.text).labels, ['e:1', 'e:2']);
    assert.ok(page.closed);
  });
});

describe('byte runs: channel bytes after the first go without a header', () => {
  test('one header, then one bare binary frame per chunk; an event between chunks leaves the run alone', async () => {
    let sent = 0;
    await using app = await build({
      chunks: command(z.object({ ch: channel() }), ({ ch }, ctx) => {
        for (let i = 0; i < 6; i++) {
          ch.send(new Uint8Array([i, i]));
          if (i === 2) ctx.app.emit('tick', 'mid');
          sent++;
        }
        return sent;
      }),
    });
    const page = await connectInMemory(app);
    await page.listen('tick', () => {});
    const ch = page.channel();
    await turn();
    const from = page.received.length;
    assert.equal(await page.invoke('chunks', { ch: ch.id }), 6);
    await ch.ended;
    assert.deepEqual(read(page.received.slice(from)).labels, [
      'c0:bytes',
      'bin:0',
      'bin:1',
      'bin:2',
      'e:"mid"',
      'bin:3',
      'bin:4',
      'bin:5',
      'end:6',
      'r:6',
    ]);
    assert.deepEqual(
      ch.messages.map((m) => [...(m as Uint8Array)]),
      [0, 1, 2, 3, 4, 5].map((i) => [i, i]),
    );
  });

  test('a bytes response, another channel or a JSON message in between starts a new run with a header', async () => {
    await using app = await build({
      blob: () => new Uint8Array([42]),
      two: command(z.object({ a: channel(), b: channel() }), async ({ a, b }) => {
        a.send(new Uint8Array([1]));
        a.send(new Uint8Array([2]));
        b.send(new Uint8Array([3])); // another channel
        a.send(new Uint8Array([4]));
        a.send('json'); // the same channel, not bytes
        a.send(new Uint8Array([5]));
        await new Promise((resolve) => setImmediate(resolve));
        a.send(new Uint8Array([6])); // after the bytes response below
        return 'ok';
      }),
    });
    const page = await connectInMemory(app);
    const a = page.channel();
    const b = page.channel();
    await turn();
    const from = page.received.length;
    const done = page.invoke('two', { a: a.id, b: b.id });
    const blob = page.invoke('blob');
    assert.deepEqual([...((await blob) as Uint8Array)], [42]);
    assert.equal(await done, 'ok');
    await Promise.all([a.ended, b.ended]);
    const { labels } = read(page.received.slice(from));
    assert.deepEqual(labels, [
      'c0:bytes',
      'bin:1',
      'bin:2',
      'c0:bytes',
      'bin:3',
      'c2:bytes',
      'bin:4',
      'c3:"json"',
      'c4:bytes',
      'bin:5',
      'r:bytes',
      'bin:42',
      'c5:bytes',
      'bin:6',
      'end:6',
      'end:1',
      'r:"ok"',
    ]);
    assert.deepEqual(
      a.messages.map((m) => (m instanceof Uint8Array ? [...m] : m)),
      [[1], [2], [4], 'json', [5], [6]],
    );
    assert.deepEqual(
      b.messages.map((m) => [...(m as Uint8Array)]),
      [[3]],
    );
  });
});
