/**
 * The app's runtime: the one command table (app commands and every plugin's `plugin:<name>|<cmd>`), the one call
 * pipeline they all go through, managed state, events, resources, plugins and the pages connected to it.
 * Transport-free — `serve()` is handed in by the Builder, and pages arrive through `attach()` with a `Peer` that
 * moves their frames.
 *
 * The pipeline (`dispatch`): ACL (`Authorize`) → look the command up → deadline → validate args (Channel arguments
 * bound to the calling page) → handler with its `ctx` → result. Under the isolation pattern the connection has
 * opened the seal before a call gets here.
 *
 * This class is internal: handlers and plugins see its public face (`AppHandle`, handle.ts) as `ctx.app`.
 */
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import { CloseCode, type DragFrame, type WindowOp, type WindowReport } from '../protocol/frames.js';
import { toJson } from '../protocol/codec.js';
import { CallAbort } from './abort.js';
import { channelScope, type Channel } from './channels.js';
import { type CommandDefinition, type CommandScope, type InvokeContext, checkArgs, validateEventPayload } from './commands.js';
import type { AppConfig, WindowConfig } from './config.js';
import type { FsScope } from './fs-scope.js';
import { windowEvents } from './window-state.js';
import { type Call, Connection, type ConnectionOwner, type Peer } from './connection.js';
import { type Event, type EventCallback, EventBus, type UnlistenFn } from './events.js';
import type {
  AppHandle,
  AppStats,
  CreatedWindow,
  ExplainRequest,
  HostWindowOp,
  HostWindowState,
  RunningApp,
  WebviewWindowOptions,
  WindowDriver,
  WindowRequest,
} from './handle.js';
import { bindCall, type CoreHost } from './internal.js';
import type { Isolation } from './isolation.js';
import type { Limits } from './limits.js';
import type { PathResolver } from './paths.js';
import {
  checkInitScript,
  type PageLoadPayload,
  type Plugin,
  type PluginApi,
  type RunEvent,
  type SetupApp,
  type WebviewInfo,
} from './plugin.js';
import { PluginListeners } from './plugin-listeners.js';
import { ResourceTable } from './resources.js';
import { PluginScope } from './scopes.js';
import { type Session, SessionStore } from './sessions.js';
import { type CallTrace, sizeOf, Tracer, type TraceObserver } from './trace.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import { ANY, APP, assertEventName, type EventTarget, type EventTargetLike, isValidLabel, LABEL_MESSAGE, toTarget } from './targets.js';

export type Logger = (level: 'info' | 'warn' | 'error', message: string, error?: unknown) => void;

export const consoleLogger: Logger = (level, message, error) => {
  const line = `[airlock] ${message}`;
  if (level === 'info') console.log(line);
  else if (level === 'warn') console.warn(line, ...(error === undefined ? [] : [error]));
  else console.error(line, ...(error === undefined ? [] : [error]));
};

export interface ServeOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Serve the frontend from `build.devUrl` through the dev proxy even when `frontendDist` is set (`airlock dev`). */
  readonly useDevUrl?: boolean;
  /** Start the IPC inspector on its own loopback origin (`server.inspector` is its URL). Off by default. */
  readonly inspector?: boolean;
  /**
   * Service Worker scopes allowed, by window label (`{ main: '/app/' }`). By default every Service Worker script
   * is refused: all windows share one origin (and may share a browser profile), so a worker registered by one
   * window would serve whatever it likes into the others' pages. A scope given here must be a path of its own
   * (`/…/`, not `/`) holding that window's URL and no other window's; only worker scripts inside it are served.
   */
  readonly serviceWorkers?: Readonly<Record<string, string>>;
}

/** What `app.serve()` returns. */
export interface Server {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** The inspector's URL, when `serve({ inspector: true })`; it carries the inspector's token: keep it private. */
  readonly inspector?: string;
  /** A one-time URL that opens the webview `label` (and window of the same label). */
  url(label?: string, options?: { path?: string; window?: string }): string;
  close(): Promise<void>;
}

export type ServeFn = (app: App, options: ServeOptions) => Promise<Server>;

/** One settled call, as `observeCalls` reports it. */
export type CallRecord = CallTrace;

export type CallObserver = (record: CallRecord) => void;

/** Who is calling what: the input of the access decision. */
export interface AccessRequest {
  readonly command: string;
  readonly webview: string;
  readonly window: string;
  /** The page's origin, and whether it is the app's own (Tauri's `Origin::Local`). */
  readonly origin: string;
  readonly local: boolean;
  readonly args?: unknown;
}

/**
 * The access decision (the ACL plugs in here): returns the call's scopes and whether the ACL checked the call at
 * all, or throws FORBIDDEN.
 */
export type Authorize = (request: AccessRequest) => { scope: CommandScope; globalScope: CommandScope; checked: boolean };

/** Explains an access decision in words (`app.explain`). */
export type Explain = (request: AccessRequest) => string;

/** A plugin as the runtime registers it; `core` marks the core's own (their commands may use core/internal.ts). */
export interface RegisteredPlugin {
  readonly plugin: Plugin;
  readonly core: boolean;
}

export interface AppParts {
  readonly config: AppConfig;
  /** The app's own commands (`invokeHandler`). */
  readonly commands: ReadonlyMap<string, CommandDefinition>;
  /** Every plugin, core ones first, in registration order. */
  readonly plugins: readonly RegisteredPlugin[];
  /** Managed state; plugins' setups add to it. */
  readonly state: Map<unknown, unknown>;
  readonly limits: Limits;
  readonly logger: Logger;
  readonly serve: ServeFn;
  readonly authorize: Authorize;
  readonly explain: Explain;
  /** The app's one `PathResolver` (BaseDirectory and scope variables), shared by the path, fs, store and log plugins. */
  readonly paths: PathResolver;
  /** The asset protocol's scope, when it is enabled. */
  readonly assetScope?: FsScope | undefined;
  /** The isolation pattern's core half (core/isolation.ts); absent under brownfield. */
  readonly isolation: Isolation | undefined;
  /** Payload schemas of declared events (`Builder.events`): what a page emits under those names must pass them. */
  readonly eventSchemas?: ReadonlyMap<string, StandardSchemaV1>;
}

