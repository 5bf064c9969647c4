// Waiting for something to happen, bounded: the one polling helper of the suite. Prefer an event or a fence (a round
// trip on the same ordered socket) where there is one; poll only state that announces nothing.
import assert from 'node:assert/strict';

export interface PollOptions {
  /** Give up after this long (default 5 s). */
  readonly ms?: number;
  /** Check this often (default 10 ms). */
  readonly every?: number;
}

/** Checks `holds` until it is true or the time is up; resolves with whether it held. */
export async function poll(holds: () => boolean | Promise<boolean>, { ms = 5000, every = 10 }: PollOptions = {}): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await holds()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Waits until `holds` is true; fails the test naming `what` when the time is up. */
export async function until(holds: () => boolean | Promise<boolean>, what: string, options: PollOptions | number = {}): Promise<void> {
  const opts = typeof options === 'number' ? { ms: options } : options;
  if (!(await poll(holds, opts))) assert.fail(`timed out after ${opts.ms ?? 5000} ms waiting for ${what}`);
}

/** Waits until `probe` returns a value other than undefined or null, and returns it. */
export async function untilValue<T>(
  probe: () => T | undefined | null | Promise<T | undefined | null>,
  what: string,
  options: PollOptions = {},
): Promise<T> {
  let value: T | undefined | null;
  await until(
    async () => {
      value = await probe();
      return value !== undefined && value !== null;
    },
    what,
    options,
  );
  return value as T;
}

/**
 * A fence: one round trip on a page's single ordered stream (an emit nobody listens to). Once it is answered, every
 * frame the core sent that page before it has been delivered. Works for the in-memory page and the ws page, in
 * apps whose capabilities allow the page to emit (the implicit default does).
 */
export function fence(page: { invoke(command: string, args?: unknown): Promise<unknown> }): Promise<unknown> {
  return page.invoke('plugin:event|emit', { event: 'airlock-test-fence', payload: null });
}

/**
 * `promise`, or a failure naming `what` once `ms` have passed without it settling: for awaits that have no bound of
 * their own (a `page.evaluate` of a call the page may never get an answer to), so that a lost answer fails the test
 * at once instead of holding it until the runner's timeout.
 */
export async function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
