/**
 * `airlock/client/mocks`: a typed stand-in for the core in component tests (jsdom, happy-dom or a browser), a
 * browser module with no Node imports. `airlock/testing` stays the Node harness that runs the real core.
 *
 *   const core = mockCore<AppCommands>({
 *     greet: ({ name }) => `Hello, ${name}!`,                         // checked against the core's types
 *     progress: async ({ onEvent }) => { onEvent.send(50); },         // channels: the page's Channel gets it
 *     upload: async ({ file }) => { for await (const c of file) … },  // streams: an AsyncIterable<Uint8Array>
 *   });
 *   core.emit('progress', 10);                                        // events to the page's listeners
 *   core.restore();
 *
 * It replaces `window.__TAURI_INTERNALS__` (and `__TAURI_EVENT_PLUGIN_INTERNALS__`) the way `@tauri-apps/api/mocks`
 * does, so the official API, `airlock/client` and code written against `mockIPC` all run on it; passing a
 * `(cmd, payload) => result` function instead of a handler map is `mockIPC`'s own callback form.
 */
import { CHANNEL_PREFIX } from '../protocol/frames.js';
import type { ChannelArg, CommandName, CommandSignature, CommandTable, EventTable, StreamSource } from '../protocol/typed.js';

/** A channel as a mock handler sees it: what it sends arrives at the page's `Channel`, in order. */
export interface MockChannel<T> {
  readonly id: number;
  send(message: T): void;
  close(): void;
}

/** Args as a mock handler receives them: channels to send on, streams to read. */
export type MockArgs<A> = A extends object
  ? { [K in keyof A]: A[K] extends ChannelArg<infer T> ? MockChannel<T> : A[K] extends StreamSource ? AsyncIterable<Uint8Array> : A[K] }
  : A;

export interface MockContext {
  readonly command: string;
  /** Aborts when the page aborts the call (`{ signal }`, `timeoutMs`). */
  readonly signal: AbortSignal;
  readonly headers: Readonly<Record<string, string>>;
}

export type MockHandlers<C> = {
  readonly [K in CommandName<C>]?: C[K] extends CommandSignature
    ? (args: MockArgs<C[K]['args']>, ctx: MockContext) => C[K]['result'] | Promise<C[K]['result']>
    : never;
};

/** `mockIPC`'s callback form. */
export type MockIpcCallback = (cmd: string, payload: unknown) => unknown;

export interface MockCore<C> {
  /** Emits an event to the page's listeners, as the core's `app.emit` would. */
  emit<E extends Extract<keyof EventTable<C>, string>>(event: E, payload: EventTable<C>[E]): void;
  /** Every call the page made, in order (event plumbing excluded). */
  readonly calls: ReadonlyArray<{ readonly cmd: string; readonly args: unknown }>;
  /** Events the page emitted, in order. */
  readonly emitted: ReadonlyArray<{ readonly event: string; readonly payload: unknown }>;
  /** Removes the mock (what `clearMocks()` does). */
  restore(): void;
}

type Callback = (data: unknown) => void;

function isStreamSource(v: unknown): v is StreamSource {
  if (typeof v !== 'object' || v === null) return false;
  if (typeof ReadableStream !== 'undefined' && v instanceof ReadableStream) return true;
  return typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

async function* bytesOf(source: StreamSource): AsyncIterable<Uint8Array> {
  const iterable: AsyncIterable<unknown> =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<unknown>)
      : {
          async *[Symbol.asyncIterator]() {
            const reader = (source as ReadableStream<unknown>).getReader();
            try {
              for (;;) {
                const r = await reader.read();
                if (r.done) return;
                yield r.value;
              }
            } finally {
              reader.releaseLock();
            }
          },
        };
  for await (const chunk of iterable) {
    if (chunk instanceof Uint8Array) yield chunk;
    else if (chunk instanceof ArrayBuffer) yield new Uint8Array(chunk);
    else if (ArrayBuffer.isView(chunk)) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else throw new TypeError('a stream argument must yield Uint8Array or ArrayBuffer chunks');
  }
}