/** How long a window setter waits for the page to report its window after acting. */
const WINDOW_OP_WAIT_MS = 1000;

const NO_SCOPE: CommandScope = Object.freeze({
  allow: [],
  deny: [],
  matches: () => true,
});
export const allowAll: Authorize = () => ({ scope: NO_SCOPE, globalScope: NO_SCOPE, checked: false });

/** A call's abort that also fires, with TIMEOUT, when the command's deadline passes. */
class Deadline {
  readonly abort = new CallAbort();
  readonly #timer: NodeJS.Timeout;
  readonly #unhook: () => void;

  constructor(command: string, ms: number, parent: CallAbort) {
    this.#unhook = parent.onAbort((reason) => this.abort.abort(reason));
    this.#timer = setTimeout(
      () => this.abort.abort(new AirlockError(ErrorCode.TIMEOUT, `command \`${command}\` ran past its deadline of ${ms} ms`)),
      ms,
    );
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#unhook();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Settles with `promise`, or rejects with the call's abort reason as soon as it aborts. */
function untilAborted<T>(promise: PromiseLike<T>, abort: CallAbort): Promise<T> {
  if (abort.aborted) return Promise.reject(abort.reason);
  return new Promise<T>((resolve, reject) => {
    const unhook = abort.onAbort(reject);
    promise.then(
      (value) => {
        unhook();
        resolve(value);
      },
      (error: unknown) => {
        unhook();
        reject(error);
      },
    );
  });
}

const CLOSE_REQUESTED = 'tauri://close-requested';

/**
 * The page's URL from its origin and the path it reported when it connected (same origin only; otherwise, or when
 * it reported none, the origin). Informational: the label comes from the credential, never from this.
 */
function pageUrl(origin: string, page: string | undefined): string {
  if (page === undefined || !page.startsWith('/') || page.startsWith('//')) return origin;
  try {
    const url = new URL(page, origin);
    return url.origin === origin ? url.href : origin;
  } catch {
    return origin;
  }
}

/** The public face of a runtime: only the methods `AppHandle` names, bound, on a frozen object of its own. */
function publicFace(app: App): AppHandle {
  return Object.freeze({
    get config() {
      return app.config;
    },
    get resources() {
      return app.resources;
    },
    get closed() {
      return app.closed;
    },
    state: <T>(type: abstract new (...args: never[]) => T): T => app.state(type),
    emit: (event: string, payload?: unknown) => app.emit(event, payload),
    emitTo: (target: EventTargetLike, event: string, payload?: unknown) => app.emitTo(target, event, payload),
    listen: <T>(event: string, handler: EventCallback<T>) => app.listen(event, handler),
    listenAny: <T>(event: string, handler: EventCallback<T>) => app.listenAny(event, handler),
    once: <T>(event: string, handler: EventCallback<T>) => app.once(event, handler),
    waitFor: <T>(event: string, options?: { signal?: AbortSignal }) => app.waitFor<T>(event, options),
    explain: (request: ExplainRequest) => app.explain(request),
    webviews: () => app.webviews(),
    scopeOf: <Entry>(plugin: string) => app.scopeOf<Entry>(plugin),
    get path() {
      return app.paths;
    },
    exit: (code: number) => app.exit(code),
    assetProtocolScope: () => app.assetScope,
    createWebviewWindow: (label: string, options?: WebviewWindowOptions) => app.createWebviewWindow(label, options),
  });
}

/** How long a page presenting a valid credential waits for the label's previous page to go (a reload). */
const TAKEOVER_WAIT_MS = 1500;

const REGISTER_LISTENER_CAMEL = '|registerListener';

/** A handler's `ctx`: plain fields, and the resource tables made only when a handler asks for them. */
class CallContext implements InvokeContext {
  readonly webview: string;
  readonly window: string;
  readonly origin: string;
  readonly app: AppHandle;
  readonly body: unknown;
  readonly headers: Call['headers'];
  readonly state: InvokeContext['state'];
  readonly #runtime: App;
  readonly #conn: Connection;
  readonly #abort: CallAbort;

  constructor(
    runtime: App,
    conn: Connection,
    readonly command: string,
    call: Call,
    abort: CallAbort,
    readonly scope: CommandScope,
    readonly globalScope: CommandScope,
  ) {
    this.#runtime = runtime;
    this.#conn = conn;
    this.#abort = abort;
    this.webview = conn.label;
    this.window = conn.window;
    this.origin = conn.origin;
    this.app = runtime.handle;
    this.body = call.args;
    this.headers = call.headers;
    this.state = runtime.stateOf;
  }

