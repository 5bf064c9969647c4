/**
 * The public face of a running app: what a command handler reaches as `ctx.app`, what a plugin's hooks receive,
 * and (with `RunningApp`'s few owner methods) what `Builder.build()` returns. It is a separate object from the
 * core's runtime (`App` in app.ts), so no handler or plugin can reach the runtime's internals — dispatching calls,
 * minting session tickets, attaching pages — even with a cast.
 */
import type { CallObserver, Server, ServeOptions } from './app.js';
import type { AppConfig } from './config.js';
import type { FsScope } from './fs-scope.js';
import type { Event, EventCallback, UnlistenFn } from './events.js';
import type { PathResolver } from './paths.js';
import type { RuntimeScope } from './plugin.js';
import type { ResourceTable } from './resources.js';
import type { EventTargetLike } from './targets.js';
import type { TraceObserver } from './trace.js';

/** A window to open at run time, named as an `app.windows[]` entry of `tauri.conf.json`. */
export interface WebviewWindowOptions {
  /** A path of the app's frontend (default `/`). */
  readonly url?: string;
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
  readonly minWidth?: number;
  readonly minHeight?: number;
  readonly maxWidth?: number;
  readonly maxHeight?: number;
  readonly x?: number;
  readonly y?: number;
  readonly center?: boolean;
  readonly resizable?: boolean;
  readonly visible?: boolean;
  readonly focus?: boolean;
  readonly maximized?: boolean;
  readonly fullscreen?: boolean;
  readonly [key: string]: unknown;
}

/** A window `createWebviewWindow` opened (or, with no window host, whose URL it logged). */
export interface CreatedWindow {
  readonly label: string;
  /** The one-time URL that opens it. */
  readonly url: string;
}

/** What the window host is asked to open. */
export interface WindowRequest {
  readonly label: string;
  readonly url: string;
  readonly options: WebviewWindowOptions;
}

/** A window's state as its host sees it (the DevTools protocol's `windowState`). */
export type HostWindowState = 'normal' | 'maximized' | 'minimized' | 'fullscreen';

/** What the core asks a window host to do to a window it drives (bounds in CSS pixels of the outer window). */
export type HostWindowOp =
  | { readonly op: 'bounds'; readonly left?: number; readonly top?: number; readonly width?: number; readonly height?: number }
  | { readonly op: 'state'; readonly state: HostWindowState }
  | { readonly op: 'focus' };

/** A window host that drives real windows (the CLI's Chromium windows over their DevTools pipe). */
export interface WindowDriver {
  /** Whether it drives the window of that label. */
  drives(label: string): boolean;
  /** Carries `op` out; resolves with the window's state afterwards (undefined when it no longer has the window). */
  apply(label: string, op: HostWindowOp): Promise<HostWindowState | undefined>;
  /** The paths of the files of the page's drop number `drop` (DOM.getFileInfo); empty when it cannot tell. */
  droppedPaths?(label: string, drop: number): Promise<readonly string[]>;
}

/** Who asks, for `app.explain`. */
export interface ExplainRequest {
  readonly command: string;
  readonly window: string;
  readonly webview?: string;
  readonly origin?: string;
  readonly local?: boolean;
  readonly args?: unknown;
}

export interface AppHandle {
  /** The app's configuration (from `tauri.conf.json` and `build()` options), read-only. */
  readonly config: AppConfig;
  /** The app's resource table: values that outlive any page (e.g. an open store), reached by rid. */
  readonly resources: ResourceTable;
  /** Managed state, looked up by its class (`Builder.manage` or a plugin's `app.manage`). */
  state<T>(type: abstract new (...args: never[]) => T): T;
  /** Emits to every listener: Node listeners and every page's, as Tauri's `emit`. */
  emit(event: string, payload?: unknown): void;
  /** Emits to a target: a label string (any window/webview with that label), or `{ kind, label }`. */
  emitTo(target: EventTargetLike, event: string, payload?: unknown): void;
  /** Listens in Node to events emitted by pages or the core (target `App`). */
  listen<T = unknown>(event: string, handler: EventCallback<T>): UnlistenFn;
  /** Like `listen`, but also receives events emitted to any window or webview (target `Any`). */
  listenAny<T = unknown>(event: string, handler: EventCallback<T>): UnlistenFn;
  /** Listens for one event, then unlistens. */
  once<T = unknown>(event: string, handler: EventCallback<T>): UnlistenFn;
  /** Resolves with the next matching event. */
  waitFor<T = unknown>(event: string, options?: { signal?: AbortSignal }): Promise<Event<T>>;
  /** Answers "may window W call command C?" with the access-control list's reasoning. */
  explain(request: ExplainRequest): string;
  /** Labels of the webviews connected right now. */
  webviews(): string[];
  /** The run-time scope of a registered plugin (Tauri's `app.fs_scope()`); CONFIG error for an unknown plugin. */
  scopeOf<Entry = unknown>(plugin: string): RuntimeScope<Entry>;
  /**
   * The app's one path resolver (Tauri's `app.path()`): `BaseDirectory` numbers and `$APPDATA`-style scope variables
   * resolved with the app's identifier and the platform's rules. Plugins resolve `baseDir` arguments with it.
   */
  readonly path: PathResolver;
  /** Closes every page and then the app, as a page's `exit()` does (Tauri's `app.exit(code)`). */
  exit(code: number): void;
  /** True once `close()` ran. */
  readonly closed: boolean;
  /** The asset protocol's scope (Tauri's `asset_protocol_scope()`), to widen at run time; undefined when disabled. */
  assetProtocolScope(): FsScope | undefined;
  /**
   * Opens a webview window (Tauri's `WebviewWindowBuilder`); a label in use is refused. Resolves once the window
   * host took it, with its one-time URL (logged when no window host runs, as `airlock run --no-window` prints it).
   */
  createWebviewWindow(label: string, options?: WebviewWindowOptions): Promise<CreatedWindow>;
}

/** `app.stats`: counters for tests and the inspector. */
export interface AppStats {
  readonly webviews: number;
  /** Calls in flight, including calls still settling for pages that have gone. */
  readonly pending: number;
  readonly pageListeners: number;
  readonly nodeListeners: number;
  readonly channels: number;
  readonly droppedEvents: number;
}

/** What the app's owner holds (`Builder.build()`'s result, exported as `App`): the public face, plus running it. */
export interface RunningApp extends AppHandle {
  /** Serves the app on 127.0.0.1. */
  serve(options?: ServeOptions): Promise<Server>;
  /** Disconnects every page and stops every server; the process can exit afterwards. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
  /** Counters for tests and the inspector; `pending` includes calls still settling for pages that have gone. */
  readonly stats: AppStats;
  /** Plugin listeners pages registered with `addPluginListener`. */
  readonly pluginListenerCount: number;
  /** Registers what happens when a page asks to close its window (the app runner opens/closes real windows). */
  onCloseRequested(handler: (label: string) => void): () => void;
  /** Registers who opens windows created at run time (the window host); without one, their URL is logged. */
  onWindowRequested(handler: (request: WindowRequest) => void | Promise<void>): () => void;
  /** Registers the window host that drives real windows (size, position, maximize, minimize, fullscreen, focus). */
  driveWindows(driver: WindowDriver): () => void;
  /** Observes every settled call (the CLI's call log). Costs nothing while no observer is registered. */
  observeCalls(observer: CallObserver): () => void;
  /** Observes all traffic: calls, refusals, events, channel messages, pages coming and going (the inspector). */
  trace(observer: TraceObserver): () => void;
}