/** Installs the mock core; returns its controls. */
export function mockCore<C extends CommandTable = CommandTable>(handlers: MockHandlers<C> | MockIpcCallback): MockCore<C> {
  const w = globalThis as Record<string, unknown>;
  const previous = { internals: w['__TAURI_INTERNALS__'], events: w['__TAURI_EVENT_PLUGIN_INTERNALS__'] };
  const callbacks = new Map<number, Callback>();
  let nextId = 1;
  const listeners = new Map<string, Map<number, number>>();
  let nextEventId = 1;
  const calls: { cmd: string; args: unknown }[] = [];
  const emitted: { event: string; payload: unknown }[] = [];

  const transformCallback = (callback?: Callback, once = false): number => {
    const id = nextId++;
    callbacks.set(id, (data) => {
      if (once) callbacks.delete(id);
      callback?.(data);
    });
    return id;
  };
  const unregisterCallback = (id: number): void => {
    callbacks.delete(id);
  };
  const runCallback = (id: number, data: unknown): void => {
    callbacks.get(id)?.(data);
  };

  const deliver = (event: string, payload: unknown): void => {
    for (const [eventId, handler] of [...(listeners.get(event) ?? [])]) runCallback(handler, { event, payload, id: eventId });
  };

  const channelOf = (value: unknown): MockChannel<unknown> | undefined => {
    if (typeof value !== 'object' || value === null) return undefined;
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON !== 'function') return undefined;
    const ref: unknown = toJSON.call(value);
    if (typeof ref !== 'string' || !ref.startsWith(CHANNEL_PREFIX)) return undefined;
    const id = Number(ref.slice(CHANNEL_PREFIX.length));
    let index = 0;
    let ended = false;
    return {
      id,
      send(message) {
        if (ended) throw new Error(`mock channel ${id} is closed`);
        runCallback(id, { message, index: index++ });
      },
      close() {
        if (ended) return;
        ended = true;
        runCallback(id, { end: true, index });
      },
    };
  };

  const mockArgs = (args: unknown): { value: unknown; channels: MockChannel<unknown>[] } => {
    const channels: MockChannel<unknown>[] = [];
    if (typeof args !== 'object' || args === null || Array.isArray(args) || ArrayBuffer.isView(args)) return { value: args, channels };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args)) {
      const ch = channelOf(v);
      if (ch !== undefined) channels.push(ch);
      out[k] = ch ?? (isStreamSource(v) ? bytesOf(v) : v);
    }
    return { value: out, channels };
  };

  const eventPlugin = (cmd: string, args: Record<string, unknown>): unknown => {
    const event = String(args['event']);
    switch (cmd) {
      case 'plugin:event|listen': {
        const eventId = nextEventId++;
        let byId = listeners.get(event);
        if (byId === undefined) {
          byId = new Map();
          listeners.set(event, byId);
        }
        byId.set(eventId, args['handler'] as number);
        return eventId;
      }
      case 'plugin:event|unlisten':
        listeners.get(event)?.delete(args['eventId'] as number);
        return null;
      default:
        emitted.push({ event, payload: args['payload'] });
        deliver(event, args['payload']);
        return null;
    }
  };

  async function invoke(cmd: string, args: unknown = {}, options?: { headers?: unknown; signal?: unknown }): Promise<unknown> {
    if (cmd.startsWith('plugin:event|') && typeof handlers !== 'function') return eventPlugin(cmd, (args ?? {}) as Record<string, unknown>);
    calls.push({ cmd, args });
    if (typeof handlers === 'function') return handlers(cmd, args);
    const handler = (handlers as Record<string, ((a: unknown, ctx: MockContext) => unknown) | undefined>)[cmd];
    if (handler === undefined) throw `Command ${cmd} not found`;
    const outer = options?.signal instanceof AbortSignal ? options.signal : undefined;
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    const { value, channels } = mockArgs(args);
    const headers = (typeof options?.headers === 'object' && options.headers !== null ? options.headers : {}) as Record<string, string>;
    try {
      return await handler(value, { command: cmd, signal: controller.signal, headers });
    } finally {
      outer?.removeEventListener('abort', onAbort);
      for (const ch of channels) ch.close();
    }
  }

  const internals = {
    invoke,
    transformCallback,
    unregisterCallback,
    runCallback,
    callbacks,
    metadata: { currentWindow: { label: 'main' }, currentWebview: { label: 'main', windowLabel: 'main' } },
    plugins: { path: { sep: '/', delimiter: ':' } },
    convertFileSrc: (path: string, protocol = 'asset') => `${protocol}://localhost/${encodeURIComponent(path)}`,
  };
  w['__TAURI_INTERNALS__'] = internals;
  w['__TAURI_EVENT_PLUGIN_INTERNALS__'] = {
    unregisterListener: (event: string, eventId: number) => {
      const handler = listeners.get(event)?.get(eventId);
      listeners.get(event)?.delete(eventId);
      if (handler !== undefined) unregisterCallback(handler);
    },
  };

  return {
    emit: (event, payload) => deliver(event, payload),
    calls,
    emitted,
    restore() {
      w['__TAURI_INTERNALS__'] = previous.internals;
      w['__TAURI_EVENT_PLUGIN_INTERNALS__'] = previous.events;
    },
  };
}
