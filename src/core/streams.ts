/**
 * Streams from the page: a command declares a byte-stream argument with the `stream()` schema (as `channel()`
 * declares a channel), the page passes a `ReadableStream` or an async iterable of bytes, and the handler reads an
 * `AsyncIterable<Uint8Array>`.
 *
 * Ordering: chunks travel on the page's one ordered socket and are queued in arrival order.
 * Backpressure, end to end: the page may only send bytes the core has granted (credit
 * frames). The core grants a window of `STREAM_WINDOW` bytes when the handler first reads, and grants again only as
 * the handler consumes, so at most one window waits in the core per stream whatever the stream's length; a page
 * that sends beyond its credit is a protocol violation. The page's reader, in turn, is read only while it holds
 * credit, so a slow handler slows the page's producer.
 * Lifetime: a stream ends with the page's end frame; it fails when the page reports an error, when the call's
 * `ctx.signal` aborts (cancel, deadline, the page going away), or when the call settles.
 */
import { z } from 'zod';
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import { parseStreamRef } from '../protocol/frames.js';
import { channelScope } from './channels.js';

/** Bytes the core lets a page send ahead of what the handler has read. */
export const STREAM_WINDOW = 1024 * 1024;

/** What a stream needs of its page connection (implemented by core/connection.ts). */
export interface StreamHost {
  /** The stream `id` the calling page announced in this call's args, or undefined. */
  inboundStream(id: number): InboundStream | undefined;
}

/** One page → core byte stream, as the handler reads it. */
export class InboundStream implements AsyncIterable<Uint8Array> {
  readonly id: number;
  readonly #grant: (id: number, bytes: number) => void;
  readonly #chunks: Uint8Array[] = [];
  #queued = 0;
  /** Bytes the page may still send before it needs more credit. */
  #credit = 0;
  /** Bytes read by the handler and not yet granted back. */
  #consumed = 0;
  #started = false;
  #iterating = false;
  #ended = false;
  #failure: unknown;
  #wake: (() => void) | undefined;
  #signal: AbortSignal | undefined;

  /** @internal Made by the connection when a call names the stream. */
  constructor(id: number, grant: (id: number, bytes: number) => void) {
    this.id = id;
    this.#grant = grant;
  }

  /** Bytes that arrived and wait for the handler (at most `STREAM_WINDOW`). */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** @internal The call's signal: aborting it fails the stream. */
  bind(signal: AbortSignal): void {
    this.#signal = signal;
    if (signal.aborted) this.fail(signal.reason);
    else signal.addEventListener('abort', () => this.fail(signal.reason), { once: true });
  }

  /** @internal A chunk from the page; false when it exceeds the credit the core granted. */
  push(chunk: Uint8Array): boolean {
    if (this.#ended || this.#failure !== undefined) return true; // late data after an end or failure: dropped
    if (chunk.byteLength > this.#credit) return false;
    this.#credit -= chunk.byteLength;
    this.#chunks.push(chunk);
    this.#queued += chunk.byteLength;
    this.#notify();
    return true;
  }

  /** @internal The page's end frame. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** @internal The page's source failed, the call was aborted, or it settled. */
  fail(reason: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = reason ?? new AirlockError(ErrorCode.CHANNEL_CLOSED, `stream ${this.id} was closed`);
    this.#chunks.length = 0;
    this.#queued = 0;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#iterating)
      throw new AirlockError(ErrorCode.CHANNEL_CLOSED, `stream ${this.id} is already being read; a stream can be read once`);
    this.#iterating = true;
    if (!this.#started) {
      this.#started = true;
      this.#credit = STREAM_WINDOW;
      if (this.#failure === undefined) this.#grant(this.id, STREAM_WINDOW);
    }
    for (;;) {
      if (this.#failure !== undefined) throw this.#failure;
      const chunk = this.#chunks.shift();
      if (chunk !== undefined) {
        this.#queued -= chunk.byteLength;
        this.#consumed += chunk.byteLength;
        // Grant back in quarters of the window: few credit frames, and never more than one window outstanding.
        if (this.#consumed >= STREAM_WINDOW / 4 && !this.#ended) {
          this.#credit += this.#consumed;
          this.#grant(this.id, this.#consumed);
          this.#consumed = 0;
        }
        yield chunk;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      if (this.#signal?.aborted && this.#failure === undefined) this.fail(this.#signal.reason);
    }
  }
}

const invalidStream = (value: unknown): string =>
  `invalid stream value \`${typeof value === 'string' ? value.slice(0, 64) : typeof value}\`, expected a ReadableStream or an async iterable of bytes passed from the page`;

function bindStream(value: unknown): InboundStream | string {
  const id = parseStreamRef(value);
  if (id === undefined) return invalidStream(value);
  const host = channelScope.getStore()?.sink as Partial<StreamHost> | undefined;
  const s = host?.inboundStream?.(id);
  return s ?? `stream ${id} is not a stream this call carries`;
}

/**
 * A schema for a page → core byte stream argument: the page passes a `ReadableStream` or an async iterable of
 * `Uint8Array`/`ArrayBuffer`, the handler gets an `AsyncIterable<Uint8Array>`. It is a zod schema (so it composes
 * inside `z.object`) and a Standard Schema.
 *
 * @example
 *   upload: command(z.object({ file: stream() }), async ({ file }) => { let n = 0; for await (const c of file) n += c.byteLength; return n; })
 */
export function stream(): StreamSchema {
  return z.string().transform((value, ctx) => {
    const bound = bindStream(value);
    if (typeof bound === 'string') {
      ctx.issues.push({ code: 'custom', message: bound, input: value });
      return z.NEVER;
    }
    return bound;
  }) as unknown as StreamSchema;
}

/** The `stream()` schema's type: page input (a stream marker on the wire), an `AsyncIterable<Uint8Array>` out. */
export type StreamSchema = z.ZodType<InboundStream, string>;
