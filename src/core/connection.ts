/**
 * One page's connection: the document currently shown in a webview. It owns everything that must die with the
 * document — its event listeners, open channels, in-flight calls (their `ctx.signal` aborts) — and turns inbound
 * frames into calls and outbound results/events/channel messages into frames.
 *
 * A connection never touches a socket: the transport hands it a `Peer` that moves frames.
 *
 * Events and JSON channel messages for the page are batched (protocol/frames.ts): each is appended to this turn's
 * batch, which leaves as one text frame at the end of the turn (`process.nextTick`) or as soon as anything else is
 * sent to the page, so nothing waits for a timer and the page sees every frame in the order it was produced.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { decodePageFrame, encode, toJson } from '../protocol/codec.js';
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import {
  BATCH_MAX_CHARS,
  BATCH_MAX_FRAMES,
  type CallFrame,
  CloseCode,
  type Headers,
  isCallbackId,
  type PageFrame,
  parseStreamRef,
  type StreamDataFrame,
  type WindowOp,
  type DragFrame,
  type WindowReport,
} from '../protocol/frames.js';
import { CANCEL_COMMAND, CONTROL_PREFIX, STREAM_COMMAND, STREAM_ID_HEADER, STREAM_OP_HEADER } from '../protocol/isolation.js';
import { CallAbort } from './abort.js';
import type { Channel, ChannelSink } from './channels.js';
import { InboundStream, type StreamHost } from './streams.js';
import { type Limits, RateLimiter } from './limits.js';
import { type EventTarget, targetMatches } from './targets.js';
import { sizeOf, type Tracer } from './trace.js';

/** What a transport provides for one page. */
export interface Peer {
  sendText(frame: string): void;
  sendBinary(bytes: Uint8Array): void;
  close(code: number, reason: string): void;
  /** Bytes queued but not yet written to the socket. */
  readonly bufferedAmount: number;
  /** Resolves once the queue has drained below the transport's low-water mark. */
  drained(): Promise<void>;
}

/** One call as the core sees it, after decoding (and, under isolation, opening the seal). */
export interface Call {
  readonly command: string;
  /** JSON args, or the raw body bytes for a binary invoke. */
  readonly args: unknown;
  readonly raw: boolean;
  readonly headers: Headers;
  /** Arrived sealed by the isolation frame and verified. */
  readonly sealed?: true;
}

/**
 * A call in flight, by its callback id: cancelling aborts it and drops its answer. It is the call's abort (one
 * object per call): it aborts when the page cancels the call (a cancel frame) or goes away, and the handler's
 * `ctx.signal` follows it.
 */
