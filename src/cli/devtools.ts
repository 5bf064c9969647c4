/**
 * A DevTools protocol client over Chromium's private pipe (`--remote-debugging-pipe`: the browser reads commands
 * from its fd 3 and writes replies and events to its fd 4, each message JSON ended by a NUL byte). The pipe belongs
 * to the process that started the browser, so no other local process or user can drive the window — unlike a TCP
 * debugging port, which any of them could open.
 *
 * It is the window host's only channel into its Chromium: the one-time launch URL (which carries the window's
 * credential) travels here, never in the browser's command line, which every user of the machine can read. The
 * client attaches only to what it drives, and enables no per-page domain (Network, Runtime …) that would tax the
 * page's traffic.
 */
import type { Readable, Writable } from 'node:stream';

export interface TargetInfo {
  readonly targetId: string;
  readonly type: string;
  readonly url: string;
  readonly title: string;
}

type EventHandler = (params: Record<string, unknown>, sessionId: string | undefined) => void;

/** Largest message accepted from the browser (a message is a few KiB; this only bounds a broken peer). */
const MAX_MESSAGE = 64 * 1024 * 1024;

export class DevToolsPipe {
  readonly #out: Writable;
  #next = 1;
  readonly #pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; method: string }>();
  readonly #handlers = new Map<string, Set<EventHandler>>();
  #buffer = '';
  #closed: Error | undefined;

  constructor(output: Writable, input: Readable) {
    this.#out = output;
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => this.#read(chunk));
    input.on('error', () => this.close('the browser closed its DevTools pipe'));
    input.on('close', () => this.close('the browser closed its DevTools pipe'));
    output.on('error', () => this.close('the browser closed its DevTools pipe'));
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Sends a command (to the browser, or to an attached target's `sessionId`) and resolves with its result. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      this.#out.write(`${JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) })}\0`);
    });
  }

  /** Subscribes to an event (`Target.targetCreated` …); returns the unsubscribe function. */
  on(event: string, handler: EventHandler): () => void {
    const set = this.#handlers.get(event) ?? new Set<EventHandler>();
    this.#handlers.set(event, set);
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Fails every command still waiting; later sends reject. Idempotent. */
  close(reason = 'the DevTools pipe was closed'): void {
    if (this.#closed !== undefined) return;
    this.#closed = new Error(reason);
    for (const p of this.#pending.values()) p.reject(this.#closed);
    this.#pending.clear();
    this.#handlers.clear();
  }

  #read(chunk: string): void {
    this.#buffer += chunk;
    if (this.#buffer.length > MAX_MESSAGE) {
      this.close('the browser sent a DevTools message larger than 64 MiB');
      return;
    }
    let end = this.#buffer.indexOf('\0');
    while (end !== -1) {
      const text = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      this.#dispatch(text);
      end = this.#buffer.indexOf('\0');
    }
  }

  #dispatch(text: string): void {
    let message: {
      id?: number;
      result?: Record<string, unknown>;
      error?: { message?: string };
      method?: string;
      params?: unknown;
      sessionId?: string;
    };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (typeof message.id === 'number') {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.error !== undefined) pending.reject(new Error(`${pending.method}: ${message.error.message ?? 'failed'}`));
      else pending.resolve(message.result ?? {});
      return;
    }
    if (typeof message.method !== 'string') return;
    const params = typeof message.params === 'object' && message.params !== null ? (message.params as Record<string, unknown>) : {};
    for (const handler of this.#handlers.get(message.method) ?? []) handler(params, message.sessionId);
  }
}

/** The browser's first page target (the app window's tab), waiting up to `ms` for it to appear. */
export async function firstPage(pipe: DevToolsPipe, ms = 15_000): Promise<TargetInfo> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { targetInfos } = (await pipe.send('Target.getTargets')) as { targetInfos?: TargetInfo[] };
    const page = targetInfos?.find((t) => t.type === 'page');
    if (page !== undefined) return page;
    if (Date.now() > deadline) throw new Error(`the browser showed no page within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Navigates a page target to `url` through a short-lived session: attach (flat), `Page.navigate`, detach. Nothing
 * stays attached to the page, and no domain is enabled on it.
 */
export async function navigate(pipe: DevToolsPipe, targetId: string, url: string): Promise<void> {
  const { sessionId } = (await pipe.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId?: string };
  if (typeof sessionId !== 'string') throw new Error('Target.attachToTarget returned no session');
  try {
    const result = (await pipe.send('Page.navigate', { url }, sessionId)) as { errorText?: string };
    if (typeof result.errorText === 'string' && result.errorText !== '') throw new Error(`navigation failed: ${result.errorText}`);
  } finally {
    await pipe.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
  }
}