  /** Made on first use: most handlers never look at it (see abort.ts). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get resources(): ResourceTable {
    return this.#runtime.webviewTable(this.#conn);
  }

  get windowResources(): ResourceTable {
    return this.#runtime.windowTable(this.#conn.window);
  }
}

/** The runtime behind an app its owner holds (`Builder.build()`'s result); for the transports and the test helpers. */
export function runtimeOf(app: RunningApp): App {
  if (app instanceof App) return app;
  throw new AirlockError(ErrorCode.INTERNAL, 'expected an app made by Builder.build()');
}

export class App implements ConnectionOwner, CoreHost, RunningApp {
  readonly config: AppConfig;
  readonly limits: Limits;
  readonly sessions = new SessionStore();
  readonly isolated: boolean;
  readonly #isolation: Isolation | undefined;
  /** Every command by the name a page invokes: `greet`, `plugin:event|listen`, `plugin:fs|read_file`. */
  readonly #commands = new Map<string, CommandDefinition>();
  /** Commands of the core's own plugins: their `ctx` is bound to the call's internals (core/internal.ts). */
  readonly #internal = new WeakSet<CommandDefinition>();
  readonly #plugins: readonly RegisteredPlugin[];
  readonly #state: Map<unknown, unknown>;
  readonly #scopes = new Map<string, PluginScope>();
  /** `plugin:<name>|<cmd>` → that plugin's run-time scope, which joins `ctx.globalScope` of its commands. */
  readonly #scopeOfCommand = new Map<string, PluginScope>();
  readonly #pluginListeners: PluginListeners;
  readonly #webviewResources = new Map<Connection, ResourceTable>();
  readonly #windowResources = new Map<string, ResourceTable>();
  readonly #readyWebviews = new Set<string>();
  readonly #readyWindows = new Set<string>();
  /** The app's resource table (what outlives pages). */
  readonly resources: ResourceTable;
  readonly paths: PathResolver;
  get path(): PathResolver {
    return this.paths;
  }
  readonly #initScripts: { plugin: string; source: string }[];
  /** The public face handed to handlers (`ctx.app`) and plugins. */
  readonly handle: AppHandle;
  readonly #logger: Logger;
  readonly #serve: ServeFn;
  readonly #authorize: Authorize;
  readonly #explain: Explain;
  readonly #bus: EventBus;
  readonly #connections = new Map<string, Connection>();
  /** Pages that have gone while calls of theirs were still settling (counted in `stats.pending`). */
  readonly #draining = new Set<Connection>();
  readonly #servers = new Set<Server>();
  readonly #closeRequests = new Set<(label: string) => void>();
  /** Where the core reports its traffic (the inspector, the CLI's call log); idle without observers. */
  readonly tracer: Tracer;
  readonly assetScope: FsScope | undefined;
  assetProtocolScope(): FsScope | undefined {
    return this.assetScope;
  }
  /** The latest report of each window's page, by window label. */
  readonly #reports = new Map<string, { conn: Connection; report: WindowReport }>();
  readonly #reportWaiters = new Map<string, Set<() => void>>();
  readonly #warned = new Set<string>();
  /** Windows created at run time (`createWebviewWindow`), by label, until their page goes. */
  readonly #created = new Map<string, WindowConfig>();
  readonly #windowRequests = new Set<(request: WindowRequest) => void | Promise<void>>();
  #driver: WindowDriver | undefined;
  readonly #hostStates = new Map<string, HostWindowState>();
  /** The latest drop of each page whose files' paths were looked up (a reloaded page counts from 1 again). */
  readonly #drops = new WeakMap<Connection, number>();
  /** Titles set with `setTitle`, by window label. */
  readonly #titles = new Map<string, string>();
  #closed = false;
  /** Events dropped for slow pages that have since disconnected (live pages count their own). */
  #droppedEvents = 0;

  readonly #eventSchemas: ReadonlyMap<string, StandardSchemaV1> | undefined;

  constructor(parts: AppParts) {
    this.#eventSchemas = parts.eventSchemas;
    this.config = parts.config;
    this.limits = parts.limits;
    this.#isolation = parts.isolation;
    this.isolated = parts.isolation !== undefined;
    this.#state = parts.state;
    this.#logger = parts.logger;
    this.#serve = parts.serve;
    this.#authorize = parts.authorize;
    this.#explain = parts.explain;
    this.assetScope = parts.assetScope;
    this.#bus = new EventBus((message, error) => this.#logger('error', message, error));
    this.tracer = new Tracer((error) => this.#logger('error', 'a trace observer threw', error));
    const onError = (message: string, error: unknown): void => this.#logger('warn', message, error);
    this.resources = new ResourceTable('the app', onError);
    this.#pluginListeners = new PluginListeners(parts.limits.maxListeners, onError);
    for (const [name, def] of parts.commands) this.#commands.set(name, def);
    this.#plugins = parts.plugins;
    for (const { plugin, core } of parts.plugins) {
      const own = plugin.definitions;
      const generated = this.#pluginListeners.commandsFor(plugin.name);
      for (const [cmd, def] of [...generated].filter(([c]) => !own.has(c)).concat([...own])) {
        this.#commands.set(`plugin:${plugin.name}|${cmd}`, def);
        if (core || generated.get(cmd) === def) this.#internal.add(def);
      }
      const scope = new PluginScope(onError);
      this.#scopes.set(plugin.name, scope);
      for (const cmd of [...own.keys(), ...generated.keys()]) this.#scopeOfCommand.set(`plugin:${plugin.name}|${cmd}`, scope);
    }
    this.paths = parts.paths;
    // Init scripts given as functions are decided here, once, for this app's config (and syntax-checked like the rest).
    this.#initScripts = this.#plugins.flatMap(({ plugin }) =>
      plugin.initScripts.flatMap((script) => {
        const source = typeof script === 'function' ? script(this.config) : script;
        if (source === undefined) return [];
        if (typeof script === 'function') checkInitScript(plugin.name, source);
        return [{ plugin: plugin.name, source }];
      }),
    );
    this.handle = publicFace(this);
  }

  /** Every registered command name (app commands bare, plugin commands as `plugin:<name>|<cmd>`). */
  commandNames(): string[] {
    return [...this.#commands.keys()];
  }

  /** The init scripts of every plugin, in registration order (the page runtime runs them before the app's scripts). */
  initScripts(): { plugin: string; source: string }[] {
    return this.#initScripts;
  }

  /**
   * Runs every plugin's setup in registration order (each with its `api`), then `onEvent(Ready)`. The Builder runs
   * the app's own setup hooks between the two.
   */
  async setupPlugins(): Promise<void> {
    for (const { plugin } of this.#plugins) {
      const setup = plugin.hooks.setup;
      if (setup === undefined) continue;
      try {
        await setup(this.#setupApp(), this.#pluginApi(plugin));
      } catch (cause) {
        if (cause instanceof AirlockError && cause.code === ErrorCode.CONFIG) throw cause;
        throw new AirlockError(
          ErrorCode.CONFIG,
          `plugin \`${plugin.name}\`: setup failed: ${cause instanceof Error ? cause.message : String(cause)}`,
          {
            cause,
          },
        );
      }
    }
  }

  /** Tells every plugin's `onEvent` hook. */
  runEvent(event: RunEvent): void {
    for (const { plugin } of this.#plugins) this.#hook(plugin, 'onEvent', () => plugin.hooks.onEvent?.(this.handle, event));
  }

  /** The `app` a setup hook receives: the public face plus `manage`. */
  #setupApp(): SetupApp {
    const manage = { value: (value: object) => this.manage(value), enumerable: true };
    return Object.freeze(Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(this.handle), manage })) as SetupApp;
  }

