// The wire decoder is the guard every inbound text frame passes: for any text it returns exactly a known frame or
// throws a coded AirlockError (PROTOCOL or PAYLOAD_TOO_LARGE) — never another exception, never a frame with a field
// of the wrong type, never an object whose prototype a key could change.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeClientFrame, jsonDepthExceeds } from '../../src/protocol/codec.ts';
import { AirlockError, ErrorCode } from '../../src/protocol/errors.ts';
import { type ClientFrame, isCallbackId } from '../../src/protocol/frames.ts';
import { anyCodePoint, textFrame } from './frames.ts';

export const DECODER_RUNS = 60_000;
const SEED = Number(process.env['FUZZ_SEED'] ?? 35_222_007);
const limits = { maxDepth: 128 };
const protoNames = Object.getOwnPropertyNames(Object.prototype).sort().join();

function checkFrame(text: string): void {
  let frame: ClientFrame;
  try {
    frame = decodeClientFrame(text, limits);
  } catch (e) {
    assert.ok(e instanceof AirlockError, `only AirlockError may escape the decoder, got ${String(e)}`);
    assert.ok(e.code === ErrorCode.PROTOCOL || e.code === ErrorCode.PAYLOAD_TOO_LARGE, `unexpected code ${e.code}`);
    assert.ok(e.message.length > 0 && e.message.length <= 200, `error messages are short whatever the input (${e.message.length} chars)`);
    return;
  }
  assert.ok(frame.t === 'i' || frame.t === 's');
  assert.equal(typeof frame.c, 'string');
  assert.ok(frame.c.length > 0 && frame.c.length <= 256);
  assert.ok(isCallbackId(frame.cb) && isCallbackId(frame.er));
  if (frame.h !== undefined) {
    assert.equal(Object.getPrototypeOf(frame.h), null, 'headers are a null-prototype object');
    for (const v of Object.values(frame.h)) assert.equal(typeof v, 'string');
  }
  if (frame.t === 'i') assert.ok(frame.b === undefined || frame.b === 1);
  else {
    assert.ok(frame.k === 'j' || frame.k === 'r');
    assert.ok(Number.isSafeInteger(frame.q) && frame.q >= 0);
  }
  assert.ok(!jsonDepthExceeds(text, limits.maxDepth + 1));
}

describe('wire decoder under fuzzing', () => {
  test(`${DECODER_RUNS.toLocaleString('en')} generated text frames: a known frame or a coded error, nothing else`, () => {
    fc.assert(
      fc.property(textFrame, (text) => checkFrame(text)),
      { numRuns: DECODER_RUNS, seed: SEED },
    );
    assert.equal(Object.getOwnPropertyNames(Object.prototype).sort().join(), protoNames, 'Object.prototype is untouched');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  test('arbitrary strings, including lone surrogates and control characters, never throw anything but AirlockError', () => {
    fc.assert(
      fc.property(fc.string({ unit: anyCodePoint, maxLength: 64 }), (text) => checkFrame(text)),
      { numRuns: 5_000, seed: SEED },
    );
  });

  test('errors never echo more than a few dozen characters of what the page sent (no log amplification)', () => {
    const huge = 'x'.repeat(1_000_000);
    for (const text of [
      JSON.stringify({ t: huge, c: 'ping', cb: 1, er: 2 }),
      JSON.stringify({ t: 'i', c: 'ping', cb: 1, er: 2, h: { [huge]: 1 } }),
      JSON.stringify({ t: 'i', c: huge, cb: 1, er: 2 }),
      JSON.stringify({ t: { [huge]: [huge] }, c: 'ping', cb: 1, er: 2 }),
    ]) {
      const e = (() => {
        try {
          decodeClientFrame(text, limits);
        } catch (error) {
          return error as AirlockError;
        }
        return assert.fail('the frame was accepted');
      })();
      assert.equal(e.code, ErrorCode.PROTOCOL);
      assert.ok(e.message.length <= 200, `${e.message.length} chars`);
    }
  });

  test('the depth counter agrees with a parse: text it passes never nests deeper than the limit', () => {
    const nested = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.jsonValue({ maxDepth: 0 }),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 3 }), tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    const depth = (v: unknown): number =>
      typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v as object).map(depth)) : 0;
    fc.assert(
      fc.property(nested, fc.integer({ min: 1, max: 6 }), (v, max) => {
        assert.equal(jsonDepthExceeds(JSON.stringify(v), max), depth(v) > max);
      }),
      { numRuns: 3_000, seed: SEED },
    );
  });
});
