/**
 * The page's callback registry: `transformCallback`, `unregisterCallback`, `runCallback`, `callbacks` — the
 * members `@tauri-apps/api` builds invoke, Channel and listen on.
 *
 * Unlike Tauri (random u32 ids, no collision check: with 20,000 live ids about 4.6% of batches collide and a call
 * settles with another's result), ids here are unique among live callbacks: a counter from a random start that
 * skips ids still in use, so an id is also not reused soon after it is freed.
 */
import { g } from './globals.js';

export type Callback = (data: unknown) => unknown;

export const callbacks = new g.Map<number, Callback>();

let next = g.getRandomValues(new g.Uint32Array(1))[0] ?? 1;

function newId(): number {
  do next = (next + 1) >>> 0;
  while (callbacks.has(next));
  return next;
}

export function transformCallback(callback?: Callback, once = false): number {
  const id = newId();
  callbacks.set(id, (data) => {
    if (once) callbacks.delete(id);
    return callback?.(data);
  });
  return id;
}

/** Registers `callback` as it is: it must remove itself (the runtime's own calls, which drop both their ids at once). */
export function registerCallback(callback: Callback): number {
  const id = newId();
  callbacks.set(id, callback);
  return id;
}

export function unregisterCallback(id: number): void {
  callbacks.delete(id);
}

export function runCallback(id: number, data: unknown): void {
  const callback = callbacks.get(id);
  if (callback === undefined) {
    g.warn(
      `[TAURI] Couldn't find callback id ${id}. This might happen when the app is reloaded while Rust is running an asynchronous operation.`,
    );
    return;
  }
  callback(data);
}