  #pluginApi(plugin: Plugin): PluginApi {
    const config = Object.hasOwn(this.config.plugins, plugin.name) ? this.config.plugins[plugin.name] : undefined;
    return Object.freeze({
      name: plugin.name,
      config,
      emit: (event: string, payload?: unknown) => this.#pluginListeners.emit(plugin.name, event, payload),
      scope: this.scopeOf(plugin.name),
    });
  }

  /** Adds managed state (during setup). */
  manage(value: object): void {
    const key = value?.constructor;
    if (typeof key !== 'function') throw new AirlockError(ErrorCode.CONFIG, 'manage(value): value must be an object made by a class');
    if (this.#state.has(key))
      throw new AirlockError(ErrorCode.CONFIG, `manage(): a ${key.name} is already managed; manage one value per class`);
    this.#state.set(key, value);
  }

  /** The run-time scope of a registered plugin. */
  scopeOf<Entry = unknown>(plugin: string): PluginScope<Entry> {
    const scope = this.#scopes.get(plugin);
    if (scope === undefined)
      throw new AirlockError(ErrorCode.CONFIG, `scopeOf(${JSON.stringify(plugin)}): no plugin of that name is registered`);
    return scope as PluginScope<Entry>;
  }

  /** Plugin listeners registered from pages (`addPluginListener`), for stats and tests. */
  get pluginListenerCount(): number {
    return this.#pluginListeners.size;
  }

  #hook(plugin: Plugin, name: string, run: () => unknown): unknown {
    try {
      return run();
    } catch (error) {
      this.#logger('error', `plugin \`${plugin.name}\`: ${name} threw`, error);
      return undefined;
    }
  }

  // ── public API ─────────────────────────────────────────────────────────────────────────────────────────────────