class InFlight extends CallAbort {
  streams: InboundStream[] | undefined;
  cancelled = false;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

export interface ConnectionOwner {
  readonly limits: Limits;
  readonly tracer: Tracer;
  /**
   * Runs a call: its result, or a promise of it when the handler (or the validation of its args) is asynchronous —
   * a synchronous handler is answered in the same turn, without a promise. Throws (or rejects) its refusal.
   */
  dispatch(connection: Connection, call: Call, abort: CallAbort): unknown;
  /** The isolation pattern is on: calls arrive only sealed, on the isolation frame's socket (`receiveSealed`). */
  readonly isolated: boolean;
  nextEventId(): number;
  report(message: string, error?: unknown): void;
  disconnected(connection: Connection): void;
  /** The last call of a connection that already went away has settled. */
  released(connection: Connection): void;
  /** The page reported what it sees of its window. */
  windowReported?(connection: Connection, report: WindowReport): void;
  /** A drag of files over the page (tauri://drag-enter|over|drop|leave). */
  windowDragged?(connection: Connection, drag: DragFrame): void;
}

interface JsListener {
  readonly target: EventTarget;
  readonly handlerId: number;
}

const EMPTY_HEADERS: Headers = Object.freeze(Object.create(null) as Record<string, string>);

function isBytes(value: unknown): value is Uint8Array | ArrayBuffer {
  return value instanceof Uint8Array || value instanceof ArrayBuffer;
}

export class Connection implements ChannelSink, StreamHost {
  /** Random id of this connection; the isolation pattern binds sealed messages to it. */
  readonly id = randomBytes(12).toString('base64url');
  readonly label: string;
  readonly window: string;
  readonly origin: string;
  /** Whether the page is the app's own (local) rather than remote content. */
  readonly local: boolean;
  readonly #peer: Peer;
  readonly #owner: ConnectionOwner;
  readonly #abort = new AbortController();
  readonly #listeners = new Map<string, Map<number, JsListener>>();
  readonly #channels = new Set<Channel<unknown>>();
  #awaitingBody: CallFrame | StreamDataFrame | undefined;
  readonly #calls = new Map<number, InFlight>();
  /** Every call in flight, also those whose callback id a later call reused: all abort when the page goes. */
  readonly #inflight = new Set<InFlight>();
  readonly #streams = new Map<number, InboundStream>();
  #pending = 0;
  #droppedEvents = 0;
  /** Bytes of events dropped since the page's queue last had room. */
  #droppedBytes = 0;
  #emitRate: RateLimiter | undefined;
  #listenerCount = 0;
  /** This turn's batch of frames (joined by commas, without the brackets), how many it holds, and whether its
   *  end-of-turn flush is scheduled. */
  #batch = '';
  #batchCount = 0;
  #flushScheduled = false;
  /** The byte run (protocol/frames.ts): the channel whose bytes went last and the index a bare body would carry. */
  #runChannel = -1;
  #runNext = 0;
  readonly #flushTick = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };
  #open = true;
  #closedResolve!: () => void;
  /** Resolves once the connection is gone. */
  readonly done = new Promise<void>((resolve) => {
    this.#closedResolve = resolve;
  });

  constructor(identity: { label: string; window: string; origin: string; local: boolean }, peer: Peer, owner: ConnectionOwner) {
    this.label = identity.label;
    this.window = identity.window;
    this.origin = identity.origin;
    this.local = identity.local;
    this.#peer = peer;
    this.#owner = owner;
    // Every call in flight listens for the page going away: that many listeners is expected, not a leak warning.
    setMaxListeners(owner.limits.maxPendingInvokes + 16, this.#abort.signal);
  }

  get open(): boolean {
    return this.#open;
  }

  /** Aborts when the page goes away. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Counters for tests and the inspector: what this page holds in the core right now. */
  get stats(): { pending: number; listeners: number; channels: number; droppedEvents: number; queuedBytes: number } {
    return {
      pending: this.#pending,
      listeners: this.#listenerCount,
      channels: this.#channels.size,
      droppedEvents: this.#droppedEvents,
      /** What waits to be written to the page (bytes plus the per-frame overhead the send buffer counts). */
      queuedBytes: this.#peer.bufferedAmount + this.#batch.length,
    };
  }

  /** Counts one event emitted by this page against `limits.maxEventsPerSecond`. */
  takeEmit(): void {
    this.#emitRate ??= new RateLimiter(this.#owner.limits.maxEventsPerSecond);
    if (!this.#emitRate.take()) {
      throw new AirlockError(
        ErrorCode.LIMIT_EXCEEDED,
        `webview \`${this.label}\` emits more than ${this.#owner.limits.maxEventsPerSecond} events per second (limits.maxEventsPerSecond); batch them or slow down`,
      );
    }
  }

  /**
   * Backpressure: `ok` while the page's send queue is within `limits.maxBufferedBytes`, `over` above it, and
   * `overrun` past twice it — counting the events dropped since it went over, as dropping keeps the queue itself
   * from growing — when the page is disconnected as a slow consumer.
   */
  #pressure(): 'ok' | 'over' | 'overrun' {
    // This turn's batch is not in the peer's queue yet, but it is on its way there.
    const queued = this.#peer.bufferedAmount + this.#batch.length;
    const max = this.#owner.limits.maxBufferedBytes;
    if (queued <= max) {
      this.#droppedBytes = 0;
      return 'ok';
    }
    if (queued + this.#droppedBytes <= 2 * max) return 'over';
    this.#owner.report(
      `disconnecting webview \`${this.label}\`: ${queued} bytes wait to be sent to it (limits.maxBufferedBytes is ${max}); it does not read its socket`,
    );
    return 'overrun';
  }

