/**
 * The isolation frame runtime: runs first in the sandboxed iframe (`sandbox="allow-scripts"`, opaque origin),
 * before the app's own isolation scripts. Wire contract: protocol/isolation.ts.
 *
 *   frame → page   ISOLATION_HELLO when the document has loaded; ISOLATION_READY once the hook is set and the
 *                  frame's socket is open; a refusal when the hook blocks a call, so the caller's `invoke` rejects
 *                  promptly; `failed` when the frame cannot judge calls (fail closed).
 *   page → frame   the binding (frame token, connection, label) with one end of a MessageChannel, accepted only
 *                  from the parent window at the app's origin; then isolation requests on that channel (or from
 *                  that window). Once bound, the frame answers on the channel too: a port's message goes from
 *                  renderer to renderer, a window's through the browser process.
 *   frame → core   each approved call, sealed (AES-256-GCM, associated data per protocol/isolation.ts), on the
 *                  frame's own WebSocket as one binary sealed frame (calls sealed together share one; a large
 *                  body alone goes as its header frame, then the ciphertext, uncopied).
 *
 * Nothing is sealed before the app's `window.__TAURI_ISOLATION_HOOK__` is set: requests wait in the frame until
 * then. A script of the isolation app that fails to load before the hook is set, or a hook still unset 10 s after
 * the document loaded, fails the frame closed: every call is refused, none is sealed.
 *
 * The hook (sync or async) may return the payload, a rewritten one (its `cmd`, `payload` and `options` are used;
 * callback ids cannot be changed), or null/undefined/throw to block. A hook set to `null` passes everything
 * through. The key is imported non-extractable and the script element that carried it removes itself, so the app's
 * isolation scripts never see the raw key.
 *
 * The hook gets the args parsed only if it reads them: `payload` is parsed from the page's JSON text on first read.
 * A hook that returns the message without reading or replacing its `payload` (a pass-through, or an allow-list of
 * command names) has the page's JSON text sealed as it came, the same text the frame would write again; once the
 * hook has read or set `payload`, what it left there is serialized and sealed.
 */
import { PROTOCOL_VERSION } from '../protocol/frames.js';
import { encodeCall } from '../protocol/page.js';
import {
  associatedData,
  CONTROL_PREFIX,
  FRAME_DOC_PROTOCOL_PREFIX,
  FRAME_TOKEN_PROTOCOL_PREFIX,
  type FrameToPage,
  ISOLATION_HELLO,
  ISOLATION_READY,
  encodeSealedBatch,
  type IsolationBatch,
  type IsolationBind,
  MAX_BATCH,
  type IsolationPayload,
  type IsolationRequest,
  type SealedKind,
  SPLIT_SEALED_BYTES,
} from '../protocol/isolation.js';

export interface FrameConfig {
  /** This document's AES key (useless until its socket binds it to a page). */
  readonly key: number[];
  /** This document's one-time id, presented on the frame socket's upgrade. */
  readonly document: string;
  /** The frame socket's URL. */
  readonly socket: string;
  /** The app origins allowed to talk to this frame. */
  readonly parents: string[];
  /** Warn about hooks written for Tauri v1's message shape. */
  readonly dev: boolean;
}

type Hook = ((payload: IsolationPayload) => unknown) | null | undefined;
type Sealed = { header: string; body: ArrayBuffer; original: IsolationRequest } | { refusal: string; original: IsolationRequest };
/** A call's args as the hook got them: `parsed` once `payload` was read or set (then `value` holds it). */
interface Args {
  readonly req: IsolationRequest;
  parsed: boolean;
  value: unknown;
}
/** Ready seals stop waiting for the others past this many bytes. */
const BATCH_BYTES = 1024 * 1024;

const w = window as unknown as { __TAURI_ISOLATION_HOOK__?: Hook };
/** Requests waiting for the hook at most; more are refused. */
const MAX_WAITING = 10_000;
const HOOK_DEADLINE_MS = 10_000;

// Captured before the app's isolation scripts run.
const WS = window.WebSocket;
const stringify = JSON.stringify.bind(JSON);
const parse = JSON.parse.bind(JSON);
const subtle = crypto.subtle;
const getRandomValues = crypto.getRandomValues.bind(crypto);
const encoder = new TextEncoder();
const isView = ArrayBuffer.isView;
const portPost = MessagePort.prototype.postMessage;
const portStart = MessagePort.prototype.start;
const listen = EventTarget.prototype.addEventListener;
const defineProperty = Object.defineProperty;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;

