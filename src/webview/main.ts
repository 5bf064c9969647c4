/**
 * The page runtime: defines `window.__TAURI_INTERNALS__`, `__TAURI_EVENT_PLUGIN_INTERNALS__` and `isTauri` with
 * the members and semantics the official `@tauri-apps/api` relies on, on top of the IPC socket.
 * The core serves it as the first script of every HTML page, in the top-level frame only: a sub-frame gets
 * internals whose calls reject, as Tauri gives sub-frames no IPC.
 */
import { ErrorCode, wireError } from '../protocol/errors.js';
import { encodeCall } from '../protocol/page.js';
import type { IsolationPayload } from '../protocol/isolation.js';
import { callbacks, registerCallback, runCallback, transformCallback, unregisterCallback } from './callbacks.js';
import { isolationBridge } from './isolation.js';
import { define, g } from './globals.js';
import { toBody, toHeaders } from './serialize.js';
import { showNoSession } from './no-session.js';
import { type Identity, IpcSocket, isStreamLike, readIdentity, type StreamLike, type StreamSink } from './socket.js';
import { CANCEL_COMMAND, STREAM_COMMAND, STREAM_ID_HEADER, STREAM_OP_HEADER } from '../protocol/isolation.js';
import { streamRef } from '../protocol/frames.js';
import { watchWindow } from './window.js';

export interface RuntimeConfig {
  readonly pattern: 'brownfield' | 'isolation';
  /** URL of the isolation frame document (isolation pattern only). */
  readonly isolation?: string;
  /** Origin of the asset protocol server, when the app serves one (the secret part comes over the socket). */
  readonly assets?: string;
  readonly os: string;
  readonly sep: string;
  readonly delimiter: string;
}

function abortReason(signal: AbortSignal, cmd: string): unknown {
  const reason: unknown = signal.reason;
  return reason instanceof g.DOMException ? reason : new g.DOMException(`the call to \`${cmd}\` was aborted`, 'AbortError');
}

/** The message `invoke` hands to `ipc`, as in Tauri (and as the isolation hook sees it). */
export type IpcMessage = IsolationPayload;

const LISTEN = 'plugin:event|listen';
const hasOwn = Object.hasOwn;