  // ── inbound ────────────────────────────────────────────────────────────────────────────────────────────────────

  /** One frame from the page. Never throws: errors go to the call's error callback or close the connection. */
  receive(data: string | Uint8Array): void {
    if (!this.#open) return;
    if (typeof data !== 'string') {
      const header = this.#awaitingBody;
      if (header === undefined) {
        this.#violate('binary frame without a header announcing it');
        return;
      }
      this.#awaitingBody = undefined;
      if (header.t === 'd') this.#streamChunk(header.s, data);
      else this.#start(header, data);
      return;
    }
    if (this.#awaitingBody !== undefined) {
      this.#violate('expected the binary body announced by the previous frame');
      return;
    }
    let frame: PageFrame;
    try {
      frame = decodePageFrame(data, this.#owner.limits);
    } catch (e) {
      this.#violate((e as Error).message);
      return;
    }
    if (frame.t === 'w') {
      this.#owner.windowReported?.(this, frame.s);
      return;
    }
    if (frame.t === 'g') {
      this.#owner.windowDragged?.(this, frame);
      return;
    }
    if ((frame.t === 'x' || frame.t === 'd') && this.#owner.isolated) {
      // Under isolation a cancel and stream data come sealed, on the isolation frame's socket (receiveSealed).
      this.#violate('a plaintext cancel or stream frame under the isolation pattern (they must be sealed by the isolation frame)');
    } else if (frame.t === 'x') this.#cancel(frame.cb);
    else if (frame.t === 'd') {
      if (frame.b === 1) this.#awaitingBody = frame;
      else this.#streamControl(frame);
    } else if (frame.t === 's' || frame.b === 1) this.#awaitingBody = frame;
    else this.#start(frame, undefined);
  }

  /**
   * Under the isolation pattern: one call from the isolation frame's socket, bound to this page. `open` verifies and
   * opens its seal (or throws the refusal, which goes to the call's error callback); `settled` runs once the call
   * is answered or refused.
   */
  receiveSealed(frame: CallFrame, open: () => Call, settled: () => void): void {
    if (!this.#open) settled();
    else if (frame.c.startsWith(CONTROL_PREFIX)) {
      try {
        this.#sealedControl(open());
      } catch (error) {
        this.#owner.report(`isolation: dropped a control message of webview \`${this.label}\``, error);
      } finally {
        settled();
      }
    } else this.#start(frame, undefined, open, settled);
  }

  /** A cancel or stream data that arrived sealed (protocol/isolation.ts): acted on like its plain form, never dispatched. */
  #sealedControl(call: Call): void {
    if (call.command === CANCEL_COMMAND) {
      const target = (call.args as { callback?: unknown } | null)?.callback;
      if (!isCallbackId(target)) throw new AirlockError(ErrorCode.PROTOCOL, 'a sealed cancel names no callback id');
      this.#cancel(target);
      return;
    }
    if (call.command !== STREAM_COMMAND) throw new AirlockError(ErrorCode.PROTOCOL, `unknown control message \`${call.command}\``);
    const id = Number(call.headers[STREAM_ID_HEADER]);
    if (!isCallbackId(id)) throw new AirlockError(ErrorCode.PROTOCOL, 'sealed stream data names no stream id');
    const op = call.headers[STREAM_OP_HEADER];
    if (op === 'chunk' && call.args instanceof Uint8Array) this.#streamChunk(id, call.args);
    else if (op === 'end') this.#streamControl({ t: 'd', s: id, end: 1 });
    else if (op === 'err') {
      const message = (call.args as { message?: unknown } | null)?.message;
      this.#streamControl({ t: 'd', s: id, err: typeof message === 'string' ? message.slice(0, 1024) : 'no reason given' });
    } else throw new AirlockError(ErrorCode.PROTOCOL, `sealed stream data with op \`${String(op).slice(0, 16)}\``);
  }

  /** Sends a control frame to the page (the isolation pattern's frame tokens and frame-closed notices). */
  notify(frame: string): void {
    if (this.#open) this.#send(frame);
  }

  /** The page gave up on a call: abort its signal; its answer, whenever the handler gives one, is dropped. */
  #cancel(callback: number): void {
    const call = this.#calls.get(callback);
    if (call === undefined || call.cancelled) return; // answered already: the cancel crossed the response
    call.cancelled = true;
    call.abort(new AirlockError(ErrorCode.CANCELLED, `the page cancelled the call (callback ${callback})`));
  }

  // ── streams from the page (StreamHost) ───────────────────────────────────────────────────────────────────────

  inboundStream(id: number): InboundStream | undefined {
    return this.#streams.get(id);
  }

  #streamChunk(id: number, chunk: Uint8Array): void {
    const s = this.#streams.get(id);
    if (s === undefined) return; // its call has settled: the page stops on the answer, what crossed it is dropped
    if (!s.push(chunk)) this.#violate(`stream ${id}: the page sent more bytes than the core granted`);
  }

  #streamControl(frame: StreamDataFrame): void {
    const s = this.#streams.get(frame.s);
    if (s === undefined) return;
    if (frame.end === 1) s.end();
    else s.fail(new AirlockError(ErrorCode.CHANNEL_CLOSED, `the page's stream failed: ${frame.err ?? 'no reason given'}`));
  }

