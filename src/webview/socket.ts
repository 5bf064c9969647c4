/**
 * The page's end of the IPC WebSocket (frame shapes: src/protocol/frames.ts).
 *
 * Credential: the launch URL's fragment carries a one-time ticket, which is stripped from the address bar before
 * any app script runs; the core answers the first connection with a resume token kept in sessionStorage, so a
 * reload of this tab reconnects as the same webview. The credential travels as a WebSocket sub-protocol, never in
 * a URL. Calls made while the socket opens are queued; calls in flight when it closes reject with DISCONNECTED;
 * the next call reconnects.
 */
import { ErrorCode, wireError } from '../protocol/errors.js';
import {
  STREAM_CHUNK_MAX,
  LAUNCH_FRAGMENT_KEY,
  PROTOCOL_VERSION,
  RESUME_PROTOCOL_PREFIX,
  SOCKET_PAGE_PARAM,
  SOCKET_PATH,
  TICKET_PROTOCOL_PREFIX,
} from '../protocol/frames.js';
import { BinaryRouter, decodeServerFrames, encodeCall, type ServerMessage } from '../protocol/page.js';
import { callbacks, runCallback } from './callbacks.js';
import { g } from './globals.js';

const STORAGE_KEY = '__airlock_session';

/** What a page opened without its one-time URL shows, and what its calls reject with. */
export const NO_SESSION_MESSAGE =
  'Airlock: this page has no IPC session, so it cannot reach the app. It was opened without the one-time link that ' +
  'starts a session (a bare address, a bookmark or a new tab). Open the app with `airlock run` / `airlock dev`, or ' +
  'open the URL the core printed at start (`server.url(label)` in code); a reload of that page keeps its session.';
interface PageStream {
  credit: number;
  stopped: boolean;
  wake: (() => void) | undefined;
}

/** Where a pump's chunks go: the page's socket, or (isolation pattern) the frame, which seals them. */
export interface StreamSink {
  chunk(bytes: Uint8Array): void;
  end(): void;
  error(message: string): void;
}

/** What a page may pass as a stream argument: a `ReadableStream` or an async iterable of bytes. */
export type StreamLike = ReadableStream<unknown> | AsyncIterable<unknown>;

export function isStreamLike(value: unknown): value is StreamLike {
  if (typeof value !== 'object' || value === null) return false;
  if (g.ReadableStream !== undefined && value instanceof g.ReadableStream) return true;
  return typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

function readerOf(source: StreamLike): { read(): Promise<{ done: boolean; value?: unknown }>; cancel(): Promise<unknown> } {
  if (g.ReadableStream !== undefined && source instanceof g.ReadableStream) {
    const reader = source.getReader();
    return { read: () => reader.read(), cancel: () => reader.cancel() };
  }
  const it = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  return {
    read: async () => {
      const r = await it.next();
      return r.done === true ? { done: true } : { done: false, value: r.value };
    },
    cancel: async () => it.return?.(),
  };
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof g.Uint8Array) return value;
  if (value instanceof g.ArrayBuffer) return new g.Uint8Array(value);
  if (g.isView(value)) return new g.Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`a stream argument yielded ${typeof value}; it must yield Uint8Array or ArrayBuffer chunks`);
}

export interface Identity {
  readonly label: string;
  readonly window: string;
  ticket: string | undefined;
  token: string | undefined;
  /** The asset protocol's secret base URL, from the core's hello (kept for reloads). */
  assets: string | undefined;
}

/** Reads (and removes from the URL) the launch credential, or the resume token of an earlier page of this tab. */
export function readIdentity(): Identity | undefined {
  const hash = g.location.hash.slice(1);
  if (hash.startsWith(`${LAUNCH_FRAGMENT_KEY}=`)) {
    const params = new g.URLSearchParams(hash);
    g.history.replaceState(g.history.state, '', g.location.pathname + g.location.search);
    const ticket = params.get(LAUNCH_FRAGMENT_KEY) ?? undefined;
    const label = params.get('label') ?? 'main';
    return { label, window: params.get('window') ?? label, ticket, token: undefined, assets: undefined };
  }
  const stored = g.sessionStorage?.getItem(STORAGE_KEY);
  if (stored == null) return undefined;
  try {
    const s = g.parse(stored) as { label?: unknown; window?: unknown; token?: unknown; assets?: unknown };
    if (typeof s.label === 'string' && typeof s.window === 'string' && typeof s.token === 'string') {
      const assets = typeof s.assets === 'string' ? s.assets : undefined;
      return { label: s.label, window: s.window, ticket: undefined, token: s.token, assets };
    }
  } catch {
    // a corrupted entry: no session
  }
  return undefined;
}