/** Installs the runtime; false when it was already installed (then plugins' init scripts must not run again). */
export function install(config: RuntimeConfig): boolean {
  const w = window as unknown as Record<string, unknown>;
  if (w['__TAURI_INTERNALS__'] !== undefined) return false; // installed twice (a page that includes the script itself)
  const topLevel = window.top === window;
  const identity: Identity | undefined = topLevel ? readIdentity() : undefined;
  const socket = new IpcSocket(identity);
  addEventListener('pagehide', () => socket.close());
  if (topLevel && identity === undefined) showNoSession();
  if (topLevel && identity !== undefined) watchWindow(socket);

  /** event name → event id → handler callback id, so `unregisterListener` can drop the handler at once. */
  const listeners = new g.Map<string, Map<number, number>>();

  function postMessage(message: IpcMessage): void {
    send(message.cmd, message.callback, message.error, message.payload, message.options?.headers);
  }

  /** One call on this page's socket, in Tauri's serialization (serialize.ts). */
  function send(cmd: string, callback: number, error: number, payload: unknown, headers: unknown): void {
    if (!topLevel) {
      runCallback(error, wireError(ErrorCode.FORBIDDEN, 'IPC is available only in the top-level frame of the app window'));
      return;
    }
    const body = toBody(payload);
    const call = { cmd, callback, error, headers: headers === undefined ? undefined : toHeaders(headers) };
    if ('raw' in body) socket.send(callback, error, encodeCall.invokeBytes(call), body.raw);
    else socket.send(callback, error, encodeCall.invoke(call, body.json));
  }

  const isolated =
    topLevel && config.pattern === 'isolation' && config.isolation !== undefined && identity !== undefined
      ? isolationBridge(config.isolation, identity.label, socket)
      : undefined;

  /** Remembers which callback a `listen` registered, so `unregisterListener` can drop it without a round trip. */
  function observeListen({ cmd, callback, error, payload }: IpcMessage): void {
    if (cmd !== LISTEN) return;
    const args = payload as { event?: unknown; handler?: unknown } | null;
    if (typeof args?.event !== 'string' || typeof args.handler !== 'number') return;
    const { event, handler } = args;
    socket.observe(callback, error, (eventId, ok) => {
      if (!ok || typeof eventId !== 'number') return;
      let byId = listeners.get(event);
      if (byId === undefined) {
        byId = new g.Map();
        listeners.set(event, byId);
      }
      byId.set(eventId, handler);
    });
  }

  function ipc(message: IpcMessage): void {
    observeListen(message);
    if (isolated !== undefined) isolated(message);
    else postMessage(message);
  }

  /**
   * Tauri's `invoke`, plus two things Tauri lacks: `options.signal` (an `AbortSignal`: aborting rejects at once with
   * its reason, a DOMException, and sends the core a cancel frame that aborts the handler's `ctx.signal`) and
   * stream arguments (a top-level `ReadableStream` or async iterable of bytes, pumped to the core under its credit).
   */
  function invoke(cmd: string, payload: unknown = {}, options?: { headers?: unknown; signal?: unknown }): Promise<unknown> {
    const signal = options?.signal instanceof g.AbortSignal ? options.signal : undefined;
    return new g.Promise((resolve, reject) => {
      const streams = hasStreams(payload) ? extractStreams(payload) : undefined;
      if (signal !== undefined || streams !== undefined || isolated !== undefined) {
        invokeWith(cmd, streams?.args ?? payload, options, signal, streams?.list, resolve, reject);
        return;
      }
      // The common call (no signal, no stream, brownfield): two callbacks that settle the promise and drop each
      // other, and the frame straight to the socket.
      const callback = registerCallback((r) => {
        callbacks.delete(callback);
        callbacks.delete(error);
        resolve(r);
      });
      const error = registerCallback((e) => {
        callbacks.delete(callback);
        callbacks.delete(error);
        reject(e);
      });
      if (cmd === LISTEN) observeListen({ cmd, callback, error, payload, options: undefined });
      try {
        send(cmd, callback, error, payload, options?.headers);
      } catch (e) {
        // arguments that cannot be serialized (a BigInt, a cycle): nothing was sent, so nothing stays registered
        socket.forget(callback, error);
        callbacks.delete(callback);
        callbacks.delete(error);
        throw e;
      }
    });
  }

  /** `invoke` with an abort signal, stream arguments or the isolation frame. */
  function invokeWith(
    cmd: string,
    payload: unknown,
    options: { headers?: unknown } | undefined,
    signal: AbortSignal | undefined,
    streams: { id: number; source: StreamLike }[] | undefined,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
  ): void {
    if (signal?.aborted) {
      reject(abortReason(signal, cmd));
      return;
    }
    const pumps: { stop: () => void }[] = [];
    const settle = (): void => {
      signal?.removeEventListener('abort', onAbort);
      for (const p of pumps) p.stop();
    };
    const callback = transformCallback((r) => {
      settle();
      resolve(r);
      unregisterCallback(error);
    }, true);
    const error = transformCallback((e) => {
      settle();
      reject(e);
      unregisterCallback(callback);
    }, true);
    const onAbort = (): void => {
      unregisterCallback(callback);
      unregisterCallback(error);
      settle();
      // Under isolation the cancel goes sealed through the frame (never judged by its hook), else on this socket.
      socket.cancel(callback, error, isolated === undefined ? undefined : () => control(CANCEL_COMMAND, { callback }));
      reject(abortReason(signal as AbortSignal, cmd));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    ipc({ cmd, callback, error, payload, options: options === undefined ? undefined : { headers: options.headers } });
    if (streams !== undefined)
      for (const s of streams) pumps.push(socket.pump(s.id, s.source, isolated === undefined ? undefined : sealedSink(s.id)));
  }

  /** A control message for the isolation frame to seal (protocol/isolation.ts); not a call, so no callbacks. */
  function control(cmd: string, payload: unknown, headers?: Record<string, string>): void {
    isolated?.({ cmd, callback: 0, error: 0, payload, options: headers === undefined ? undefined : { headers } });
  }

  function sealedSink(id: number): StreamSink {
    const h = (op: string): Record<string, string> => ({ [STREAM_ID_HEADER]: String(id), [STREAM_OP_HEADER]: op });
    return {
      // a copy: the frame gets the chunk's bytes only (structured clone would copy a view's whole buffer)
      chunk: (bytes) => control(STREAM_COMMAND, bytes.slice(), h('chunk')),
      end: () => control(STREAM_COMMAND, {}, h('end')),
      error: (message) => control(STREAM_COMMAND, { message }, h('err')),
    };
  }

  /** Whether the args carry a stream at the top level (a plain object with a `ReadableStream` or async iterable). */
  function hasStreams(payload: unknown): boolean {
    if (typeof payload !== 'object' || payload === null || g.isArray(payload) || payload instanceof g.Uint8Array) return false;
    const proto = Object.getPrototypeOf(payload);
    if (proto !== Object.prototype && proto !== null) return false;
    const o = payload as Record<string, unknown>;
    for (const k in o) {
      const v = o[k];
      if (typeof v === 'object' && v !== null && hasOwn(o, k) && isStreamLike(v)) return true;
    }
    return false;
  }

  /** Top-level stream values of the args become `__STREAM__:<id>` markers (a copy: the caller's object is kept). */
  function extractStreams(payload: unknown): { args: unknown; list: { id: number; source: StreamLike }[] } {
    const list: { id: number; source: StreamLike }[] = [];
    const copy: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
    for (const [k, v] of Object.entries(copy)) {
      if (!isStreamLike(v)) continue;
      const id = socket.newStreamId();
      list.push({ id, source: v });
      copy[k] = streamRef(id);
    }
    return { args: copy, list };
  }

  // Tauri's `<protocol>://localhost/<encoded path>`, on the asset origin. Before the core's first hello the secret
  // is unknown and the URL is refused with a message saying so (after a reload it is known at once).
  function convertFileSrc(filePath: string, protocol = 'asset'): string {
    const base = socket.assetBase ?? (config.assets === undefined ? `${g.location.origin}/__airlock` : `${config.assets}/not-connected`);
    return `${base}/${protocol}/${g.encodeURIComponent(filePath)}`;
  }

  const label = identity?.label ?? 'main';
  const internals = {};
  define(
    internals,
    'metadata',
    g.freeze({
      currentWindow: g.freeze({ label: identity?.window ?? label }),
      currentWebview: g.freeze({ label, windowLabel: identity?.window ?? label }),
    }),
  );
  define(internals, 'plugins', g.freeze({ path: g.freeze({ sep: config.sep, delimiter: config.delimiter }) }));
  define(internals, '__TAURI_PATTERN__', g.freeze({ pattern: config.pattern }));
  define(internals, 'postMessage', postMessage);
  define(internals, 'ipc', ipc);
  define(internals, 'invoke', invoke);
  define(internals, 'transformCallback', transformCallback);
  define(internals, 'unregisterCallback', unregisterCallback);
  define(internals, 'runCallback', runCallback);
  define(internals, 'callbacks', callbacks);
  define(internals, 'convertFileSrc', convertFileSrc);
  define(window, '__TAURI_INTERNALS__', internals);

  const eventInternals = {};
  define(eventInternals, 'unregisterListener', (event: string, eventId: number) => {
    const byId = listeners.get(event);
    const handler = byId?.get(eventId);
    if (handler === undefined) return;
    byId?.delete(eventId);
    if (byId?.size === 0) listeners.delete(event);
    unregisterCallback(handler);
  });
  define(window, '__TAURI_EVENT_PLUGIN_INTERNALS__', eventInternals);
  define(window, 'isTauri', true);
  return true;
}
