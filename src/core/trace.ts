/**
 * What the core can report about its traffic, for the IPC inspector and the CLI's call log. Every hook checks
 * `tracer.active` first, so with no observer the cost is one boolean test per call, event or channel message.
 */

interface Base {
  /** `Date.now()` when it happened. */
  readonly at: number;
}

/** One settled call (`kind: 'call'`). */
export interface CallTrace extends Base {
  readonly kind: 'call';
  readonly command: string;
  readonly webview: string;
  readonly window: string;
  /** Size of the args: bytes of a raw body, or characters of the JSON. */
  readonly argsSize: number;
  /** From dispatch to settlement (ACL, validation and the handler). */
  readonly ms: number;
  readonly ok: boolean;
  /** What the call rejected with, when `ok` is false. */
  readonly error?: unknown;
  /** The ACL's decision: granted by a capability, not subject to it, or refused. */
  readonly acl: 'allowed' | 'unchecked' | 'denied';
  /** Under the isolation pattern, the call arrived sealed and verified. */
  readonly sealed: boolean;
}

/** A message the core refused before dispatch: an isolation failure or a protocol violation. */
export interface RefusalTrace extends Base {
  readonly kind: 'refused';
  readonly webview: string;
  readonly command: string;
  readonly reason: string;
}

export interface EventTrace extends Base {
  readonly kind: 'event';
  readonly event: string;
  /** `core`, or the label of the page that emitted it. */
  readonly source: string;
  readonly target: string;
  readonly payloadSize: number;
}

export interface ChannelTrace extends Base {
  readonly kind: 'channel';
  readonly webview: string;
  readonly channel: number;
  readonly index: number;
  readonly size: number;
  readonly end: boolean;
}

export interface PageTrace extends Base {
  readonly kind: 'page';
  readonly webview: string;
  readonly change: 'connected' | 'disconnected';
}

export type TraceRecord = CallTrace | RefusalTrace | EventTrace | ChannelTrace | PageTrace;
export type TraceObserver = (record: TraceRecord) => void;

/** Size of a value as it travels: bytes of binary, characters of JSON (computed only while tracing). */
export function sizeOf(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}

export class Tracer {
  readonly #observers = new Set<TraceObserver>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  get active(): boolean {
    return this.#observers.size > 0;
  }

  observe(observer: TraceObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  emit(record: TraceRecord): void {
    for (const observer of this.#observers) {
      try {
        observer(record);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