export class IpcSocket {
  readonly #identity: Identity | undefined;
  #ws: WebSocket | undefined;
  #queue: Array<string | Uint8Array<ArrayBuffer>> = [];
  /** Calls sent and not yet answered: callback id → error id, and the reverse. */
  readonly #inflight = new g.Map<number, number>();
  readonly #inflightByError = new g.Map<number, number>();
  /** Where the next binary frame goes: a response's body or a channel's bytes. */
  readonly #bodies = new BinaryRouter<ArrayBuffer>((id, message, index) => runCallback(id, { message, index }));
  /** The connection id from the core's hello, and who waits for it. */
  #connectionId: string | undefined;
  #helloWaiters: Array<(id: string) => void> = [];
  #helloListeners: Array<() => void> = [];
  #windowOp: ((op: string, value: unknown) => void) | undefined;
  /** Page → core streams being pumped, by stream id. */
  readonly #streams = new g.Map<number, PageStream>();
  #nextStream = 1;
  /** Responses the runtime itself needs to see (e.g. listen → event id); keyed by callback id. */
  readonly #observers = new g.Map<number, (data: unknown, ok: boolean) => void>();
  /** Isolation pattern: calls handed to the isolation frame (callback ids), this connection's unused frame token,
   *  and who waits for one. */
  /** Isolation pattern: calls given to the isolation frame → the frame token that frame was bound with. */
  readonly #viaFrame = new g.Map<number, string>();
  #frameToken: string | undefined;
  #tokenWaiters: Array<(t: { token: string; connection: string }) => void> = [];
  #onFrameToken: ((connection: string) => void) | undefined;
  #onFrameClosed: ((frame: string) => void) | undefined;
  #onClosed: ((message: string) => void) | undefined;

  constructor(identity: Identity | undefined) {
    this.#identity = identity;
    if (identity !== undefined) this.#connect();
  }

  /** The asset protocol's secret base URL once the core has said it (at once after a reload). */
  get assetBase(): string | undefined {
    return this.#identity?.assets;
  }

  get connected(): boolean {
    return this.#ws?.readyState === g.WebSocket.OPEN;
  }

