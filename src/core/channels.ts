/**
 * Channels: ordered streams from a command back to the page that passed a `Channel` argument.
 *
 * Ordering guarantee: the page sees messages in the order `send` was called, with no gaps, then the end marker.
 * How: each Channel numbers its messages from 0 (`index`), and every message of a page travels on that page's one
 * WebSocket, which is ordered; the page's `Channel` (from `@tauri-apps/api`) also re-orders by `index`, so the
 * guarantee would survive a transport that reorders. `close()` sends `{end, index: <messages sent>}`, after which
 * the page unregisters its callback.
 *
 * Lifetime: a channel ends when the handler calls `close()`, when the command settles (unless the handler called
 * `keepOpen()` to stream beyond it), or when its page goes away. Sending on an ended channel throws CHANNEL_CLOSED,
 * so a streaming loop stops by itself when the page reloads.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import { channelRef, parseChannelRef } from '../protocol/frames.js';

export type ChannelBytes = Uint8Array | ArrayBuffer;

/** The page connection a channel writes to (implemented by core/connection.ts). */
export interface ChannelSink {
  readonly open: boolean;
  /** Sends one message; `bytes` selects the binary path. */
  sendChannelMessage(id: number, index: number, message: unknown): void;
  sendChannelEnd(id: number, count: number): void;
  /** Resolves when the page's socket has room again (backpressure). */
  drained(): Promise<void>;
  adopt(channel: Channel<unknown>): void;
  release(channel: Channel<unknown>): void;
}

export class Channel<T = unknown> {
  readonly id: number;
  #sink: ChannelSink | undefined;
  #index = 0;
  #ended = false;
  #keepOpen = false;

  /** @internal Channels are made by the `channel()` schema or `Channel.from(ctx, value)`. */
  constructor(id: number, sink: ChannelSink | undefined) {
    this.id = id;
    this.#sink = sink;
    sink?.adopt(this as Channel<unknown>);
  }

  /** Parses Tauri's `__CHANNEL__:<id>` form, or returns undefined. */
  static parseId(value: unknown): number | undefined {
    return parseChannelRef(value);
  }

  /** True once `close()` ran, the command settled, or the page went away. */
  get closed(): boolean {
    return this.#ended || this.#sink === undefined || !this.#sink.open;
  }

  /** Number of messages sent so far. */
  get sent(): number {
    return this.#index;
  }

  /** Sends one message: any JSON value, or bytes (`Uint8Array`/`ArrayBuffer`/`Buffer`), which arrive as an `ArrayBuffer`. */
  send(message: T | ChannelBytes): void {
    const sink = this.#sink;
    if (this.#ended || sink === undefined || !sink.open) {
      throw new AirlockError(
        ErrorCode.CHANNEL_CLOSED,
        sink === undefined
          ? `channel ${this.id} is not attached to a webview; make it with the channel() schema inside a command`
          : `channel ${this.id} is closed (the command ended it, or its page went away); stop sending`,
      );
    }
    sink.sendChannelMessage(this.id, this.#index++, message);
  }

  /** Resolves when the page's socket has room for more; `await` it in a loop that streams a lot of data. */
  ready(): Promise<void> {
    return this.#sink === undefined || !this.#sink.open ? Promise.resolve() : this.#sink.drained();
  }

  /** Keeps the channel open after the command returns; you must then call `close()` yourself. */
  keepOpen(): this {
    this.#keepOpen = true;
    return this;
  }

  /** Ends the stream: the page receives `{end, index}` and unregisters its callback. Idempotent. */
  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    const sink = this.#sink;
    if (sink === undefined) return;
    sink.release(this as Channel<unknown>);
    if (sink.open) sink.sendChannelEnd(this.id, this.#index);
  }

  /** @internal Called when the command that received the channel settles. */
  commandSettled(): void {
    if (!this.#keepOpen) this.close();
  }

  /** @internal Called when the page goes away: ends the channel without writing. */
  detach(): void {
    this.#ended = true;
  }

  toJSON(): string {
    return channelRef(this.id);
  }
}

/** Binds channels made during argument validation to the page that made the call. */
export interface ChannelScope {
  readonly sink: ChannelSink;
  readonly made: Channel<unknown>[];
}
export const channelScope = new AsyncLocalStorage<ChannelScope>();

function makeChannel(id: number): Channel<unknown> {
  const scope = channelScope.getStore();
  const ch = new Channel<unknown>(id, scope?.sink);
  scope?.made.push(ch);
  return ch;
}

const invalidChannel = (value: unknown): string =>
  `invalid channel value \`${typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))}\`, expected a string in the \`__CHANNEL__:ID\` format`;

/**
 * A schema for a `Channel` argument. It is a zod schema (so it composes inside `z.object`), a valibot schema
 * (inside `v.object`) and a Standard Schema, all at once:
 *
 * @example
 *   progress: command(z.object({ onEvent: channel<number>() }), async ({ onEvent }) => { onEvent.send(50); })
 */
export function channel<T = unknown>(): ChannelSchema<T> {
  const schema = z.string().transform((value, ctx) => {
    const id = Channel.parseId(value);
    if (id === undefined) {
      ctx.issues.push({ code: 'custom', message: invalidChannel(value), input: value });
      return z.NEVER;
    }
    return makeChannel(id) as Channel<T>;
  });
  const valibot: ValibotSchemaShape<T> = {
    kind: 'schema',
    expects: 'Channel',
    async: false,
    reference: channel,
    '~run'(dataset: { value: unknown; typed?: boolean; issues?: unknown[] }) {
      const id = Channel.parseId(dataset.value);
      if (id === undefined) {
        const message = invalidChannel(dataset.value);
        return {
          typed: false,
          value: dataset.value,
          issues: [{ kind: 'schema', type: 'channel', input: dataset.value, expected: 'Channel', received: typeof dataset.value, message }],
        };
      }
      return { typed: true, value: makeChannel(id) };
    },
  };
  return Object.assign(schema, valibot) as unknown as ChannelSchema<T>;
}

/** The members valibot's `v.object` reads from an entry (valibot `BaseSchema`, structurally). */
interface ValibotSchemaShape<T = unknown> {
  readonly kind: 'schema';
  readonly expects: string;
  readonly async: false;
  // biome-ignore lint: valibot declares these with `any`
  readonly reference: (...args: any[]) => any;
  // biome-ignore lint: valibot declares these with `any`
  readonly '~run': (dataset: any, config?: any) => any;
  // biome-ignore lint: valibot declares the issue type with `any` bounds
  readonly '~types'?: { readonly input: string; readonly output: Channel<T>; readonly issue: any } | undefined;
}

/**
 * zod's `~standard.vendor` is typed `string` and valibot's `"valibot"`; the intersection satisfies both object
 * schemas' entry types (the runtime value is zod's, which nothing reads at the type level).
 */
export type ChannelSchema<T> = z.ZodType<Channel<T>, string> &
  ValibotSchemaShape<T> & { readonly type: string; readonly '~standard': { readonly vendor: 'valibot' } };
