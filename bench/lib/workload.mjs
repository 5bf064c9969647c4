// What every variant sends, shared by the page bundle and the server processes so they cannot drift apart.

/** The ~100-byte JSON argument (and result) of scenarios 1, 2 and 6. `id` is checked on the way back. */
export function smallArgs(id) {
  return { id, text: 'hello, ipc', n: 42, flag: true, list: [1, 2, 3], note: 'small invoke payload' };
}

/** The payload of one event in scenario 4 (`i` is checked for order and loss). */
export function eventPayload(i) {
  return { i, kind: 'tick', value: 1.5 };
}

/**
 * The bytes of scenarios 3 and 5: random, with the 64 KiB chunk index written little-endian into the first 4 bytes
 * of every chunk, so a receiver can check order without keeping anything.
 */
export function makeBytes(size, chunk = 65536) {
  const out = new Uint8Array(size);
  for (let off = 0; off < size; off += 65536) globalThis.crypto.getRandomValues(out.subarray(off, Math.min(size, off + 65536)));
  const view = new DataView(out.buffer);
  for (let off = 0, i = 0; off + 4 <= size; off += chunk, i++) view.setUint32(off, i, true);
  return out;
}

/** A cheap check that a received copy of `makeBytes(size)` is intact: length plus 64 bytes sampled across it. */
export function sampleOk(expected, got) {
  if (got.length !== expected.length) return false;
  const step = Math.max(1, Math.floor(expected.length / 64));
  for (let i = 0; i < expected.length; i += step) if (got[i] !== expected[i]) return false;
  return got[expected.length - 1] === expected[expected.length - 1];
}
