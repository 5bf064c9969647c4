/**
 * Browser APIs captured when the runtime loads, before any app script runs, so a script that later replaces
 * `JSON.parse`, `WebSocket` or `Map` cannot intercept IPC.
 */
const w = window;

export const g = Object.freeze({
  Map: w.Map,
  Promise: w.Promise,
  Uint8Array: w.Uint8Array,
  Uint32Array: w.Uint32Array,
  ArrayBuffer: w.ArrayBuffer,
  WebSocket: w.WebSocket,
  MessageChannel: w.MessageChannel,
  portPost: w.MessagePort.prototype.postMessage,
  portStart: w.MessagePort.prototype.start,
  portClose: w.MessagePort.prototype.close,
  listen: w.EventTarget.prototype.addEventListener,
  DOMException: w.DOMException,
  AbortSignal: w.AbortSignal,
  ReadableStream: w.ReadableStream,
  Headers: w.Headers,
  URLSearchParams: w.URLSearchParams,
  encodeURIComponent: w.encodeURIComponent,
  parse: w.JSON.parse.bind(w.JSON),
  stringify: w.JSON.stringify.bind(w.JSON),
  defineProperty: w.Object.defineProperty,
  freeze: w.Object.freeze,
  isArray: w.Array.isArray,
  isView: w.ArrayBuffer.isView,
  getRandomValues: w.crypto.getRandomValues.bind(w.crypto),
  warn: w.console.warn.bind(w.console),
  error: w.console.error.bind(w.console),
  setTimeout: w.setTimeout.bind(w),
  clearTimeout: w.clearTimeout.bind(w),
  setInterval: w.setInterval.bind(w),
  now: w.performance.now.bind(w.performance),
  sessionStorage: (() => {
    try {
      return w.sessionStorage;
    } catch {
      return undefined; // storage can be blocked (sandboxed frames, some privacy settings)
    }
  })(),
  location: w.location,
  history: w.history,
});

/** Defines a read-only, non-enumerable, non-configurable member, as Tauri does for `__TAURI_INTERNALS__`. */
export function define(target: object, name: string, value: unknown): void {
  g.defineProperty(target, name, { value });
}