function isRequest(data: unknown): data is IsolationRequest {
  const d = data as Partial<IsolationRequest> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    d.airlock === 1 &&
    typeof d.cmd === 'string' &&
    typeof d.callback === 'number' &&
    typeof d.error === 'number' &&
    (typeof d.json === 'string' || d.raw instanceof Uint8Array)
  );
}

function isBatch(data: unknown): data is IsolationBatch {
  const d = data as Partial<IsolationBatch> | null;
  return typeof d === 'object' && d !== null && d.airlock === 1 && Array.isArray(d.batch) && d.batch.length <= MAX_BATCH;
}

function isBind(data: unknown): data is IsolationBind {
  const b = (data as Partial<IsolationBind> | null)?.bind;
  return (
    typeof data === 'object' &&
    (data as { airlock?: unknown }).airlock === 1 &&
    typeof b?.token === 'string' &&
    typeof b.connection === 'string' &&
    typeof b.label === 'string'
  );
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function replacer(_k: string, v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries(v.entries());
  if (v instanceof Uint8Array) return Array.from(v);
  if (v instanceof ArrayBuffer) return Array.from(new Uint8Array(v));
  return v;
}

function toPlaintext(payload: unknown): { kind: SealedKind; bytes: Uint8Array<ArrayBuffer> } {
  if (payload instanceof ArrayBuffer) return { kind: 'r', bytes: new Uint8Array(payload) };
  // The payload was structured-cloned into this frame, so its buffer is ours: encrypt the view without copying.
  if (isView(payload)) return { kind: 'r', bytes: new Uint8Array(payload.buffer as ArrayBuffer, payload.byteOffset, payload.byteLength) };
  return { kind: 'j', bytes: encoder.encode(stringify(payload ?? {}, replacer) ?? '{}') };
}

function describeLoadError(e: Event): string {
  if (e instanceof ErrorEvent) return e.message || 'a script error';
  const t = e.target as { tagName?: string; src?: string; href?: string } | null;
  if (t?.tagName !== undefined) return `${t.tagName.toLowerCase()} ${t.src ?? t.href ?? ''} could not be loaded`;
  return 'a load error';
}

export function install(config: FrameConfig): void {
  document.currentScript?.remove();
  const keyBytes = new Uint8Array(config.key);
  config.key.fill(0);
  let key: CryptoKey | undefined;
  const keyReady = subtle.importKey('raw', keyBytes, { name: 'AES-GCM' }, false, ['encrypt']).then(
    (k) => {
      key = k;
    },
    (e: unknown) => fail(`the isolation key could not be imported: ${String(e)}`),
  );
  keyBytes.fill(0);
  const instance = base64(getRandomValues(new Uint8Array(12))).replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
  const parents = new Set(config.parents);

  let state: 'waiting' | 'ready' | 'failed' = 'waiting';
  let failure = '';
  let hookSet = false;
  let socket: WebSocket | undefined;
  let socketOpen = false;
  let binding: IsolationBind['bind'] | undefined;
  const waiting: IsolationRequest[] = [];

  /**
   * Sequence numbers are taken in the order hooks finish; seals finish in any order but leave in that order. Seals
   * that are ready while others are still being made wait for them and leave together, in one sealed frame
   * (pipelined calls); a call alone leaves at once, in a sealed frame of its own.
   */
  let seq = 0;
  let nextToSend = 0;
  const sealed = new Map<number, Sealed>();
  let readyBytes = 0;

  /** The page's channel, from the binding. */
  let port: MessagePort | undefined;
  const post = (msg: FrameToPage): void => {
    if (port !== undefined) portPost.call(port, msg);
    else window.parent.postMessage(msg, '*');
  };

  function refuse(m: { cmd: string; callback: number; error: number }, reason: string): void {
    post({ refused: { callback: m.callback, error: m.error, cmd: m.cmd, reason } });
  }

  function fail(reason: string): void {
    if (state === 'failed') return;
    state = 'failed';
    failure = reason;
    for (const m of waiting.splice(0)) refuse(m, reason);
    post({ failed: reason });
    socket?.close();
  }

  const warned = new Set<string>();
  function warn(what: string, text: string): void {
    if (!config.dev || warned.has(what)) return;
    warned.add(what);
    console.warn(`[airlock isolation] ${text}`);
  }

  /** In dev, the hook gets a view of the payload that notices Tauri v1-style reads. */
  function watched(m: IsolationPayload): IsolationPayload {
    if (!config.dev) return m;
    return new Proxy(m, {
      get(target, prop, receiver) {
        if (prop === 'message') {
          warn(
            'message',
            'the isolation hook read `payload.message`, a Tauri v1 field that v2 never sends, so checks on it never match ' +
              '(an allow-list built on it allows everything). Use `payload.cmd` (the command: "greet", "plugin:fs|read_file") and `payload.payload` (its args).',
          );
        }
        return Reflect.get(target, prop, receiver);
      },
    });
  }

  function flushSealed(): void {
    const making = seq - nextToSend - sealed.size;
    if (making > 0 && readyBytes < BATCH_BYTES && sealed.size < MAX_BATCH) return;
    const out: Array<{ header: string; body: ArrayBuffer; original: IsolationRequest }> = [];
    for (let s = sealed.get(nextToSend); s !== undefined; s = sealed.get(nextToSend)) {
      sealed.delete(nextToSend++);
      if ('refusal' in s) refuse(s.original, s.refusal);
      else {
        readyBytes -= s.body.byteLength;
        out.push(s);
      }
    }
    if (out.length === 0) return;
    if (socket === undefined || socket.readyState !== WS.OPEN) {
      for (const o of out) refuse(o.original, "the isolation frame's socket is closed");
    } else if (out.length === 1 && (out[0] as (typeof out)[number]).body.byteLength >= SPLIT_SEALED_BYTES) {
      // a large body alone: its header, then the ciphertext as WebCrypto made it (protocol/isolation.ts)
      const only = out[0] as (typeof out)[number];
      socket.send(only.header);
      socket.send(only.body);
    } else {
      socket.send(encodeSealedBatch(out)); // one binary frame, whether it holds one call or many
    }
  }

  /**
   * Seals one call: `text`, the page's JSON text of the args when nothing changed them, or else `payload`, the args
   * as the hook left them.
   */
  async function seal(
    cmd: string,
    headers: Record<string, string> | undefined,
    text: string | undefined,
    payload: unknown,
    original: IsolationRequest,
  ): Promise<void> {
    const b = binding as IsolationBind['bind'];
    const current = seq++;
    let done: Sealed;
    try {
      const { kind, bytes } = text !== undefined ? { kind: 'j' as const, bytes: encoder.encode(text) } : toPlaintext(payload);
      const iv = getRandomValues(new Uint8Array(12));
      const aad = encoder.encode(
        associatedData({ label: b.label, connection: b.connection, instance, seq: current, kind, command: cmd, headers }),
      );
      const body = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key as CryptoKey, bytes);
      const header = encodeCall.sealed(
        { cmd, callback: original.callback, error: original.error, headers },
        { i: instance, q: current, n: base64(iv), k: kind },
      );
      done = { header, body, original };
      readyBytes += body.byteLength;
    } catch (e) {
      done = { refusal: `sealing failed: ${String(e)}`, original };
    }
    sealed.set(current, done);
    flushSealed();
  }

  async function judge(req: IsolationRequest): Promise<void> {
    const original: IsolationPayload = {
      cmd: req.cmd,
      callback: req.callback,
      error: req.error,
      payload: req.raw,
      options: req.headers === undefined ? {} : { headers: req.headers },
    };
    // JSON args are parsed when the hook first reads them (a pass-through hook never does).
    const args: Args = { req, parsed: false, value: undefined };
    const lazy = {
      get(): unknown {
        if (!args.parsed) {
          args.value = parse(req.json as string);
          args.parsed = true;
        }
        return args.value;
      },
      set(v: unknown): void {
        args.value = v;
        args.parsed = true;
      },
    };
    if (req.raw === undefined) defineProperty(original, 'payload', { enumerable: true, configurable: true, ...lazy });
    const hook = w.__TAURI_ISOLATION_HOOK__;
    const view = watched(original);
    let result: unknown = original;
    if (typeof hook === 'function') {
      try {
        result = hook(view);
        if (typeof (result as { then?: unknown } | null)?.then === 'function') result = await result; // sync hooks skip a turn
      } catch (e) {
        return refuse(req, `the isolation hook threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    } else if (hook !== null) {
      return refuse(req, 'the isolation hook is not set'); // never reached: requests wait for the hook
    }
    if (state !== 'ready') return refuse(req, failure || 'the isolation frame is not ready');
    if (result === null || result === undefined) return refuse(req, 'the isolation hook blocked this call');
    const r = result as Partial<IsolationPayload>;
    if (typeof r.cmd !== 'string' || r.cmd.length === 0)
      return refuse(req, 'the isolation hook returned something that is not an IPC message (no `cmd`)');
    // The message came back with its args never read nor replaced: the page's JSON text is what the hook let through.
    const untouched =
      req.json !== undefined &&
      (r === original || r === view) &&
      !args.parsed &&
      getOwnPropertyDescriptor(original, 'payload')?.get === lazy.get;
    const headers = (r.options as { headers?: Record<string, string> } | undefined)?.headers;
    if (untouched) await seal(r.cmd, headers, req.json, undefined, req);
    else {
      let payload: unknown;
      try {
        payload = r.payload;
      } catch (e) {
        return refuse(req, `the call's arguments are not JSON: ${String(e)}`);
      }
      await seal(r.cmd, headers, undefined, payload, req);
    }
  }

  function accept(req: IsolationRequest): void {
    if (req.cmd.startsWith(CONTROL_PREFIX)) {
      // A cancel or stream data (protocol/isolation.ts): sealed as it is, never judged by the hook; dropped while
      // the frame cannot seal (the call it belongs to is refused or failed then anyway).
      if (state === 'ready') void seal(req.cmd, req.headers, req.json, req.raw, req);
      return;
    }
    if (state === 'failed') refuse(req, failure);
    else if (state === 'ready') void judge(req);
    else if (waiting.length >= MAX_WAITING) refuse(req, 'too many calls wait for the isolation hook to be set');
    else waiting.push(req);
  }

  function becomeReady(): void {
    if (state !== 'waiting' || !hookSet || !socketOpen) return;
    state = 'ready';
    post(ISOLATION_READY);
    for (const m of waiting.splice(0)) void judge(m);
  }

  function bind(b: IsolationBind['bind'], channel: MessagePort | undefined): void {
    if (binding !== undefined || state === 'failed') return; // one binding per document: its id opens one socket
    binding = b;
    if (channel !== undefined) {
      port = channel;
      listen.call(channel, 'message', (event: Event) => fromPage((event as MessageEvent).data));
      portStart.call(channel);
    }
    const ws = new WS(config.socket, [
      PROTOCOL_VERSION,
      FRAME_TOKEN_PROTOCOL_PREFIX + b.token,
      FRAME_DOC_PROTOCOL_PREFIX + config.document,
    ]);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    ws.onopen = () => {
      void keyReady.then(() => {
        socketOpen = true;
        becomeReady();
      });
    };
    ws.onclose = (ev: CloseEvent) => {
      socketOpen = false;
      fail(`the isolation frame's connection to the core closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`);
    };
  }

  function fromPage(data: unknown): void {
    if (isRequest(data)) accept(data);
    else if (isBatch(data)) {
      for (const r of data.batch) if (isRequest(r)) accept(r);
    }
  }

  window.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== window.parent || !parents.has(event.origin)) return;
    const data: unknown = event.data;
    if (isBind(data)) bind(data.bind, event.ports[0]);
    else fromPage(data);
  });

  // A script of the isolation app that fails before the hook is set (a syntax error, a module that does not load)
  // fails the frame closed. Resource errors do not bubble: listen in the capture phase.
  window.addEventListener(
    'error',
    (e: Event) => {
      // only script errors count: an image or a style sheet that fails to load does not keep the hook from loading
      const script = e instanceof ErrorEvent || (e.target as { tagName?: unknown } | null)?.tagName === 'SCRIPT';
      if (!hookSet && script) fail(`the isolation hook failed to load: ${describeLoadError(e)}`);
    },
    true,
  );
  window.addEventListener('load', () => {
    setTimeout(() => {
      if (!hookSet) fail(`the isolation hook (window.__TAURI_ISOLATION_HOOK__) was not set within ${HOOK_DEADLINE_MS / 1000} s`);
    }, HOOK_DEADLINE_MS);
  });

  const hookReady = (): boolean => {
    const hook = w.__TAURI_ISOLATION_HOOK__;
    if (typeof hook !== 'function' && hook !== null) return false;
    if (typeof hook === 'function' && /['"]invoke['"]/.test(Function.prototype.toString.call(hook))) {
      warn(
        'invoke',
        "the isolation hook compares against 'invoke', the Tauri v1 command name; v2 sends each command by its own name in " +
          '`payload.cmd` ("greet", "plugin:fs|read_file"), so such a check never matches. Compare `payload.cmd` with the command names instead.',
      );
    }
    return true;
  };
  const poll = (): void => {
    if (state === 'failed') return;
    if (!hookReady()) {
      setTimeout(poll, 10);
      return;
    }
    hookSet = true;
    becomeReady();
  };
  post(ISOLATION_HELLO);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', poll);
  else poll();
}