  /** Serves the app on 127.0.0.1. */
  async serve(options: ServeOptions = {}): Promise<Server> {
    if (this.#closed) throw new AirlockError(ErrorCode.DISCONNECTED, 'app.serve(): the app is closed');
    const server = await this.#serve(this, options);
    this.#servers.add(server);
    return server;
  }

  /** Managed state registered with `Builder.manage(value)`. */
  state<T>(type: abstract new (...args: never[]) => T): T {
    if (!this.#state.has(type)) {
      throw new AirlockError(
        ErrorCode.INTERNAL,
        `state(${type.name}): nothing of that type is managed; call Builder.manage(new ${type.name}(...))`,
      );
    }
    return this.#state.get(type) as T;
  }

  /** Emits to every listener: Node listeners and every page's, as Tauri's `emit`. */
  emit(event: string, payload?: unknown): void {
    this.#emit(ANY, event, payload, 'core');
  }

  /** Emits to a target: a label string (any window/webview with that label), or `{ kind, label }`. */
  emitTo(target: EventTargetLike, event: string, payload?: unknown): void {
    this.#emit(toTarget(target), event, payload, 'core');
  }

  /** Listens in Node to events emitted by pages or the core (target `App`, as Tauri's `App::listen`). */
  listen<T = unknown>(event: string, handler: EventCallback<T>): UnlistenFn {
    assertEventName(event);
    const id = this.#bus.listen(event, handler as EventCallback<unknown>, APP);
    return () => this.#bus.unlisten(id);
  }

  /** Like `listen`, but also receives events emitted to any window or webview (target `Any`). */
  listenAny<T = unknown>(event: string, handler: EventCallback<T>): UnlistenFn {
    assertEventName(event);
    const id = this.#bus.listen(event, handler as EventCallback<unknown>, ANY);
    return () => this.#bus.unlisten(id);
  }

  /** Listens for one event, then unlistens. */
  once<T = unknown>(event: string, handler: EventCallback<T>): UnlistenFn {
    assertEventName(event);
    const id = this.#bus.listen(event, handler as EventCallback<unknown>, APP, true);
    return () => this.#bus.unlisten(id);
  }

  /** Resolves with the next matching event. */
  waitFor<T = unknown>(event: string, options: { signal?: AbortSignal } = {}): Promise<Event<T>> {
    return new Promise((resolve, reject) => {
      const unlisten = this.once<T>(event, resolve);
      options.signal?.addEventListener('abort', () => {
        unlisten();
        reject(options.signal?.reason);
      });
    });
  }

  /**
   * Answers "may window W call command C?" with the reasoning of the access-control list.
   *
   * @example app.explain({ command: 'delete_file', window: 'settings' })
   */
  explain(request: ExplainRequest): string {
    return this.#explain({ webview: request.window, origin: 'http://127.0.0.1', local: true, ...request });
  }

  /** Labels of the webviews connected right now. */
  webviews(): string[] {
    return [...this.#connections.keys()];
  }

  /** The live connection of a webview, if it is connected (for tests and tools). */
  connection(label: string): Connection | undefined {
    return this.#connections.get(label);
  }

  /** Counters for tests and the inspector; `pending` includes calls still settling for pages that have gone. */
  get stats(): AppStats {
    let pending = 0;
    let pageListeners = 0;
    let channels = 0;
    let dropped = this.#droppedEvents;
    for (const c of this.#draining) pending += c.stats.pending;
    for (const c of this.#connections.values()) {
      const s = c.stats;
      pending += s.pending;
      pageListeners += s.listeners;
      channels += s.channels;
      dropped += s.droppedEvents;
    }
    return { webviews: this.#connections.size, pending, pageListeners, nodeListeners: this.#bus.size, channels, droppedEvents: dropped };
  }

  /** Registers what happens when a page asks to close its window (the app runner opens/closes real windows). */
  onCloseRequested(handler: (label: string) => void): () => void {
    this.#closeRequests.add(handler);
    return () => this.#closeRequests.delete(handler);
  }

  /** Observes every settled call (the CLI's call log). Costs nothing while no observer is registered. */
  observeCalls(observer: CallObserver): () => void {
    return this.tracer.observe((record) => {
      if (record.kind === 'call') observer(record);
    });
  }

  /** Observes all traffic: calls, refusals, events, channel messages, pages coming and going (the inspector). */
  trace(observer: TraceObserver): () => void {
    return this.tracer.observe(observer);
  }

  /** Disconnects every page and stops every server; the process can exit afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.runEvent({ type: 'ExitRequested' });
    this.#closed = true;
    for (const c of [...this.#connections.values()]) c.close(CloseCode.SHUTDOWN, 'the app is closing');
    await Promise.all([...this.#servers].map((s) => s.close()));
    this.#servers.clear();
    this.runEvent({ type: 'Exit' });
    for (const { plugin } of [...this.#plugins].reverse()) this.#hook(plugin, 'onDrop', () => plugin.hooks.onDrop?.(this.handle));
    for (const table of this.#windowResources.values()) table.clear(true);
    this.resources.clear(true);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  get closed(): boolean {
    return this.#closed;
  }

  // ── transports ─────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Binds a page to the session its credential names. Resolves with the connection, or rejects LIMIT_EXCEEDED if
   * the label is still held by another live page after a short grace period (a reload's old page closes quickly).
   */
  async attach(
    session: Session,
    credential: { kind: 'ticket' | 'resume'; value: string },
    origin: string,
    peer: Peer,
    local = true,
    assets?: string,
    page?: string,
  ): Promise<Connection> {
    const previous = this.#connections.get(session.label);
    if (previous !== undefined) {
      await Promise.race([previous.done, new Promise((r) => setTimeout(r, TAKEOVER_WAIT_MS).unref())]);
      if (previous.open || this.#connections.has(session.label)) {
        throw new AirlockError(ErrorCode.LIMIT_EXCEEDED, `webview label \`${session.label}\` is already connected in another page`);
      }
    }
    if (this.#closed) throw new AirlockError(ErrorCode.DISCONNECTED, 'the app is closing');
    const info: WebviewInfo = Object.freeze({ label: session.label, window: session.window, origin });
    const url = pageUrl(origin, page);
    const refusedBy = this.#navigationRefusedBy(info, url);
    if (refusedBy !== undefined) {
      throw new AirlockError(ErrorCode.FORBIDDEN, `plugin \`${refusedBy}\` refused the navigation of webview \`${info.label}\` to ${url}`);
    }
    const token = this.sessions.accept(credential.kind, credential.value, session);
    const conn = new Connection({ label: session.label, window: session.window, origin, local }, peer, this);
    this.#connections.set(session.label, conn);
    conn.hello(token, assets);
    this.#isolation?.connected(conn);
    if (this.tracer.active) this.tracer.emit({ kind: 'page', at: Date.now(), webview: conn.label, change: 'connected' });
    conn.done.then(() => this.sessions.disconnected(session));
    this.#pageConnected(info, url);
    return conn;
  }

  /** The name of the first plugin whose `onNavigation` refuses `url` for this webview, if any. */
  #navigationRefusedBy(info: WebviewInfo, url: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    for (const { plugin } of this.#plugins) {
      const fn = plugin.hooks.onNavigation;
      if (fn !== undefined && this.#hook(plugin, 'onNavigation', () => fn(info, parsed)) === false) return plugin.name;
    }
    return undefined;
  }

  #pageConnected(info: WebviewInfo, url: string): void {
    const firstWindow = !this.#readyWindows.has(info.window);
    const firstWebview = !this.#readyWebviews.has(info.label);
    this.#readyWindows.add(info.window);
    this.#readyWebviews.add(info.label);
    const load: PageLoadPayload = Object.freeze({ url, event: 'finished' });
    for (const { plugin } of this.#plugins) {
      const { onWindowReady, onWebviewReady, onPageLoad } = plugin.hooks;
      if (firstWindow && onWindowReady !== undefined) this.#hook(plugin, 'onWindowReady', () => onWindowReady({ label: info.window }));
      if (firstWebview && onWebviewReady !== undefined) this.#hook(plugin, 'onWebviewReady', () => onWebviewReady(info));
      if (onPageLoad !== undefined) this.#hook(plugin, 'onPageLoad', () => onPageLoad(info, load));
    }
  }

  // ── ConnectionOwner ────────────────────────────────────────────────────────────────────────────────────────────

  dispatch(conn: Connection, call: Call, abort: CallAbort): unknown {
    if (!this.tracer.active) return this.#dispatch(conn, call, abort, undefined);
    return this.#traced(conn, call, abort);
  }

  async #traced(conn: Connection, call: Call, abort: CallAbort): Promise<unknown> {
    const started = performance.now();
    const seen: { acl: CallTrace['acl'] } = { acl: 'denied' };
    const notify = (ok: boolean, error?: unknown): void => {
      this.tracer.emit({
        kind: 'call',
        at: Date.now(),
        command: call.command,
        webview: conn.label,
        window: conn.window,
        argsSize: sizeOf(call.args),
        ms: performance.now() - started,
        ok,
        ...(ok ? {} : { error: error instanceof AirlockError ? error.toWire() : error }),
        acl: seen.acl,
        sealed: call.sealed === true,
      });
    };
    try {
      const result = await this.#dispatch(conn, call, abort, seen);
      notify(true);
      return result;
    } catch (error) {
      notify(false, error);
      throw error;
    }
  }

  /** The pipeline. Synchronous as far as the command is: a promise only when its validation or handler is async. */
  #dispatch(conn: Connection, call: Call, parent: CallAbort, seen: { acl: CallTrace['acl'] } | undefined): unknown {
    let cmd = call.command;
    // `addPluginListener` retries `register_listener` as `registerListener`: one command, one permission.
    if (cmd.startsWith('plugin:') && cmd.endsWith(REGISTER_LISTENER_CAMEL))
      cmd = `${cmd.slice(0, -REGISTER_LISTENER_CAMEL.length)}|register_listener`;
    const {
      scope,
      globalScope: granted,
      checked,
    } = this.#authorize({
      command: cmd,
      webview: conn.label,
      window: conn.window,
      origin: conn.origin,
      local: conn.local,
      args: call.args,
    });
    if (seen !== undefined) seen.acl = checked ? 'allowed' : 'unchecked';
    const runtimeScope = this.#scopeOfCommand.get(cmd);
    const globalScope = runtimeScope === undefined ? granted : runtimeScope.merged(granted);
    const def = this.#commands.get(cmd);
    if (def === undefined) {
      const bar = cmd.indexOf('|');
      if (!cmd.startsWith('plugin:') || bar < 0) throw new AirlockError(ErrorCode.COMMAND_NOT_FOUND, `Command ${cmd} not found`);
      throw new AirlockError(ErrorCode.COMMAND_NOT_FOUND, `Command ${cmd.slice(bar + 1)} not found`, {
        data: { plugin: cmd.slice(7, bar) },
      });
    }
    const made: Channel<unknown>[] = [];
    const timeoutMs = def.timeoutMs ?? this.limits.commandTimeoutMs;
    const deadline = timeoutMs > 0 ? new Deadline(cmd, timeoutMs, parent) : undefined;
    const abort = deadline?.abort ?? parent;
    const done = (): void => {
      deadline?.clear();
      for (const ch of made) ch.commandSettled();
    };
    // Channels made while validating end with the call even when validation fails, and neither an async schema nor
    // a handler that never settles (a promise or any thenable) pins the call once the page goes or the deadline passes.
    let pending = false;
    try {
      const schema = def.schema;
      const args = schema === undefined ? call.args : channelScope.run({ sink: conn, made }, () => checkArgs(cmd, schema, call.args));
      const run = (value: unknown): unknown => {
        const ctx = this.#context(conn, cmd, call, abort, scope, globalScope);
        if (this.#internal.has(def)) bindCall(ctx, { connection: conn, host: this });
        const result = def.handler(value, ctx);
        return isThenable(result) ? untilAborted(result, abort) : result;
      };
      const result = isThenable(args) ? untilAborted(args, abort).then(run) : run(args);
      if (!isThenable(result)) return result;
      pending = true;
      return Promise.resolve(result).finally(done);
    } finally {
      if (!pending) done();
    }
  }

