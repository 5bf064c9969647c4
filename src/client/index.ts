/**
 * `airlock/client`: a typed client for the page, with no code generator. The core exports its command table as a
 * type (`export type AppCommands = CommandsOf<typeof builder>`), the frontend imports it with `import type` and
 * calls commands by the names the core spells:
 *
 *   const client = createClient<AppCommands>();
 *   await client.greet({ name: 'Ada' });                          // typed args and result
 *   await client.invoke('plugin:notes|read', { path: 'a' });      // every command, plugins' included
 *   await client.slow({}, { signal, timeoutMs: 5000 });           // cancellation reaches the handler's ctx.signal
 *   await client.upload({ file: blob.stream() });                 // a page → core byte stream
 *   const stop = await client.listen('progress', (e) => …);       // typed events (Builder.events)
 *
 * It runs over the same `window.__TAURI_INTERNALS__` the official `@tauri-apps/api` uses (read at every call, so
 * it also works under `@tauri-apps/api/mocks`' `mockIPC` and `airlock/client/mocks`' `mockCore`), and both can be
 * mixed in one page. A browser module: no Node imports.
 */
import type { CommandName, CommandSignature, CommandTable, EventTable } from '../protocol/typed.js';

export type { ChannelArg, CommandSignature, CommandTable, StreamSource } from '../protocol/typed.js';

/** Per-call options. */
export interface CallOptions {
  /** Aborting rejects the call at once (a `DOMException` named `AbortError`) and aborts the handler's `ctx.signal`. */
  readonly signal?: AbortSignal | undefined;
  /** Gives up after this many milliseconds: rejects with a `DOMException` named `TimeoutError`, and cancels as above. */
  readonly timeoutMs?: number | undefined;
  /** Request headers, as `invoke(cmd, args, { headers })` of the official API. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** The parameters of a call: `args` may be left out when the command accepts `undefined`. */
export type CallParams<S extends CommandSignature> = undefined extends S['args']
  ? [args?: S['args'], options?: CallOptions]
  : [args: S['args'], options?: CallOptions];

/** One command as a method of the client. */
export type CommandFn<S extends CommandSignature> = (...params: CallParams<S>) => Promise<S['result']>;

/** An event as a listener receives it (the official `Event<T>`). */
export interface ClientEvent<Name extends string, Payload> {
  readonly event: Name;
  readonly id: number;
  readonly payload: Payload;
}

/** Where an event is emitted to (`emitTo`): a webview or window label, or Tauri's target object. */
export type EventTarget = string | { readonly kind: string; readonly label?: string };

export interface ClientMethods<C> {
  /** Calls any command by name, plugins' (`plugin:<name>|<cmd>`) included, with the same types as the methods. */
  invoke<K extends CommandName<C>>(
    name: K,
    ...params: C[K] extends CommandSignature ? CallParams<C[K]> : never
  ): Promise<C[K] extends CommandSignature ? C[K]['result'] : never>;
  /** Listens for an event; resolves with the function that stops listening. */
  listen<E extends Extract<keyof EventTable<C>, string>>(
    event: E,
    handler: (event: ClientEvent<E, EventTable<C>[E]>) => void,
  ): Promise<() => Promise<void>>;
  /** Listens for the next occurrence of an event only. */
  once<E extends Extract<keyof EventTable<C>, string>>(
    event: E,
    handler: (event: ClientEvent<E, EventTable<C>[E]>) => void,
  ): Promise<() => Promise<void>>;
  /** Emits an event to every listener (the core's and every page's); a declared event's payload is validated by the core. */
  emit<E extends Extract<keyof EventTable<C>, string>>(event: E, payload: EventTable<C>[E]): Promise<void>;
  /** Emits an event to one target (a label, or `{ kind: 'WebviewWindow', label }` …). */
  emitTo<E extends Extract<keyof EventTable<C>, string>>(target: EventTarget, event: E, payload: EventTable<C>[E]): Promise<void>;
}

/** The client: the methods above, and one method per command whose name is not a method's (use `invoke` for those). */
export type Client<C> = ClientMethods<C> & {
  readonly [K in CommandName<C> as K extends keyof ClientMethods<C> ? never : K]: C[K] extends CommandSignature ? CommandFn<C[K]> : never;
};

interface Internals {
  invoke(cmd: string, args?: unknown, options?: unknown): Promise<unknown>;
  transformCallback(callback: (data: unknown) => void, once?: boolean): number;
  unregisterCallback?(id: number): void;
}

function internals(): Internals {
  const i = (globalThis as { __TAURI_INTERNALS__?: Internals }).__TAURI_INTERNALS__;
  if (i === undefined || typeof i.invoke !== 'function') {
    throw new Error(
      'airlock/client: window.__TAURI_INTERNALS__ is missing: open the page through the core (server.url(label)), or install a mock first (mockCore from airlock/client/mocks, or mockIPC)',
    );
  }
  return i;
}

function abortReasonOf(signal: AbortSignal, name: string): unknown {
  const reason: unknown = signal.reason;
  return reason instanceof DOMException ? reason : new DOMException(`the call to \`${name}\` was aborted`, 'AbortError');
}

function signalOf(options: CallOptions | undefined): AbortSignal | undefined {
  const signals: AbortSignal[] = [];
  if (options?.signal !== undefined) signals.push(options.signal);
  const ms = options?.timeoutMs;
  if (ms !== undefined) {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new TypeError('airlock/client: timeoutMs must be a number of milliseconds ≥ 0');
    signals.push(AbortSignal.timeout(ms));
  }
  if (signals.length <= 1) return signals[0];
  return AbortSignal.any(signals);
}

/** One call: the internals' invoke, rejected at once when the signal aborts (whatever the internals do with it). */
function call(name: string, args: unknown, options: CallOptions | undefined): Promise<unknown> {
  let signal: AbortSignal | undefined;
  try {
    signal = signalOf(options);
  } catch (e) {
    return Promise.reject(e);
  }
  if (signal?.aborted) return Promise.reject(abortReasonOf(signal, name));
  const opts: Record<string, unknown> = {};
  if (options?.headers !== undefined) opts['headers'] = options.headers;
  if (signal !== undefined) opts['signal'] = signal;
  let pending: Promise<unknown>;
  try {
    pending = internals().invoke(name, args ?? {}, opts);
  } catch (e) {
    return Promise.reject(e);
  }
  if (signal === undefined) return pending;
  const s = signal;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortReasonOf(s, name));
    s.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        s.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        s.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function toTarget(target: EventTarget): { kind: string; label?: string } {
  return typeof target === 'string' ? { kind: 'AnyLabel', label: target } : { ...target };
}

async function listen(event: string, handler: (e: never) => void, once: boolean): Promise<() => Promise<void>> {
  const i = internals();
  let eventId: number | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped || eventId === undefined) return;
    stopped = true;
    const events = (globalThis as { __TAURI_EVENT_PLUGIN_INTERNALS__?: { unregisterListener?(e: string, id: number): void } })
      .__TAURI_EVENT_PLUGIN_INTERNALS__;
    events?.unregisterListener?.(event, eventId);
    await i.invoke('plugin:event|unlisten', { event, eventId });
  };
  const id = i.transformCallback((data) => {
    if (stopped) return;
    if (once) void stop();
    (handler as (e: unknown) => void)(data);
  });
  eventId = (await i.invoke('plugin:event|listen', { event, target: { kind: 'Any' }, handler: id })) as number;
  return stop;
}

