/**
 * Limits that keep one page from exhausting the core. Every one has a safe default and can be changed with
 * `Builder.limits({...})`; hitting one gives the caller a coded error (or, for frames, closes the socket with a
 * reason) and never affects other webviews.
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
  /** Bytes queued towards one page before events are dropped (oldest first is not possible on a socket: new
   *  events are dropped and counted) and, at twice this, the page is disconnected as a slow consumer. */
  readonly maxBufferedBytes: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxFrameBytes: 256 * 1024 * 1024,
  maxDepth: 128,
  maxPendingInvokes: 16_384,
  maxListeners: 10_000,
  maxBufferedBytes: 64 * 1024 * 1024,
});

export function resolveLimits(overrides: Partial<Limits> | undefined): Limits {
  return Object.freeze({ ...DEFAULT_LIMITS, ...overrides });
}
