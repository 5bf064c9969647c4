// Both sides of the wire agree: what the page's encoders write, the core's decoder reads back field for field, and
// what the core's encoders write, the page's decoder reads back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeClientFrame, decodePageFrame, encode } from '../../src/protocol/codec.ts';
import { channelRef, type InvokeFrame, parseChannelRef, parseStreamRef, streamRef } from '../../src/protocol/frames.ts';
import { decodeServerFrames, encodeCall } from '../../src/protocol/page.ts';

/** The one message a single (not batched) text frame holds, or undefined for none. */
const decodeServerFrame = (text: string) => decodeServerFrames(text)[0];

const limits = { maxDepth: 16 };

describe('page → core', () => {
  test('cancel and stream frames: what the page writes the core reads back, and malformed ones are refused', () => {
    assert.deepEqual(decodePageFrame(encodeCall.cancel(7), limits), { t: 'x', cb: 7 });
    assert.deepEqual(decodePageFrame(encodeCall.drag('drop', 12.5, 7, 3), limits), { t: 'g', k: 'drop', x: 12.5, y: 7, q: 3 });
    assert.deepEqual(decodePageFrame(encodeCall.streamChunk(3), limits), { t: 'd', s: 3, b: 1 });
    assert.deepEqual(decodePageFrame(encodeCall.streamEnd(3), limits), { t: 'd', s: 3, end: 1 });
    assert.deepEqual(decodePageFrame(encodeCall.streamError(3, 'disk gone'), limits), { t: 'd', s: 3, err: 'disk gone' });
    for (const bad of [
      '{"t":"x"}',
      '{"t":"x","cb":-1}',
      '{"t":"d","s":1}',
      '{"t":"d","s":1,"b":1,"end":1}',
      '{"t":"d","s":"1","end":1}',
      '{"t":"d","s":1,"err":5}',
      '{"t":"g","k":"wiggle","x":1,"y":2,"q":0}',
      '{"t":"g","k":"drop","x":"1","y":2,"q":0}',
      '{"t":"g","k":"drop","x":1,"y":2,"q":-1}',
    ]) {
      assert.throws(
        () => decodePageFrame(bad, limits),
        (e: unknown) => (e as { code?: string }).code === 'PROTOCOL',
        bad,
      );
    }
    // The isolation frame's socket carries calls only: a cancel or stream frame there is refused.
    assert.throws(() => decodeClientFrame(encodeCall.cancel(7), limits), /expected a call frame/);
    assert.throws(() => decodeClientFrame(encodeCall.streamEnd(3), limits), /expected a call frame/);
    assert.throws(() => decodeClientFrame(encodeCall.drag('over', 1, 2, 0), limits), /expected a call frame/);
    assert.equal(parseStreamRef(streamRef(42)), 42);
    assert.equal(parseStreamRef('__STREAM__:x'), undefined);
    assert.equal(parseStreamRef('__CHANNEL__:1'), undefined);
    assert.deepEqual(decodeServerFrame(encode.streamCredit(3, 1024)), { kind: 'credit', id: 3, bytes: 1024 });
  });

  test('an invoke with JSON arguments and headers', () => {
    const text = encodeCall.invoke({ cmd: 'greet "you"', callback: 7, error: 8, headers: { 'x-a': '1' } }, '{"name":"Ada"}');
    const { h, ...rest } = decodeClientFrame(text, limits) as InvokeFrame;
    assert.deepEqual(rest, { t: 'i', c: 'greet "you"', cb: 7, er: 8, a: { name: 'Ada' } });
    assert.deepEqual({ ...h }, { 'x-a': '1' });
  });

  test('an invoke whose body is bytes', () => {
    assert.deepEqual(decodeClientFrame(encodeCall.invokeBytes({ cmd: 'up', callback: 1, error: 2 }), limits), {
      t: 'i',
      c: 'up',
      cb: 1,
      er: 2,
      b: 1,
    });
  });

  test('a sealed call', () => {
    const text = encodeCall.sealed({ cmd: 'x', callback: 3, error: 4 }, { i: 'frame-1', q: 9, n: 'AAAAAAAAAAAAAAAA', k: 'r' });
    assert.deepEqual(decodeClientFrame(text, limits), { t: 's', c: 'x', cb: 3, er: 4, i: 'frame-1', q: 9, n: 'AAAAAAAAAAAAAAAA', k: 'r' });
  });
});

describe('core → page', () => {
  test('hello, responses, events and channel messages', () => {
    assert.deepEqual(decodeServerFrame(encode.hello('tok', 'c1')), { kind: 'hello', token: 'tok', connection: 'c1', assets: undefined });
    assert.deepEqual(decodeServerFrame(encode.hello('tok', 'c1', 'http://127.0.0.1:9/s3cret')), {
      kind: 'hello',
      token: 'tok',
      connection: 'c1',
      assets: 'http://127.0.0.1:9/s3cret',
    });
    assert.deepEqual(decodeServerFrame(encode.response(5, '[1,2]')), { kind: 'response', id: 5, bytes: false, data: [1, 2] });
    assert.deepEqual(decodeServerFrame(encode.responseBytes(5)), { kind: 'response', id: 5, bytes: true, data: undefined });
    assert.deepEqual(decodeServerFrame(encode.event('"tick"', '{"n":1}', [11, 12, 13, 14])), {
      kind: 'event',
      name: 'tick',
      payload: { n: 1 },
      listeners: [11, 12, 13, 14],
    });
    assert.deepEqual(decodeServerFrame(encode.channel(3, 0, '"a"')), {
      kind: 'channel',
      id: 3,
      index: 0,
      bytes: false,
      end: false,
      data: 'a',
    });
    assert.deepEqual(decodeServerFrame(encode.channelBytes(3, 1)), {
      kind: 'channel',
      id: 3,
      index: 1,
      bytes: true,
      end: false,
      data: undefined,
    });
    assert.deepEqual(decodeServerFrame(encode.channelEnd(3, 2)), {
      kind: 'channel',
      id: 3,
      index: 2,
      bytes: false,
      end: true,
      data: undefined,
    });
  });

  test('an unknown frame is no frame, and inherited properties do not make one', () => {
    assert.equal(decodeServerFrame('{"x":1}'), undefined);
    assert.equal(decodeServerFrame('null'), undefined);
    const proto = Object.prototype as Record<string, unknown>;
    proto['r'] = 1;
    try {
      assert.equal(decodeServerFrame('{"x":1}'), undefined);
    } finally {
      delete proto['r'];
    }
  });
});

test('the channel marker round-trips, and only u32 ids parse', () => {
  assert.equal(parseChannelRef(channelRef(42)), 42);
  assert.equal(parseChannelRef(channelRef(0xffff_ffff)), 0xffff_ffff);
  for (const bad of ['__CHANNEL__:', '__CHANNEL__:4294967296', '__CHANNEL__:-1', '__CHANNEL__:1e3', 'CHANNEL:1', 7, null]) {
    assert.equal(parseChannelRef(bad), undefined, String(bad));
  }
});
