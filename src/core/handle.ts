/**
 * The public face of a running app: what a command handler reaches as `ctx.app`, what a plugin's hooks receive,
 * and (with `RunningApp`'s few owner methods) what `Builder.build()` returns. It is a separate object from the
 * core's runtime (`App` in app.ts), so no handler or plugin can reach the runtime's internals — dispatching calls,
 * minting session tickets, attaching pages — even with a cast.
 */
import type { AppConfig } from './config.js';
import type { Event, EventCallback, UnlistenFn } from './events.js';
import type { RuntimeScope } from './plugin.js';
import type { ResourceTable } from './resources.js';
import type { EventTargetLike } from './targets.js';

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
  /** True once `close()` ran. */
  readonly closed: boolean;
}