  #context(conn: Connection, command: string, call: Call, abort: CallAbort, scope: CommandScope, globalScope: CommandScope): InvokeContext {
    return new CallContext(this, conn, command, call, abort, scope, globalScope);
  }

  /** `ctx.state`: one function for every call (handlers may destructure it off `ctx`). */
  readonly stateOf = <T>(type: abstract new (...args: never[]) => T): T => this.state(type);

  /** @internal The resource table of a page (made on first use). */
  webviewTable(conn: Connection): ResourceTable {
    let table = this.#webviewResources.get(conn);
    if (table === undefined) {
      table = new ResourceTable(`webview \`${conn.label}\``, (m, e) => this.#logger('warn', m, e));
      // A page that has already gone gets a closed table: what a late handler adds is closed at once.
      if (conn.open) this.#webviewResources.set(conn, table);
      else table.clear(true);
    }
    return table;
  }

  /** @internal The resource table of a window (made on first use). */
  windowTable(label: string): ResourceTable {
    let table = this.#windowResources.get(label);
    if (table === undefined) {
      table = new ResourceTable(`window \`${label}\``, (m, e) => this.#logger('warn', m, e));
      this.#windowResources.set(label, table);
    }
    return table;
  }

  nextEventId(): number {
    return this.#bus.nextId();
  }

  report(message: string, error?: unknown): void {
    this.#logger('warn', message, error);
  }

  disconnected(conn: Connection): void {
    if (this.tracer.active) this.tracer.emit({ kind: 'page', at: Date.now(), webview: conn.label, change: 'disconnected' });
    this.#pluginListeners.disconnected(conn);
    const table = this.#webviewResources.get(conn);
    if (table !== undefined) {
      this.#webviewResources.delete(conn);
      table.clear(true);
    }
    this.#droppedEvents += conn.stats.droppedEvents;
    if (this.#reports.get(conn.window)?.conn === conn) {
      this.#reports.delete(conn.window);
      this.#hostStates.delete(conn.window);
    }
    if (this.#connections.get(conn.label) === conn) {
      this.#connections.delete(conn.label);
      this.#created.delete(conn.window);
    }
    if (conn.stats.pending > 0) this.#draining.add(conn);
  }

  released(conn: Connection): void {
    this.#draining.delete(conn);
  }

  // ── CoreHost (core/internal.ts: for the core's own plugins only) ─────────────────────────────────────────────────

  resourceTables(conn: Connection): readonly ResourceTable[] {
    const tables: ResourceTable[] = [];
    const webview = this.#webviewResources.get(conn);
    if (webview !== undefined) tables.push(webview);
    const window = this.#windowResources.get(conn.window);
    if (window !== undefined) tables.push(window);
    tables.push(this.resources);
    return tables;
  }

  webviewList(): { label: string; windowLabel: string }[] {
    return [...this.#connections.values()].map((c) => ({ label: c.label, windowLabel: c.window }));
  }

  exit(code: number): void {
    this.#logger('info', `a page asked the app to exit (code ${code})`);
    void this.close();
  }

  emitFrom(source: Connection, target: EventTarget, event: string, payload: unknown): void {
    const schema = this.#eventSchemas?.get(event);
    if (schema !== undefined) payload = validateEventPayload(event, schema, payload);
    this.#emit(target, event, payload, source.label);
  }

  /** Tauri's window title: the last `setTitle`, else the configured one (not the page's `document.title`). */
  windowTitle(label: string): string {
    return this.#titles.get(label) ?? this.windowConfig(label)?.title ?? label;
  }

  windowLabels(): string[] {
    const labels = new Set([
      ...this.config.windows.map((w) => w.label),
      ...this.#created.keys(),
      ...[...this.#connections.values()].map((c) => c.window),
    ]);
    return [...labels];
  }

  windowExists(label: string): boolean {
    return this.windowConfig(label) !== undefined || [...this.#connections.values()].some((c) => c.window === label);
  }

  windowConfig(label: string): WindowConfig | undefined {
    return this.config.windows.find((w) => w.label === label) ?? this.#created.get(label);
  }

  windowOfWebview(label: string): string | undefined {
    return this.#connections.get(label)?.window;
  }

  windowReport(label: string): WindowReport | undefined {
    return this.#reports.get(label)?.report;
  }

  /**
   * tauri://drag-enter|over|drop|leave with Tauri's payloads (physical position in the webview). A browser shows a
   * page the dragged files only when they are dropped, so drag-enter has no paths; drag-drop has them where a window
   * host drives the window (it asks the browser for each File's path), and none elsewhere.
   */
  windowDragged(conn: Connection, drag: DragFrame): void {
    const label = conn.window;
    const target: EventTarget = { kind: 'AnyLabel', label };
    const sf = this.#reports.get(label)?.report.sf ?? 1;
    const position = { x: Math.round(drag.x * sf), y: Math.round(drag.y * sf) };
    if (drag.k === 'enter') this.#emit(target, 'tauri://drag-enter', { paths: [], position }, 'core');
    else if (drag.k === 'over') this.#emit(target, 'tauri://drag-over', { position }, 'core');
    else if (drag.k === 'leave') this.#emit(target, 'tauri://drag-leave', null, 'core');
    else {
      // Each drop is looked up once: a page repeating a drop frame gets no paths for it (and costs the host nothing).
      const fresh = drag.q > (this.#drops.get(conn) ?? 0);
      if (fresh) this.#drops.set(conn, drag.q);
      const driver = fresh && this.#driver?.drives(label) ? this.#driver : undefined;
      const lookup = driver?.droppedPaths?.(label, drag.q) ?? Promise.resolve([]);
      void lookup
        .catch((error: unknown) => {
          this.#logger('warn', `window \`${label}\`: the window host could not read the dropped files' paths`, error);
          return [];
        })
        .then((paths) => this.#emit(target, 'tauri://drag-drop', { paths: [...paths], position }, 'core'));
    }
  }

  windowReported(conn: Connection, report: WindowReport): void {
    const before = this.#reports.get(conn.window);
    this.#reports.set(conn.window, { conn, report });
    if (before !== undefined && before.conn === conn) {
      const target: EventTarget = { kind: 'Window', label: conn.window };
      for (const [event, payload] of windowEvents(before.report, report)) this.#emit(target, event, payload, 'core');
    }
    const waiters = this.#reportWaiters.get(conn.window);
    if (waiters !== undefined) {
      this.#reportWaiters.delete(conn.window);
      for (const w of waiters) w();
    }
  }

  /**
   * Acts on a window: the window host carries out what it can (bounds, maximize/minimize/fullscreen, focus) when
   * it drives the window; the page carries out the rest (title, zoom, cursor), and everything where no host drives
   * it. Resolves once the page reported its window afterwards (or soon after), so a getter right after a setter
   * reads the new value.
   */
  async windowOp(label: string, op: WindowOp): Promise<void> {
    if (op.op === 'title') this.#titles.set(label, op.value);
    const driver = this.#driver?.drives(label) ? this.#driver : undefined;
    const hostOp = driver === undefined ? undefined : this.#hostOp(label, op);
    const reported = this.#nextReport(label);
    if (driver !== undefined && hostOp !== undefined) {
      const state = await driver.apply(label, hostOp).catch((error: unknown) => {
        this.#logger('warn', `window \`${label}\`: the window host could not ${op.op}`, error);
        return undefined;
      });
      if (state !== undefined) this.#hostStates.set(label, state);
      await reported;
      // Window frames differ between window managers (and headless): correct the outer size once by what the
      // page then saw of its inner size.
      const r = this.#reports.get(label)?.report;
      if (op.op === 'size' && hostOp.op === 'bounds' && r !== undefined && state === 'normal') {
        const dw = Math.round(op.value.width - r.iw);
        const dh = Math.round(op.value.height - r.ih);
        if (Math.abs(dw) > 1 || Math.abs(dh) > 1) {
          const again = this.#nextReport(label);
          const width = (hostOp.width ?? 0) + dw;
          const height = (hostOp.height ?? 0) + dh;
          await driver.apply(label, { op: 'bounds', width, height }).catch(() => undefined);
          await again;
        }
      }
      return;
    }
    const pages = [...this.#connections.values()].filter((c) => c.window === label);
    for (const c of pages) c.windowOp(op);
    // A page that never reported (an in-memory page, an old runtime) will not report after acting either.
    if (pages.length > 0 && this.#reports.has(label)) await reported;
  }

  /** The host's part of a window op, in the outer window's CSS pixels; undefined for what only the page does. */
  #hostOp(label: string, op: WindowOp): HostWindowOp | undefined {
    const r = this.#reports.get(label)?.report;
    const frameW = r === undefined ? 0 : Math.max(0, r.ow - r.iw);
    const frameH = r === undefined ? 0 : Math.max(0, r.oh - r.ih);
    const state = this.#hostStates.get(label) ?? 'normal';
    switch (op.op) {
      case 'size':
        return { op: 'bounds', width: Math.round(op.value.width + frameW), height: Math.round(op.value.height + frameH) };
      case 'position':
        return { op: 'bounds', left: Math.round(op.value.x), top: Math.round(op.value.y) };
      case 'center': {
        if (r === undefined) return undefined;
        const [, , , , availLeft, availTop, availWidth, availHeight] = r.sc;
        return {
          op: 'bounds',
          left: Math.round(availLeft + (availWidth - r.ow) / 2),
          top: Math.round(availTop + (availHeight - r.oh) / 2),
        };
      }
      case 'maximize':
        return { op: 'state', state: 'maximized' };
      case 'toggle_maximize':
        return { op: 'state', state: state === 'maximized' ? 'normal' : 'maximized' };
      case 'minimize':
      case 'hide':
        return { op: 'state', state: 'minimized' };
      case 'unmaximize':
      case 'unminimize':
      case 'show':
        return { op: 'state', state: 'normal' };
      case 'fullscreen':
        return { op: 'state', state: op.value ? 'fullscreen' : 'normal' };
      case 'focus':
        return { op: 'focus' };
      default:
        return undefined;
    }
  }

  /** Resolves at the window's next report, or after a short wait when none comes. */
  #nextReport(label: string): Promise<void> {
    return new Promise<void>((resolve) => {
      let waiters = this.#reportWaiters.get(label);
      if (waiters === undefined) {
        waiters = new Set();
        this.#reportWaiters.set(label, waiters);
      }
      const set = waiters;
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, WINDOW_OP_WAIT_MS);
      timer.unref();
      set.add(done);
    });
  }

  windowDriven(label: string): boolean {
    return this.#driver?.drives(label) === true;
  }

  hostWindowState(label: string): HostWindowState | undefined {
    return this.windowDriven(label) ? this.#hostStates.get(label) : undefined;
  }

  /** Registers the window host that drives real windows. */
  driveWindows(driver: WindowDriver): () => void {
    this.#driver = driver;
    return () => {
      if (this.#driver === driver) this.#driver = undefined;
    };
  }

  warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#logger('warn', message);
  }

  /** Registers who opens windows created at run time (the CLI's window host); without one their URL is logged. */
  onWindowRequested(handler: (request: WindowRequest) => void | Promise<void>): () => void {
    this.#windowRequests.add(handler);
    return () => this.#windowRequests.delete(handler);
  }

  /**
   * Opens a webview window (Tauri's `WebviewWindowBuilder`): `options` are named as `app.windows[]` entries of
   * `tauri.conf.json`. Resolves with the window's one-time URL once the window host took it; with no window host
   * the URL is logged for the user to open, as `airlock run --no-window` prints it.
   */
  async createWebviewWindow(label: string, options: WebviewWindowOptions = {}): Promise<CreatedWindow> {
    if (typeof label !== 'string' || !isValidLabel(label)) {
      throw new AirlockError(
        ErrorCode.INVALID_ARGS,
        `createWebviewWindow: ${JSON.stringify(label)} is not a valid label (${LABEL_MESSAGE})`,
      );
    }
    if (this.windowExists(label) || this.#connections.has(label)) {
      throw new AirlockError(ErrorCode.PLUGIN, `a webview with label \`${label}\` already exists`);
    }
    const url = typeof options.url === 'string' ? options.url : '/';
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
      throw new AirlockError(
        ErrorCode.PLUGIN,
        `unsupported: window \`${label}\`: an external URL (${url.slice(0, 100)}) gets no IPC here; open a path of the app's own frontend`,
      );
    }
    const server = [...this.#servers][0];
    if (server === undefined) {
      throw new AirlockError(
        ErrorCode.DISCONNECTED,
        `createWebviewWindow(\`${label}\`): the app is not served yet; call app.serve() first`,
      );
    }
    const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback);
    const config: WindowConfig = {
      label,
      title: typeof options.title === 'string' ? options.title : label,
      width: num(options.width, 800),
      height: num(options.height, 600),
      url: `/${url.replace(/^\/+/, '')}`,
    };
    this.#created.set(label, config);
    const opened = server.url(label, { path: config.url });
    const request: WindowRequest = Object.freeze({ label, url: opened, options: Object.freeze({ ...options, ...config }) });
    if (this.#windowRequests.size === 0) this.#logger('info', `window \`${label}\`: open ${opened}`);
    try {
      for (const handler of this.#windowRequests) await handler(request);
    } catch (cause) {
      this.#created.delete(label);
      throw cause;
    }
    return { label, url: opened };
  }

  /**
   * A page asked to close a window. As in Tauri, `close()` (ask) first emits `tauri://close-requested` to the
   * window when one of its pages listens for it — `getCurrentWindow().onCloseRequested` then calls `destroy()`
   * unless the handler called `event.preventDefault()`; `destroy()`, or a close nobody listens for, closes it.
   */
  requestClose(label: string, ask: boolean): void {
    const pages = [...this.#connections.values()].filter((c) => c.window === label);
    if (ask && pages.some((c) => c.hasListener(CLOSE_REQUESTED))) {
      this.#emit({ kind: 'Window', label }, CLOSE_REQUESTED, null, 'core');
      return;
    }
    if (this.#closeRequests.size === 0) {
      for (const c of pages) c.close(CloseCode.SHUTDOWN, 'window closed');
      return;
    }
    for (const handler of this.#closeRequests) handler(label);
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────────────────────────

  #emit(target: EventTarget, event: string, payload: unknown, source: string): void {
    assertEventName(event);
    const value = payload === undefined ? null : payload;
    this.#bus.deliver(event, value, target);
    if (this.tracer.active) {
      const to = 'label' in target ? `${target.kind}(${target.label})` : target.kind;
      this.tracer.emit({ kind: 'event', at: Date.now(), event, source, target: to, payloadSize: sizeOf(value) });
    }
    if (this.#connections.size === 0) return;
    const payloadJson = toJson(value, `payload of event \`${event}\``);
    const nameJson = JSON.stringify(event);
    for (const conn of this.#connections.values()) conn.deliverEvent(event, nameJson, payloadJson, target);
  }
}
