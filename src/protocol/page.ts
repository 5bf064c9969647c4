/**
 * The page's side of the wire (frame shapes: frames.ts): the frames a page sends and the reading of the frames the
 * core sends. The page runtime (src/webview), the in-memory page (src/transports/memory.ts) and the test pages all
 * speak through it, so there is one spelling of every frame; codec.ts is the core's side.
 *
 * `JSON.stringify`, `JSON.parse` and `Object.hasOwn` are captured when this module loads. In the page bundle that is
 * before any app script runs, so a script that later replaces them, or adds `r`/`e`/`c` to `Object.prototype`,
 * cannot intercept or misroute a frame.
 */
import { AirlockError, ErrorCode } from './errors.js';
import {
  BATCH_MAX_CHARS,
  BATCH_MAX_FRAMES,
  type ChannelFrame,
  type EventFrame,
  type Headers,
  type HelloFrame,
  type ResponseFrame,
  type SealedFrame,
  type StreamCreditFrame,
  type WindowOpFrame,
  type WindowReport,
} from './frames.js';
import type { FrameClosedFrame, FrameTokenFrame } from './isolation.js';

const stringify = JSON.stringify;
const parse = JSON.parse;
const hasOwn = Object.hasOwn;
const isArray = Array.isArray;

/** Who answers a call: the callback ids its result and its rejection run. */
export interface CallIds {
  readonly cmd: string;
  readonly callback: number;
  readonly error: number;
  readonly headers?: Headers | undefined;
}

function head(t: 'i' | 's', call: CallIds): string {
  let text = `{"t":"${t}","c":${stringify(call.cmd)},"cb":${call.callback},"er":${call.error}`;
  if (call.headers !== undefined) text += `,"h":${stringify(call.headers)}`;
  return text;
}

export const encodeCall = {
  /** An invoke whose arguments are `argsJson`, JSON text the caller produced (with its own serialization rules). */
  invoke: (call: CallIds, argsJson: string): string => `${head('i', call)},"a":${argsJson}}`,
  /** An invoke whose arguments are raw bytes: this header, then the body as the next (binary) frame. */
  invokeBytes: (call: CallIds): string => `${head('i', call)},"b":1}`,
  /** A call sealed by the isolation frame: this header, then the AES-GCM ciphertext as the next (binary) frame. */
  /** Gives up on the call answered on `callback`: the core aborts its handler's signal. */
  cancel: (callback: number): string => `{"t":"x","cb":${callback}}`,
  /** A chunk of page → core stream `id`: this header, then the bytes as the next (binary) frame. */
  streamChunk: (id: number): string => `{"t":"d","s":${id},"b":1}`,
  streamEnd: (id: number): string => `{"t":"d","s":${id},"end":1}`,
  streamError: (id: number, message: string): string => `{"t":"d","s":${id},"err":${stringify(message.slice(0, 1024))}}`,
  sealed: (call: CallIds, s: Pick<SealedFrame, 'i' | 'q' | 'n' | 'k'>): string =>
    `${head('s', call)},"i":${stringify(s.i)},"q":${s.q},"n":${stringify(s.n)},"k":${stringify(s.k)}}`,
  /** What the page sees of its window (not a call: nothing answers it). */
  report: (report: WindowReport): string => `{"t":"w","s":${stringify(report)}}`,
  drag: (k: 'enter' | 'over' | 'drop' | 'leave', x: number, y: number, q: number): string =>
    `{"t":"g","k":"${k}","x":${Number.isFinite(x) ? x : 0},"y":${Number.isFinite(y) ? y : 0},"q":${q}}`,
};

/** A frame from the core, by kind. `bytes: true` means the body is the next (binary) frame. */
export type ServerMessage =
  | { readonly kind: 'hello'; readonly token: string; readonly connection: string; readonly assets: string | undefined }
  | { readonly kind: 'response'; readonly id: number; readonly bytes: boolean; readonly data: unknown }
  | { readonly kind: 'event'; readonly name: string; readonly payload: unknown; readonly listeners: readonly number[] }
  | {
      readonly kind: 'channel';
      readonly id: number;
      readonly index: number;
      readonly bytes: boolean;
      readonly end: boolean;
      readonly data: unknown;
    }
  | { readonly kind: 'window'; readonly op: string; readonly value: unknown }
  /** Isolation pattern: the next one-time frame token, and a frame socket's close (protocol/isolation.ts). */
  | { readonly kind: 'frameToken'; readonly token: string }
  | { readonly kind: 'frameClosed'; readonly callbacks: readonly number[]; readonly frame: string }
  | { readonly kind: 'credit'; readonly id: number; readonly bytes: number };

