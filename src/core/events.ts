/**
 * The core's half of events: listeners registered in Node (`app.listen`), and the one event-id counter that Node
 * and page listeners share (ids start at 0, as in Tauri). Page listeners live on their connection (so they die with
 * the page); `App.emitTo` walks both.
 */
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import { APP, type EventTarget, targetMatches } from './targets.js';

/** What a listener receives: `{ event, payload, id }`, the shape of `@tauri-apps/api`'s `Event<T>`. */
export interface Event<T = unknown> {
  readonly event: string;
  readonly payload: T;
  readonly id: number;
}

export type EventCallback<T = unknown> = (event: Event<T>) => void | Promise<void>;
export type UnlistenFn = () => void;

interface NodeListener {
  readonly target: EventTarget;
  readonly handler: EventCallback<unknown>;
  readonly once: boolean;
}

export type ErrorReporter = (message: string, error: unknown) => void;

export class EventBus {
  #nextId = 0;
  readonly #listeners = new Map<string, Map<number, NodeListener>>();
  readonly #report: ErrorReporter;

  constructor(report: ErrorReporter) {
    this.#report = report;
  }

  nextId(): number {
    const id = this.#nextId;
    this.#nextId = (this.#nextId + 1) >>> 0;
    return id;
  }

  listen(event: string, handler: EventCallback<unknown>, target: EventTarget = APP, once = false): number {
    if (typeof handler !== 'function')
      throw new AirlockError(ErrorCode.INVALID_ARGS, `listen('${event}', handler): handler must be a function`);
    const id = this.nextId();
    let byId = this.#listeners.get(event);
    if (byId === undefined) {
      byId = new Map();
      this.#listeners.set(event, byId);
    }
    byId.set(id, { target, handler, once });
    return id;
  }

  unlisten(id: number): void {
    for (const [event, byId] of this.#listeners) {
      if (byId.delete(id) && byId.size === 0) this.#listeners.delete(event);
    }
  }

  /** Delivers to Node listeners; a throwing or rejecting listener is reported, never propagated. */
  deliver(event: string, payload: unknown, emitted: EventTarget): void {
    const byId = this.#listeners.get(event);
    if (byId === undefined) return;
    for (const [id, l] of [...byId]) {
      if (!targetMatches(emitted, l.target)) continue;
      if (l.once) this.unlisten(id);
      try {
        const r = l.handler({ event, payload, id });
        if (r instanceof Promise) r.catch((e: unknown) => this.#report(`listener for event \`${event}\` rejected`, e));
      } catch (e) {
        this.#report(`listener for event \`${event}\` threw`, e);
      }
    }
  }

  get size(): number {
    let n = 0;
    for (const byId of this.#listeners.values()) n += byId.size;
    return n;
  }
}
