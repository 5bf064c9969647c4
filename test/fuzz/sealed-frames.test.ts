// The framing of the isolation frame's socket (protocol/isolation.ts): every binary message there is read by
// decodeSealedBatch before anything is decrypted. For any bytes it returns calls that tile the message exactly, as
// views into it, or a short reason — it never throws, never reads past the message, never copies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeSealedBatch, encodeSealedBatch, MAX_BATCH, MAX_SEALED_HEADER, type SealedPart } from '../../src/protocol/isolation.ts';

const SEED = Number(process.env['FUZZ_SEED'] ?? 35_222_007);

/** Decodes `bytes` and checks the result whatever it is; returns the calls, or undefined for a refusal. */
function check(bytes: Uint8Array): SealedPart[] | undefined {
  const out = decodeSealedBatch(bytes);
  if (typeof out === 'string') {
    assert.ok(out.length > 0 && out.length <= 200, `a short reason whatever the input (${out.length} chars)`);
    return undefined;
  }
  assert.ok(out.length >= 1 && out.length <= MAX_BATCH);
  // The parts are views into the message, in order, and with their length fields they cover it exactly.
  let covered = 4;
  for (const p of out) {
    assert.equal(p.body.buffer, bytes.buffer, 'a body is a view into the message, not a copy');
    assert.ok(p.body.byteOffset >= bytes.byteOffset && p.body.byteOffset + p.body.byteLength <= bytes.byteOffset + bytes.byteLength);
    const declared = new DataView(bytes.buffer).getUint32(p.body.byteOffset - 4, true);
    assert.equal(p.body.byteLength, declared, 'a body is exactly as long as its length field says');
    const headLength = new TextEncoder().encode(p.header).length;
    assert.ok(headLength <= MAX_SEALED_HEADER);
    covered += 4 + headLength + 4 + p.body.byteLength;
  }
  assert.equal(covered, bytes.byteLength, 'no byte of the message is outside a call');
  return out;
}

const part = fc.record({
  header: fc.string({ unit: 'grapheme', maxLength: 200 }),
  body: fc.uint8Array({ maxLength: 300 }),
});

describe('sealed frames (the isolation frame socket)', () => {
  test('20,000 arbitrary byte strings: calls that tile the message, or a short reason; never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void check(bytes)),
      { numRuns: 20_000, seed: SEED },
    );
  });

  test('every encoding decodes to exactly its calls, also inside a larger buffer', () => {
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 12 }), fc.nat(16), (parts, pad) => {
        const encoded = encodeSealedBatch(parts);
        // At an offset inside a bigger ArrayBuffer, as a socket's message may be.
        const backing = new Uint8Array(pad + encoded.length + pad);
        backing.set(encoded, pad);
        const decoded = check(backing.subarray(pad, pad + encoded.length));
        assert.ok(decoded !== undefined, 'a valid encoding is accepted');
        assert.deepEqual(
          decoded.map((d) => ({ header: d.header, body: [...d.body] })),
          parts.map((p) => ({ header: p.header, body: [...p.body] })),
        );
      }),
      { numRuns: 3_000, seed: SEED + 1 },
    );
  });

  test('valid encodings with bytes flipped, cut off or appended: never a throw, never a read past the end', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(part, { minLength: 1, maxLength: 6 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (parts, mutations) => {
          let bytes: Uint8Array = encodeSealedBatch(parts);
          for (const m of mutations) {
            if (m.kind === 'flip' && bytes.length > 0) {
              const copy = bytes.slice();
              copy[m.at % copy.length] = m.value;
              bytes = copy;
            } else if (m.kind === 'cut') bytes = bytes.slice(0, m.at % (bytes.length + 1));
            else if (m.kind === 'append') {
              const longer = new Uint8Array(bytes.length + m.bytes.length);
              longer.set(bytes);
              longer.set(m.bytes, bytes.length);
              bytes = longer;
            }
          }
          check(bytes);
        },
      ),
      { numRuns: 10_000, seed: SEED + 2 },
    );
  });

  test('the edges: counts of 0 and past the limit, a header past its limit, a length field of 2^32 − 1', () => {
    const u32 = (...values: number[]): Uint8Array => {
      const out = new Uint8Array(values.length * 4);
      const view = new DataView(out.buffer);
      for (let i = 0; i < values.length; i++) view.setUint32(i * 4, values[i] as number, true);
      return out;
    };
    assert.match(decodeSealedBatch(u32(0)) as string, /1 to 1024 calls/);
    assert.match(decodeSealedBatch(u32(MAX_BATCH + 1)) as string, /1 to 1024 calls/);
    assert.match(decodeSealedBatch(u32(1, MAX_SEALED_HEADER + 1)) as string, /header of call 1/);
    assert.match(decodeSealedBatch(u32(1, 0xffff_ffff)) as string, /header of call 1/);
    assert.match(decodeSealedBatch(u32(1, 0, 0xffff_ffff)) as string, /ciphertext of call 1/);
    assert.match(decodeSealedBatch(new Uint8Array([1, 0, 0])) as string, /shorter than its count/);
    const one = check(u32(1, 0, 0));
    assert.deepEqual(
      one?.map((p) => [p.header, p.body.length]),
      [['', 0]],
      'an empty header and body frame the same way',
    );
  });
});