/**
 * Where a page's binary frames go (frames.ts): the body of the response whose header came last, else the next
 * message of the channel byte run in progress (a channel's bytes header starts the run at its index; each binary
 * frame after it is that channel's next message, until a response's bytes header ends the run). One per socket,
 * `reset()` when it (re)connects.
 */
export class BinaryRouter<B> {
  #body: ((bytes: B) => void) | undefined;
  #channel = -1;
  #next = 0;
  readonly #toChannel: (id: number, message: B, index: number) => void;

  constructor(toChannel: (id: number, message: B, index: number) => void) {
    this.#toChannel = toChannel;
  }

  /** The next binary frame is the body of a response (given to `deliver`); it ends the byte run. */
  response(deliver: (bytes: B) => void): void {
    this.#channel = -1;
    this.#body = deliver;
  }

  /** The next binary frame is message `index` of channel `id`, and starts that channel's byte run. */
  channel(id: number, index: number): void {
    this.#body = undefined;
    this.#channel = id;
    this.#next = index;
  }

  binary(bytes: B): void {
    const body = this.#body;
    if (body !== undefined) {
      this.#body = undefined;
      body(bytes);
    } else if (this.#channel !== -1) this.#toChannel(this.#channel, bytes, this.#next++);
  }

  reset(): void {
    this.#body = undefined;
    this.#channel = -1;
  }
}

function malformed(why: string): AirlockError {
  return new AirlockError(ErrorCode.PROTOCOL, `the core sent a malformed batch frame (${why}); the batch was dropped whole`);
}

/**
 * Reads one text frame from the core — a single frame or a batch (frames.ts) — into its messages, in order. A frame
 * this protocol version does not know is skipped. Throws AirlockError(PROTOCOL) for text that is not JSON and for a
 * malformed batch (empty, over the limits, an element that is not a frame object or that announces bytes); nothing
 * of a refused batch is returned, so the page dispatches all of it or none.
 */
export function decodeServerFrames(text: string): ServerMessage[] {
  let f: unknown;
  try {
    f = parse(text);
  } catch {
    throw new AirlockError(ErrorCode.PROTOCOL, `the core sent a text frame that is not JSON (${text.length} characters); it was dropped`);
  }
  if (typeof f !== 'object' || f === null) return [];
  if (!isArray(f)) {
    const m = readFrame(f);
    return m === undefined ? [] : [m];
  }
  const n = f.length;
  if (n === 0) throw malformed('no frames');
  if (n > BATCH_MAX_FRAMES) throw malformed(`${n} frames, more than ${BATCH_MAX_FRAMES}`);
  if (text.length > BATCH_MAX_CHARS) throw malformed(`${text.length} characters, more than ${BATCH_MAX_CHARS}`);
  const out: ServerMessage[] = [];
  for (let i = 0; i < n; i++) {
    const e: unknown = f[i];
    if (typeof e !== 'object' || e === null || isArray(e)) throw malformed(`element ${i} is not a frame object`);
    if (hasOwn(e, 'b')) throw malformed(`element ${i} announces a binary body, which a batch cannot carry`);
    const m = readFrame(e);
    if (m !== undefined) out.push(m);
  }
  return out;
}

function readFrame(f: object): ServerMessage | undefined {
  if (hasOwn(f, 'r')) {
    const r = f as ResponseFrame;
    return { kind: 'response', id: r.r, bytes: r.b === 1, data: r.d };
  }
  if (hasOwn(f, 'e')) {
    const e = f as EventFrame;
    return { kind: 'event', name: e.e, payload: e.p, listeners: e.l };
  }
  if (hasOwn(f, 'c')) {
    const c = f as ChannelFrame;
    return { kind: 'channel', id: c.c, index: c.i, bytes: c.b === 1, end: c.end === 1, data: c.m };
  }
  if (hasOwn(f, 'w')) {
    const w = f as WindowOpFrame;
    return { kind: 'window', op: w.w, value: w.v };
  }
  if (hasOwn(f, 'ft')) return { kind: 'frameToken', token: (f as FrameTokenFrame).ft };
  if (hasOwn(f, 'fx')) return { kind: 'frameClosed', callbacks: (f as FrameClosedFrame).fx, frame: (f as FrameClosedFrame).fk };
  if (hasOwn(f, 'sc')) {
    const c = f as StreamCreditFrame;
    return { kind: 'credit', id: c.sc, bytes: c.n };
  }
  if (hasOwn(f, 'hello')) {
    const hello: unknown = (f as HelloFrame).hello;
    if (typeof hello !== 'object' || hello === null) return undefined;
    const { token, conn, assets } = hello as HelloFrame['hello'];
    return { kind: 'hello', token, connection: conn, assets: typeof assets === 'string' ? assets : undefined };
  }
  return undefined;
}
