/**
 * What only the core's own plugins (src/plugins/core) may use: the calling page's connection (to register its
 * event listeners and count its emits), the window host, and the sessions that bind pages to labels. Handlers get
 * it from their `ctx` through `callInternals(ctx)`, which answers only for the core's own commands; nothing here is
 * reachable from `ctx.app`, and test/unit/architecture.test.ts keeps every other folder from importing this file.
 *
 * Issues that add core commands (windows, webviews, menus …) extend `CoreHost` here.
 */
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import type { WindowOp, WindowReport } from '../protocol/frames.js';
import type { InvokeContext } from './commands.js';
import type { WindowConfig } from './config.js';
import type { Connection } from './connection.js';
import type { ResourceTable } from './resources.js';
import type { SessionStore } from './sessions.js';
import type { EventTarget } from './targets.js';

/** The window host: what the core knows of windows and webviews, and how it asks them to close. */
export interface WindowHost {
  /** Labels of the configured windows and of every window with a page connected. */
  windowLabels(): string[];
  /** `{ label, windowLabel }` of every connected webview. */
  webviewList(): { label: string; windowLabel: string }[];
  windowTitle(label: string): string;
  /** `ask`: Tauri's `close()`, which a page may veto; otherwise `destroy()`. */
  requestClose(label: string, ask: boolean): void;
  /** Ends the app (`plugin:app|exit`): every page is closed, then the app. */
  exit(code: number): void;
  /** Whether a window of that label exists (configured, created or connected). */
  windowExists(label: string): boolean;
  /** The configured (or created) window of that label. */
  windowConfig(label: string): WindowConfig | undefined;
  /** The window a webview belongs to, when that webview is connected. */
  windowOfWebview(label: string): string | undefined;
  /** What the page of window `label` last reported of it; undefined until one has. */
  windowReport(label: string): WindowReport | undefined;
  /** Asks the pages of window `label` to act on it; resolves once one reported after acting (or soon after). */
  windowOp(label: string, op: WindowOp): Promise<void>;
  /** Opens a webview window (`plugin:webview|create_webview_window`), as `app.createWebviewWindow` does. */
  createWebviewWindow(label: string, options: Readonly<Record<string, unknown>>): Promise<unknown>;
  /** Whether a window host drives that window (then minimize, show, hide … are real). */
  windowDriven(label: string): boolean;
  /** The state the window host last saw the window in, when one drives it. */
  hostWindowState(label: string): 'normal' | 'maximized' | 'minimized' | 'fullscreen' | undefined;
  /** Logs a warning once per `key` (setters a Chromium window cannot honour warn on first use only). */
  warnOnce(key: string, message: string): void;
}

export interface CoreHost extends WindowHost {
  /** Emits an event from a page (its label is the event's source). */
  emitFrom(source: Connection, target: EventTarget, event: string, payload: unknown): void;
  /** The resource tables `plugin:resources|close` searches, in Tauri's order: webview, window, app. */
  resourceTables(conn: Connection): readonly ResourceTable[];
  /** Tickets and resume tokens binding pages to labels (for commands that open webviews). */
  readonly sessions: SessionStore;
}

export interface CallInternals {
  /** The page that made the call. */
  readonly connection: Connection;
  readonly host: CoreHost;
}

const calls = new WeakMap<object, CallInternals>();

/** @internal Called by the pipeline for the core's own commands. */
export function bindCall(ctx: InvokeContext<unknown>, internals: CallInternals): void {
  calls.set(ctx, internals);
}

/** The connection and host behind a call to one of the core's own commands. */
export function callInternals(ctx: InvokeContext<unknown>): CallInternals {
  const found = calls.get(ctx);
  if (found === undefined) throw new AirlockError(ErrorCode.INTERNAL, `command \`${ctx.command}\` is not one of the core's own`);
  return found;
}
