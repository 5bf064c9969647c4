/**
 * Limits that keep one page from exhausting the core. Every one has a safe default and can be changed with
 * `Builder.limits({...})`; hitting one gives the caller a coded error (or, for frames, closes that page's socket
 * with a reason) and never affects other webviews.
 *
 * Backpressure policy for a slow or stalled page (one that does not read its socket): once more than
 * `maxBufferedBytes` wait to be written to it (bytes, plus a per-frame overhead, so many tiny frames count for the
 * memory they take), new events for it are dropped and counted (`stats.droppedEvents`); once what waits plus what
 * was dropped since passes twice that, the page is disconnected as a slow consumer (close code 4029) and its calls
 * are aborted. Every outbound frame counts — responses and channel messages too; they cannot be dropped (a call
 * would hang, a channel would miss an index), so one sent while the queue is past twice the limit disconnects the
 * page instead. A channel sender that awaits `channel.ready()` never reaches the limit.
 *
 * Strings a page supplies that the core keeps (event names and target labels of its listeners) are at most
 * `MAX_NAME_LENGTH` characters, so the listener limit also bounds their memory; command names are bounded by the
 * decoder (256 characters), a call's headers by the decoder's `MAX_HEADERS` (64), `MAX_HEADER_NAME` (256) and
 * `MAX_HEADER_VALUE` (16 KiB).
 */
export interface Limits {
  /** Largest WebSocket frame accepted from a page, in bytes (a binary invoke body is one frame). */
  readonly maxFrameBytes: number;
  /** Deepest nesting of arrays/objects in a frame's JSON. */
  readonly maxDepth: number;
  /** Calls one page may have in flight at once. */
  readonly maxPendingInvokes: number;
  /** Event listeners one page may hold. */
  readonly maxListeners: number;
  /** Events one page may emit per second (burst up to this many). */
  readonly maxEventsPerSecond: number;
  /** Bytes queued towards one page before its events are dropped (and at twice this, it is disconnected). */
  readonly maxBufferedBytes: number;
  /** Default deadline for every command in milliseconds; 0 means none (a command can set its own). */
  readonly commandTimeoutMs: number;
}

/** Longest event name or target label accepted (Tauri has none; real names are a few dozen characters). */
export const MAX_NAME_LENGTH = 512;

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxFrameBytes: 256 * 1024 * 1024,
  maxDepth: 128,
  maxPendingInvokes: 16_384,
  maxListeners: 10_000,
  maxEventsPerSecond: 20_000,
  maxBufferedBytes: 64 * 1024 * 1024,
  commandTimeoutMs: 0,
});

export function resolveLimits(overrides: Partial<Limits> | undefined): Limits {
  return Object.freeze({ ...DEFAULT_LIMITS, ...overrides });
}

/** A token bucket: `take()` is false once more than `rate` were taken within the last second (burst = rate). */
export class RateLimiter {
  #tokens: number;
  #last = performance.now();
  readonly #rate: number;

  constructor(rate: number) {
    this.#rate = rate;
    this.#tokens = rate;
  }

  take(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.#rate, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
