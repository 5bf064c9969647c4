/**
 * Turns an invoke payload into what goes on the wire, with Tauri's rules (`process-ipc-message-fn.js`):
 * an `ArrayBuffer` or any typed array/DataView is sent raw; anything else is JSON where a `Map` becomes an object,
 * a nested `Uint8Array`/`ArrayBuffer` a number array, and objects with `__TAURI_TO_IPC_KEY__` (Channel, dpi
 * types) their IPC form. One deliberate difference: a top-level plain array is sent as JSON (Tauri's fetch path
 * turns `[1,2,3]` into the text "1,2,3").
 */
import { channelRef, LEGACY_CHANNEL_MARKER } from '../protocol/frames.js';
import { g } from './globals.js';

export const TO_IPC_KEY = '__TAURI_TO_IPC_KEY__';

export type Body = { readonly raw: Uint8Array<ArrayBuffer> } | { readonly json: string };

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries(value.entries());
  if (value instanceof g.Uint8Array) return Array.from(value);
  if (value instanceof g.ArrayBuffer) return Array.from(new g.Uint8Array(value));
  if (typeof value === 'object' && value !== null) {
    const toIpc = (value as Record<string, unknown>)[TO_IPC_KEY];
    if (typeof toIpc === 'function') return toIpc.call(value);
    const legacy = value as { id?: unknown };
    if (LEGACY_CHANNEL_MARKER in legacy && typeof legacy.id === 'number') return channelRef(legacy.id);
  }
  return value;
}

const ObjectProto = Object.prototype;
const ArrayProto = Array.prototype;
const getPrototypeOf = Object.getPrototypeOf;
/** How many values `isPlainJson` looks at before it gives up (and the replacer does the work, as before). */
const PLAIN_BUDGET = 4096;
let budget = 0;

/**
 * Whether `value` is JSON the replacer would leave alone: primitives, arrays and plain objects (prototype
 * `Object.prototype` or null) all the way down, with no `toJSON`, `__TAURI_TO_IPC_KEY__` or legacy channel marker.
 * Then the native `JSON.stringify` gives the same text without calling the replacer once per value, which was most of
 * the page's own cost of a small invoke. Anything else (a Map, bytes, a Channel, a class instance, a Date, deep or
 * cyclic data, more than PLAIN_BUDGET values) answers false and goes through the replacer. The check reads each
 * value once more than `JSON.stringify` does, so a getter on a plain object runs twice.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (--budget < 0 || depth > 64) return false;
  const proto: unknown = getPrototypeOf(value);
  const o = value as Record<string, unknown>;
  if (typeof o['toJSON'] === 'function' || typeof o[TO_IPC_KEY] === 'function' || LEGACY_CHANNEL_MARKER in o) return false;
  if (proto === ArrayProto) {
    const a = value as unknown[];
    for (let i = 0; i < a.length; i++) if (!isPlainJson(a[i], depth + 1)) return false;
    return true;
  }
  if (proto !== ObjectProto && proto !== null) return false;
  for (const key in o) if (!isPlainJson(o[key], depth + 1)) return false;
  return true;
}

export function toBody(payload: unknown): Body {
  if (payload instanceof g.ArrayBuffer) return { raw: new g.Uint8Array(payload) };
  if (g.isView(payload)) return { raw: new g.Uint8Array(payload.buffer as ArrayBuffer, payload.byteOffset, payload.byteLength) };
  const value = payload ?? {};
  budget = PLAIN_BUDGET;
  const plain = isPlainJson(value, 0);
  return { json: (plain ? g.stringify(value) : g.stringify(value, replacer)) ?? '{}' };
}

/** `options.headers` as a plain object of lower-case names: a `Headers`, an array of pairs or a record. */
export function toHeaders(headers: unknown): Record<string, string> | undefined {
  if (headers === undefined || headers === null) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  new g.Headers(headers as HeadersInit).forEach((value, name) => {
    // defineProperty, not assignment: a header named `__proto__` stays a header instead of vanishing.
    g.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    any = true;
  });
  return any ? out : undefined;
}
