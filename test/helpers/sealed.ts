// Reading and forging what the isolation frame sends on its socket (protocol/isolation.ts): every message there is
// one binary sealed frame holding one call or several, each a JSON header and its ciphertext.
import { decodeSealedBatch, encodeSealedBatch } from '../../src/protocol/isolation.ts';

export interface SealedCall {
  readonly header: Record<string, unknown>;
  readonly body: Buffer;
}

/** The calls in one frame the isolation frame sent (none for a text frame). */
export function sealedCalls(frame: string | Buffer): SealedCall[] {
  if (typeof frame === 'string') return [];
  const parts = decodeSealedBatch(frame);
  if (typeof parts === 'string') throw new Error(`not a sealed frame: ${parts}`);
  return parts.map((p) => ({ header: JSON.parse(p.header) as Record<string, unknown>, body: Buffer.from(p.body) }));
}

/** The last sealed call to `cmd` among the frames sent, or undefined. */
export function lastSealedCall(frames: ReadonlyArray<string | Buffer>, cmd: string): SealedCall | undefined {
  for (let i = frames.length - 1; i >= 0; i--) {
    const calls = sealedCalls(frames[i] as string | Buffer);
    for (let j = calls.length - 1; j >= 0; j--) if ((calls[j] as SealedCall).header['c'] === cmd) return calls[j];
  }
  return undefined;
}

/** One sealed frame of these calls; a header given as text goes as it is (a `__proto__` key stays an own key). */
export function sealedFrame(...calls: Array<{ header: Record<string, unknown> | string; body: Uint8Array }>): Buffer {
  const bytes = encodeSealedBatch(
    calls.map((c) => ({ header: typeof c.header === 'string' ? c.header : JSON.stringify(c.header), body: c.body })),
  );
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The same sealed frame with each call's header text passed through `fn` (a man in the middle rewriting headers). */
export function mapSealedHeaders(frame: Buffer, fn: (header: string) => string): Buffer {
  const parts = decodeSealedBatch(frame);
  if (typeof parts === 'string') return frame;
  return sealedFrame(...parts.map((p) => ({ header: fn(p.header), body: p.body })));
}

/**
 * What a frame the isolation frame sent says, as text: a sealed frame's call headers (one string each), a text
 * frame as it is; anything else as it came. For harnesses that search what was sent by command name.
 */
export function headerTexts(frame: string | Buffer): Array<string | Buffer> {
  if (typeof frame === 'string') return [frame];
  const parts = decodeSealedBatch(frame);
  return typeof parts === 'string' ? [frame] : parts.map((p) => p.header);
}