  /** Streams the call's args name (`__STREAM__:<id>` values at the top level), registered until the call settles. */
  #openStreams(call: Call, inflight: InFlight): void {
    const args = call.args;
    if (call.raw || typeof args !== 'object' || args === null || Array.isArray(args)) return;
    for (const key in args) {
      if (!Object.hasOwn(args, key)) continue;
      const id = parseStreamRef((args as Record<string, unknown>)[key]);
      if (id === undefined) continue;
      if (this.#streams.has(id))
        throw new AirlockError(ErrorCode.INVALID_ARGS, `stream ${id} is already carried by another call of this page`);
      const s = new InboundStream(id, (sid, bytes) => {
        if (this.#open) this.#send(encode.streamCredit(sid, bytes));
      });
      s.bind(inflight.signal);
      this.#streams.set(id, s);
      if (inflight.streams === undefined) inflight.streams = [s];
      else inflight.streams.push(s);
    }
  }

  #violate(reason: string): void {
    this.#owner.report(`closing webview \`${this.label}\`: protocol violation: ${reason}`);
    this.close(CloseCode.PROTOCOL, `protocol violation: ${reason}`.slice(0, 120));
  }

  #start(frame: CallFrame, body: Uint8Array | undefined, open?: () => Call, settled?: () => void): void {
    if (this.#pending >= this.#owner.limits.maxPendingInvokes) {
      settled?.();
      this.#reject(
        frame.er,
        new AirlockError(
          ErrorCode.LIMIT_EXCEEDED,
          `webview \`${this.label}\` has ${this.#pending} calls in flight, the limit (limits.maxPendingInvokes); await some before sending more`,
        ),
      );
      return;
    }
    this.#pending++;
    const inflight = new InFlight();
    this.#calls.set(frame.cb, inflight);
    this.#inflight.add(inflight);
    let result: unknown;
    let dispatched = false;
    try {
      const call = this.#call(frame, body, open);
      this.#openStreams(call, inflight);
      dispatched = true;
      result = this.#owner.dispatch(this, call, inflight);
    } catch (error) {
      if (!dispatched && this.#owner.tracer.active) {
        const reason = error instanceof Error ? error.message : String(error);
        this.#owner.tracer.emit({ kind: 'refused', at: Date.now(), webview: this.label, command: frame.c, reason });
      }
      this.#finish(frame, inflight, settled, false, error);
      return;
    }
    // The sync fast path: a synchronous handler's answer leaves in this turn, with no promise made for the call.
    if (!isThenable(result)) this.#finish(frame, inflight, settled, true, result);
    else
      Promise.resolve(result).then(
        (value) => this.#finish(frame, inflight, settled, true, value),
        (error: unknown) => this.#finish(frame, inflight, settled, false, error),
      );
  }

  /** The call a frame carries, or the refusal of a frame that may not carry one here. */
  #call(frame: CallFrame, body: Uint8Array | undefined, open: (() => Call) | undefined): Call {
    if (open !== undefined) return { ...open(), sealed: true };
    if (frame.t === 's') {
      if (!this.#owner.isolated)
        throw new AirlockError(ErrorCode.PROTOCOL, 'sealed frame received, but the app does not use the isolation pattern');
      this.#owner.report(`isolation: refused a sealed call to \`${frame.c}\` on the page socket of webview \`${this.label}\``);
      throw new AirlockError(
        ErrorCode.ISOLATION_INVALID,
        `refused the call to \`${frame.c}\`: sealed messages are accepted only on the isolation frame's own socket`,
      );
    }
    if (this.#owner.isolated) {
      this.#owner.report(`isolation: refused a plaintext call to \`${frame.c}\` from webview \`${this.label}\``);
      throw new AirlockError(
        ErrorCode.ISOLATION_INVALID,
        `refused plaintext call to \`${frame.c}\`: this app uses the isolation pattern, every message must be sealed by the isolation frame`,
      );
    }
    return { command: frame.c, args: body ?? frame.a, raw: body !== undefined, headers: frame.h ?? EMPTY_HEADERS };
  }

  /** Answers a settled call (unless the page cancelled it) and releases what it held. Never throws. */
  #finish(frame: CallFrame, inflight: InFlight, settled: (() => void) | undefined, ok: boolean, value: unknown): void {
    try {
      if (!inflight.cancelled) {
        if (ok) this.#resolve(frame, value);
        else this.#reject(frame.er, value);
      }
    } catch (error) {
      this.#owner.report(`failed to answer a call to \`${frame.c}\``, error);
    }
    this.#inflight.delete(inflight);
    if (this.#calls.get(frame.cb) === inflight) this.#calls.delete(frame.cb);
    if (inflight.streams !== undefined)
      for (const s of inflight.streams) {
        this.#streams.delete(s.id);
        s.fail(new AirlockError(ErrorCode.CHANNEL_CLOSED, `stream ${s.id} ended with its call`));
      }
    settled?.();
    if (--this.#pending === 0 && !this.#open) this.#owner.released(this);
  }

  /**
   * Room for a frame that cannot be dropped (a response, a channel message or end): every outbound frame is counted
   * in the peer's queue, and once it holds more than twice `limits.maxBufferedBytes` the page is disconnected as a
   * slow consumer instead — a page that sends calls but stops reading cannot make the core buffer without bound.
   */
  #admit(): boolean {
    if (!this.#open) return false;
    if (this.#pressure() !== 'overrun') return true;
    this.close(CloseCode.SLOW_CONSUMER, 'slow consumer: the page did not read its socket');
    return false;
  }

  #resolve(frame: CallFrame, result: unknown): void {
    if (!this.#admit()) return;
    if (isBytes(result)) {
      this.#runChannel = -1; // a response's bytes end the byte run
      this.#send(encode.responseBytes(frame.cb));
      this.#peer.sendBinary(result instanceof ArrayBuffer ? new Uint8Array(result) : result);
      return;
    }
    let json: string;
    try {
      json = toJson(result, 'command result');
    } catch (error) {
      this.#owner.report('a command returned a value that is not JSON', error);
      this.#reject(frame.er, error);
      return;
    }
    this.#send(encode.response(frame.cb, json));
  }

  /** Sends a rejection; `callbackId` is the call's error callback. */
  #reject(callbackId: number, error: unknown): void {
    if (!this.#admit()) return;
    this.#send(encode.response(callbackId, rejectionJson(error)));
  }

  // ── events ─────────────────────────────────────────────────────────────────────────────────────────────────────

  addListener(event: string, target: EventTarget, handlerId: number): number {
    if (this.#listenerCount >= this.#owner.limits.maxListeners) {
      throw new AirlockError(
        ErrorCode.LIMIT_EXCEEDED,
        `webview \`${this.label}\` has ${this.#listenerCount} event listeners, the limit (limits.maxListeners); unlisten the ones you no longer need`,
      );
    }
    const id = this.#owner.nextEventId();
    let byId = this.#listeners.get(event);
    if (byId === undefined) {
      byId = new Map();
      this.#listeners.set(event, byId);
    }
    byId.set(id, { target, handlerId });
    this.#listenerCount++;
    return id;
  }

  /** Whether this page listens for `event` (any target). */
  hasListener(event: string): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  removeListener(event: string, eventId: number): void {
    const byId = this.#listeners.get(event);
    if (byId?.delete(eventId)) {
      this.#listenerCount--;
      if (byId.size === 0) this.#listeners.delete(event);
    }
  }

  /** Sends one frame carrying every matching listener of this page, if any. */
  deliverEvent(event: string, nameJson: string, payloadJson: string, emitted: EventTarget): void {
    const byId = this.#listeners.get(event);
    if (byId === undefined || !this.#open) return;
    const pairs: number[] = [];
    for (const [eventId, l] of byId) if (targetMatches(emitted, l.target)) pairs.push(eventId, l.handlerId);
    if (pairs.length === 0) return;
    const pressure = this.#pressure();
    if (pressure !== 'ok') {
      this.#droppedEvents++;
      this.#droppedBytes += nameJson.length + payloadJson.length + 8 * pairs.length + 16;
      if (pressure === 'overrun') this.close(CloseCode.SLOW_CONSUMER, 'slow consumer: the page did not read its socket');
      return;
    }
    this.#queue(encode.event(nameJson, payloadJson, pairs));
  }

  // ── the outbound batch ─────────────────────────────────────────────────────────────────────────────────────────

  /** Appends a frame to this turn's batch (starting a new one past the limits); it leaves by the end of the turn. */
  #queue(frame: string): void {
    const n = this.#batchCount;
    if (n > 0 && (n >= BATCH_MAX_FRAMES || this.#batch.length + frame.length + 3 > BATCH_MAX_CHARS)) this.#flush();
    if (frame.length + 2 > BATCH_MAX_CHARS) {
      this.#peer.sendText(frame);
      return;
    }
    if (this.#batchCount === 0) this.#batch = frame;
    else this.#batch += `,${frame}`;
    this.#batchCount++;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flushTick);
    }
  }

  /** Sends this turn's batch now: one frame as itself, several as one array frame. */
  #flush(): void {
    const n = this.#batchCount;
    if (n === 0) return;
    const text = n === 1 ? this.#batch : `[${this.#batch}]`;
    this.#batch = '';
    this.#batchCount = 0;
    if (this.#open) this.#peer.sendText(text);
  }

  /** Sends a frame that is not batched, after the batch it follows. */
  #send(frame: string): void {
    if (this.#batchCount > 0) this.#flush();
    this.#peer.sendText(frame);
  }

  // ── channels (ChannelSink) ─────────────────────────────────────────────────────────────────────────────────────

  sendChannelMessage(id: number, index: number, message: unknown): void {
    // Channel messages are never dropped (the page counts on every index); a sender that ignores `ready()` and
    // overruns the page gets it disconnected, and its channel ends.
    if (this.#open && !this.#admit()) {
      throw new AirlockError(
        ErrorCode.CHANNEL_CLOSED,
        `channel ${id}: the page was disconnected as a slow consumer; await channel.ready() between sends`,
      );
    }
    const tracer = this.#owner.tracer;
    if (tracer.active)
      tracer.emit({ kind: 'channel', at: Date.now(), webview: this.label, channel: id, index, size: sizeOf(message), end: false });
    if (isBytes(message)) {
      // The next chunk of the byte run goes bare (no header); anything else starts a run with a header.
      if (this.#runChannel === id && this.#runNext === index) this.#flush();
      else {
        this.#runChannel = id;
        this.#send(encode.channelBytes(id, index));
      }
      this.#runNext = index + 1;
      this.#peer.sendBinary(message instanceof ArrayBuffer ? new Uint8Array(message) : message);
    } else {
      this.#queue(encode.channel(id, index, toJson(message, 'channel message')));
    }
  }

  sendChannelEnd(id: number, count: number): void {
    if (!this.#admit()) return;
    const tracer = this.#owner.tracer;
    if (tracer.active) tracer.emit({ kind: 'channel', at: Date.now(), webview: this.label, channel: id, index: count, size: 0, end: true });
    this.#queue(encode.channelEnd(id, count));
  }

  drained(): Promise<void> {
    return this.#peer.drained();
  }

  adopt(channel: Channel<unknown>): void {
    this.#channels.add(channel);
  }

  release(channel: Channel<unknown>): void {
    this.#channels.delete(channel);
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** First frame: the resume token for reloads (and the asset protocol's base URL, when the app serves one). */
  /** Asks the page to act on its own window (pages no window host drives). */
  windowOp(op: WindowOp): void {
    if (this.#open) this.#send(encode.windowOp(op));
  }

  hello(token: string, assets?: string): void {
    this.#send(encode.hello(token, this.id, assets));
  }

  /** Closes the socket (if still open) and releases everything the page held. */
  close(code: number = CloseCode.SHUTDOWN, reason = 'closed by the core'): void {
    if (!this.#open) return;
    // What this turn produced still goes out, ahead of the close (as it would have without batching).
    this.#flush();
    this.#peer.close(code, reason);
    this.closed();
  }

  /** Called by the transport when the socket is gone. Idempotent. */
  closed(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#awaitingBody = undefined;
    this.#batch = '';
    this.#batchCount = 0;
    this.#calls.clear();
    const gone = new AirlockError(ErrorCode.DISCONNECTED, `webview \`${this.label}\` went away (reload, navigation or close)`);
    this.#abort.abort(gone);
    const inflight = [...this.#inflight];
    this.#inflight.clear();
    for (const call of inflight) call.abort(gone);
    for (const ch of this.#channels) ch.detach();
    this.#channels.clear();
    this.#listeners.clear();
    this.#listenerCount = 0;
    this.#owner.disconnected(this);
    this.#closedResolve();
  }
}

/**
 * The JSON a page's `invoke` rejects with, for anything a handler may throw. Total: a value that cannot become JSON
 * (BigInt, symbol, function, cyclic object, a Proxy whose traps throw, an Error whose `message` getter throws)
 * becomes an INTERNAL error that says so, never an exception.
 */
export function rejectionJson(error: unknown): string {
  try {
    let value: unknown;
    if (error instanceof AirlockError) value = error.toWire();
    else if (error instanceof Error) value = error.message;
    else value = error ?? null;
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // described below
  }
  return JSON.stringify(
    new AirlockError(ErrorCode.INTERNAL, `the command failed with a value that cannot be serialized to JSON (${describe(error)})`).toWire(),
  );
}

function describe(value: unknown): string {
  try {
    if (typeof value === 'object' && value !== null) return Object.prototype.toString.call(value);
    return typeof value === 'function' ? 'a function' : String(value);
  } catch {
    return typeof value;
  }
}
