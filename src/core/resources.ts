/**
 * Resource tables, as Tauri keeps them (its `ResourceTable`): values a command hands to the page as
 * a number (a *rid*) and finds again on a later call. There is one table per webview (freed when its page goes
 * away), one per window, and one for the app (for what outlives a page, such as an open store).
 *
 * A rid is a random u32, as in Tauri, never a counter: a page cannot guess another page's rids from its own.
 * `close(rid)` calls the value's `close()` when it has one.
 */
import { randomInt } from 'node:crypto';
import { AirlockError, ErrorCode } from '../protocol/errors.js';

/** A value kept in a resource table: any object; its `close()`, if it has one, runs when the rid is closed or the table freed. */
export type Resource = object;

/** Tauri's text for a rid that is in no table (its `BadResourceId` error). */
export function badResourceId(rid: unknown): AirlockError {
  return new AirlockError(ErrorCode.BAD_RESOURCE_ID, `The resource id ${String(rid)} is invalid.`, { data: { rid } });
}

export class ResourceTable {
  readonly #entries = new Map<number, Resource>();
  readonly #onError: (message: string, error: unknown) => void;
  readonly #name: string;
  #closed = false;

  constructor(name: string, onError: (message: string, error: unknown) => void) {
    this.#name = name;
    this.#onError = onError;
  }

  /** Adds a value and returns its new rid. */
  add<T extends Resource>(value: T): number {
    if (this.#closed) {
      this.#closeValue(0, value);
      throw new AirlockError(
        ErrorCode.DISCONNECTED,
        `the resource table of ${this.#name} is closed (its page went away); the value was closed`,
      );
    }
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
      throw new AirlockError(ErrorCode.INVALID_ARGS, 'resources.add(value): a resource must be an object');
    }
    let rid: number;
    do rid = randomInt(1, 0x1_0000_0000);
    while (this.#entries.has(rid));
    this.#entries.set(rid, value);
    return rid;
  }

  /** The value of `rid`, or undefined. Pass `type` to also require an instance of it. */
  find<T extends Resource = Resource>(rid: number, type?: abstract new (...args: never[]) => T): T | undefined {
    const value = this.#entries.get(rid);
    if (value === undefined) return undefined;
    if (type !== undefined && !(value instanceof type)) return undefined;
    return value as T;
  }

  /** The value of `rid`; rejects with Tauri's `The resource id N is invalid.` when absent (or not a `type`). */
  get<T extends Resource = Resource>(rid: number, type?: abstract new (...args: never[]) => T): T {
    const value = this.find(rid, type);
    if (value === undefined) throw badResourceId(rid);
    return value;
  }

  has(rid: number): boolean {
    return this.#entries.has(rid);
  }

  /** Removes `rid` and closes its value; rejects with Tauri's text when absent. */
  close(rid: number): void {
    const value = this.#entries.get(rid);
    if (value === undefined) throw badResourceId(rid);
    this.#entries.delete(rid);
    this.#closeValue(rid, value);
  }

  /** Removes `rid` without closing its value (Tauri's `take`). */
  take<T extends Resource = Resource>(rid: number): T {
    const value = this.#entries.get(rid);
    if (value === undefined) throw badResourceId(rid);
    this.#entries.delete(rid);
    return value as T;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Closes every value (the page went away, or the app closes). With `final`, the table stays closed: a later
   * `add` closes its value at once and throws DISCONNECTED, so a handler that outlives its page leaks nothing.
   */
  clear(final = false): void {
    if (final) this.#closed = true;
    const entries = [...this.#entries];
    this.#entries.clear();
    for (const [rid, value] of entries) this.#closeValue(rid, value);
  }

  #closeValue(rid: number, value: Resource): void {
    const close = (value as { close?: unknown }).close;
    if (typeof close !== 'function') return;
    try {
      const result: unknown = close.call(value);
      if (result instanceof Promise)
        result.catch((error: unknown) => this.#onError(`closing resource ${rid} of ${this.#name} failed`, error));
    } catch (error) {
      this.#onError(`closing resource ${rid} of ${this.#name} failed`, error);
    }
  }
}