  /** Resolves with the id of an open connection (connecting if needed) — sealed messages are bound to it. */
  whenReady(): Promise<string> {
    if (this.#identity === undefined) return new g.Promise(() => {});
    if (this.#ws === undefined || this.#ws.readyState >= g.WebSocket.CLOSING) this.#connect();
    if (this.#connectionId !== undefined) return g.Promise.resolve(this.#connectionId);
    return new g.Promise((resolve) => this.#helloWaiters.push(resolve));
  }

  /** Runs `fn` after every hello from the core (the first connection and each reconnect). */
  onHello(fn: () => void): void {
    this.#helloListeners.push(fn);
  }

  /** Where the core's requests to act on this window go. */
  onWindowOp(fn: (op: string, value: unknown) => void): void {
    this.#windowOp = fn;
  }

  /** Sends a window report when the connection is up (false otherwise: the next hello sends a fresh one). */
  sendReport(text: string): boolean {
    if (this.#connectionId === undefined || this.#ws?.readyState !== g.WebSocket.OPEN) return false;
    this.#ws.send(text);
    return true;
  }

  /**
   * Isolation pattern: a call given to the isolation frame, which sends it to the core on its own socket. Its
   * answer comes here, as for any call; it rejects when this socket closes, or when the frame's socket closes
   * before the call reached the core.
   */
  track(callback: number, error: number, frame: string): void {
    this.#inflight.set(callback, error);
    this.#inflightByError.set(error, callback);
    this.#viaFrame.set(callback, frame);
  }

  /** Resolves with an unused frame token of the open connection (connecting if needed), and uses it up. */
  frameToken(): Promise<{ token: string; connection: string }> {
    if (this.#identity === undefined) return new g.Promise(() => {});
    if (this.#ws === undefined || this.#ws.readyState >= g.WebSocket.CLOSING) this.#connect();
    const token = this.#frameToken;
    if (token !== undefined && this.#connectionId !== undefined) {
      this.#frameToken = undefined;
      return g.Promise.resolve({ token, connection: this.#connectionId });
    }
    return new g.Promise((resolve) => this.#tokenWaiters.push(resolve));
  }

  /** Called with the connection id whenever the core hands out a frame token. */
  onFrameToken(handler: (connection: string) => void): void {
    this.#onFrameToken = handler;
  }

  /** Called with the frame token of a frame whose socket closed (after its lost calls are rejected). */
  onFrameClosed(handler: (frame: string) => void): void {
    this.#onFrameClosed = handler;
  }

  /** Called with DISCONNECTED's message whenever this page's socket closes (after its calls in flight are rejected). */
  onClosed(handler: (message: string) => void): void {
    this.#onClosed = handler;
  }

  /** Opens the page's socket unless it is open or opening (what a call does before it is sent). */
  connect(): void {
    if (this.#identity !== undefined && (this.#ws === undefined || this.#ws.readyState >= g.WebSocket.CLOSING)) this.#connect();
  }

  /** Sends one call (a header frame, plus a binary body when `body` is given). */
  send(callback: number, error: number, header: string, body?: Uint8Array<ArrayBuffer>): void {
    if (this.#identity === undefined) {
      runCallback(error, NO_SESSION_MESSAGE);
      return;
    }
    this.#inflight.set(callback, error);
    this.#inflightByError.set(error, callback);
    const ws = this.#ws === undefined || this.#ws.readyState >= g.WebSocket.CLOSING ? this.#connect() : this.#ws;
    if (ws.readyState === g.WebSocket.OPEN) {
      ws.send(header);
      if (body !== undefined) ws.send(body);
    } else {
      this.#queue.push(header);
      if (body !== undefined) this.#queue.push(body);
    }
  }

  /** Calls `observer` with the result of the call answered on `callback`/`error` before the caller sees it. */
  observe(callback: number, error: number, observer: (data: unknown, ok: boolean) => void): void {
    this.#observers.set(callback, observer);
    this.#observers.set(error, observer);
  }

  /** Forgets a call settled without the core (e.g. refused by the isolation hook): its observer and tracking. */
  forget(callback: number, error: number): void {
    this.#observers.delete(callback);
    this.#observers.delete(error);
    if (this.#viaFrame.delete(callback)) {
      this.#inflight.delete(callback);
      this.#inflightByError.delete(error);
    }
  }

  close(): void {
    this.#ws?.close(1000, 'page hidden');
  }

  /**
   * Gives up on a call: forgets it and tells the core, which aborts the handler's `ctx.signal` and drops its answer.
   * False when the call is not in flight on this socket (answered, or never sent).
   */
  cancel(callback: number, error: number, notify: (() => void) | undefined = undefined): boolean {
    if (this.#inflight.get(callback) !== error) return false;
    this.#inflight.delete(callback);
    this.#inflightByError.delete(error);
    this.#viaFrame.delete(callback);
    this.#observers.delete(callback);
    this.#observers.delete(error);
    if (notify !== undefined) notify();
    else this.#sendFrame(encodeCall.cancel(callback));
    return true;
  }

  /** A new page → core stream id (its `__STREAM__:<id>` marker goes in the call's args). */
  newStreamId(): number {
    const id = this.#nextStream;
    this.#nextStream = (this.#nextStream + 1) >>> 0 || 1;
    return id;
  }

  /**
   * Pumps `source` as stream `id`, sending only bytes the core granted. Resolves when it ended, failed or was
   * stopped; `stop()` (the call settled or was aborted) cancels the source.
   */
  pump(id: number, source: StreamLike, sink: StreamSink | undefined = undefined): { stop: () => void } {
    const s: PageStream = { credit: 0, stopped: false, wake: undefined };
    this.#streams.set(id, s);
    const stop = (): void => {
      if (s.stopped) return;
      s.stopped = true;
      this.#streams.delete(id);
      s.wake?.();
    };
    const out: StreamSink = sink ?? {
      chunk: (bytes) => this.#sendFrame(encodeCall.streamChunk(id), bytes),
      end: () => this.#sendFrame(encodeCall.streamEnd(id)),
      error: (message) => this.#sendFrame(encodeCall.streamError(id, message)),
    };
    void this.#pumpLoop(s, source, out).finally(stop);
    return { stop };
  }

  async #pumpLoop(s: PageStream, source: StreamLike, out: StreamSink): Promise<void> {
    const next = readerOf(source);
    const waitCredit = async (): Promise<void> => {
      while (s.credit === 0 && !s.stopped) await new g.Promise<void>((resolve) => (s.wake = resolve));
    };
    try {
      for (;;) {
        await waitCredit();
        if (s.stopped) return;
        const r = await next.read();
        if (s.stopped) return;
        if (r.done) {
          out.end();
          return;
        }
        const bytes = toBytes(r.value);
        for (let off = 0; off < bytes.byteLength; ) {
          await waitCredit();
          if (s.stopped) return;
          const n = Math.min(s.credit, STREAM_CHUNK_MAX, bytes.byteLength - off);
          out.chunk(bytes.subarray(off, off + n));
          s.credit -= n;
          off += n;
        }
      }
    } catch (e) {
      if (!s.stopped) out.error(e instanceof Error ? e.message : String(e));
    } finally {
      if (s.stopped) void next.cancel().catch(() => {});
    }
  }

  /** A frame (and its binary body) on the open socket, or queued while it opens; dropped when there is none. */
  #sendFrame(header: string, body?: Uint8Array): void {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState >= g.WebSocket.CLOSING) return;
    if (ws.readyState === g.WebSocket.OPEN) {
      ws.send(header);
      if (body !== undefined) ws.send(body as Uint8Array<ArrayBuffer>);
    } else {
      this.#queue.push(header);
      if (body !== undefined) this.#queue.push(new g.Uint8Array(body));
    }
  }

  #connect(): WebSocket {
    const identity = this.#identity as Identity;
    const credential =
      identity.token !== undefined ? RESUME_PROTOCOL_PREFIX + identity.token : TICKET_PROTOCOL_PREFIX + (identity.ticket ?? '');
    const page = g.encodeURIComponent(g.location.pathname + g.location.search);
    const url = `${g.location.protocol === 'https:' ? 'wss' : 'ws'}://${g.location.host}${SOCKET_PATH}?${SOCKET_PAGE_PARAM}=${page}`;
    const ws = new g.WebSocket(url, [PROTOCOL_VERSION, credential]);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    this.#bodies.reset();
    this.#connectionId = undefined;
    this.#frameToken = undefined;
    ws.onopen = () => {
      const queued = this.#queue;
      this.#queue = [];
      for (const frame of queued) ws.send(frame);
    };
    ws.onmessage = (ev: MessageEvent) => {
      const data: unknown = ev.data;
      if (typeof data === 'string') this.#text(data);
      else if (data instanceof g.ArrayBuffer) this.#bodies.binary(data);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      this.#queue = [];
      const message = `the IPC connection closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''}) before the core answered`;
      this.#failInflight(message);
      this.#onClosed?.(message);
    };
    return ws;
  }

  /** One text frame from the core: a frame or a batch of them (dispatched in order, all or none). */
  #text(text: string): void {
    let messages: ServerMessage[];
    try {
      messages = decodeServerFrames(text);
    } catch (e) {
      g.error(`Airlock: ${(e as Error).message}`);
      return;
    }
    for (let i = 0; i < messages.length; i++) this.#message(messages[i] as ServerMessage);
  }

  #message(f: ServerMessage): void {
    if (f.kind === 'response') {
      if (f.bytes) this.#bodies.response((body) => this.#respond(f.id, body));
      else this.#respond(f.id, f.data);
    } else if (f.kind === 'event') {
      const l = f.listeners;
      for (let i = 0; i < l.length; i += 2) {
        const handler = l[i + 1] as number;
        // An event the core sent before it heard of an unlisten finds its handler already gone: drop it quietly.
        // (Tauri warns for each, and under listen/unlisten churn with events flowing the warnings swamp the page.)
        // One lookup per listener (what runCallback would do, without its second lookup and its warning).
        const run = callbacks.get(handler);
        if (run !== undefined) run({ event: f.name, payload: f.payload, id: l[i] });
      }
    } else if (f.kind === 'window') {
      this.#windowOp?.(f.op, f.value);
    } else if (f.kind === 'credit') {
      const s = this.#streams.get(f.id);
      if (s !== undefined && typeof f.bytes === 'number' && f.bytes > 0) {
        s.credit += f.bytes;
        const wake = s.wake;
        s.wake = undefined;
        wake?.();
      }
    } else if (f.kind === 'channel') {
      if (f.end) runCallback(f.id, { end: true, index: f.index });
      else if (f.bytes) this.#bodies.channel(f.id, f.index);
      else runCallback(f.id, { message: f.data, index: f.index });
    } else if (f.kind === 'frameToken') {
      const connection = this.#connectionId as string;
      const waiter = this.#tokenWaiters.shift();
      if (waiter !== undefined) waiter({ token: f.token, connection });
      else this.#frameToken = f.token;
      this.#onFrameToken?.(connection);
    } else if (f.kind === 'frameClosed') {
      this.#frameClosed(f.callbacks, f.frame);
    } else {
      const identity = this.#identity as Identity;
      identity.token = f.token;
      identity.ticket = undefined;
      identity.assets = f.assets;
      this.#connectionId = f.connection;
      for (const resolve of this.#helloWaiters.splice(0)) resolve(f.connection);
      const { label, window, token, assets } = identity;
      g.sessionStorage?.setItem(STORAGE_KEY, g.stringify({ label, window, token, assets }));
      for (const fn of this.#helloListeners) fn();
    }
  }

  /**
   * The socket of the isolation frame bound with token `frame` closed: the calls it had not delivered to the core
   * will never be answered. Calls given to another frame (the restarted one) are not its to reject.
   */
  #frameClosed(stillComing: readonly number[], frame: string): void {
    const coming = new g.Map<number, 1>();
    for (const c of stillComing) coming.set(c, 1);
    const lost: Array<[number, number]> = [];
    for (const [callback, via] of [...this.#viaFrame]) {
      if (via !== frame || coming.has(callback)) continue;
      this.#viaFrame.delete(callback);
      const error = this.#inflight.get(callback);
      if (error === undefined) continue;
      this.#inflight.delete(callback);
      this.#inflightByError.delete(error);
      this.#observers.delete(callback);
      this.#observers.delete(error);
      lost.push([callback, error]);
    }
    for (const [, error] of lost)
      runCallback(
        error,
        wireError(ErrorCode.DISCONNECTED, 'the isolation frame restarted before this call reached the core; nothing ran, call it again'),
      );
    this.#onFrameClosed?.(frame);
  }

  #respond(id: number, data: unknown): void {
    let ok = true;
    let other = this.#inflight.get(id);
    if (other !== undefined) this.#inflight.delete(id);
    else {
      ok = false;
      other = this.#inflightByError.get(id);
      if (other !== undefined) this.#inflight.delete(other);
    }
    if (other !== undefined) this.#inflightByError.delete(ok ? other : id);
    if (this.#viaFrame.size > 0) this.#viaFrame.delete(ok ? id : (other ?? id));
    if (this.#observers.size > 0) {
      const observer = this.#observers.get(id);
      if (observer !== undefined) {
        this.#observers.delete(id);
        if (other !== undefined) this.#observers.delete(other);
        observer(data, ok);
      }
    }
    runCallback(id, data);
  }

  #failInflight(message: string): void {
    for (const s of [...this.#streams.values()]) {
      s.stopped = true;
      s.wake?.();
    }
    this.#streams.clear();
    if (this.#inflight.size === 0) return;
    const errors = [...this.#inflight.values()];
    this.#inflight.clear();
    this.#viaFrame.clear();
    this.#inflightByError.clear();
    this.#observers.clear();
    for (const error of errors) runCallback(error, wireError(ErrorCode.DISCONNECTED, message));
  }
}