const METHODS = new Set(['invoke', 'listen', 'once', 'emit', 'emitTo']);

/**
 * Makes a typed client for the command table `C` (`CommandsOf<typeof builder>` in the core). The client is not a
 * thenable (`await client` gives the client back at once), and holds no state: make one per module, or many.
 */
export function createClient<C extends CommandTable = CommandTable>(): Client<C> {
  const methods: ClientMethods<CommandTable> = {
    invoke: ((name: string, args?: unknown, options?: CallOptions) => call(name, args, options)) as ClientMethods<CommandTable>['invoke'],
    listen: (event, handler) => listen(event, handler, false),
    once: (event, handler) => listen(event, handler, true),
    emit: async (event, payload) => {
      await internals().invoke('plugin:event|emit', { event, payload });
    },
    emitTo: async (target, event, payload) => {
      await internals().invoke('plugin:event|emit_to', { target: toTarget(target), event, payload });
    },
  };
  const commands = new Map<string, (args?: unknown, options?: CallOptions) => Promise<unknown>>();
  return new Proxy(Object.create(null) as object, {
    get(_target, key) {
      if (typeof key !== 'string' || key === 'then') return undefined; // not a thenable: `await client` does not hang
      if (METHODS.has(key)) return methods[key as keyof ClientMethods<CommandTable>];
      let fn = commands.get(key);
      if (fn === undefined) {
        fn = (args?: unknown, options?: CallOptions) => call(key, args, options);
        commands.set(key, fn);
      }
      return fn;
    },
    has: (_target, key) => typeof key === 'string' && key !== 'then',
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  }) as Client<C>;
}
