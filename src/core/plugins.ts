/**
 * The core plugins the official `@tauri-apps/api` calls (`plugin:<name>|<command>`): `event` in full, and the
 * read-only parts of `app` and `window` that make sense for a page served by a Node core.
 */
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import type { Connection } from './connection.js';
import { assertEventName, type EventTarget, parseTarget } from './targets.js';

/** What plugin commands may use of the app. */
export interface PluginHost {
  readonly config: { readonly productName: string; readonly version: string; readonly identifier: string };
  emitFrom(source: Connection, target: EventTarget, event: string, payload: unknown): void;
  windowTitle(label: string): string;
  /** `ask`: Tauri's `close()`, which a page may veto; otherwise `destroy()`. */
  requestClose(label: string, ask: boolean): void;
  windowLabels(): string[];
}

export type PluginCommand = (host: PluginHost, conn: Connection, args: Record<string, unknown>, name: string) => unknown;

const TAURI_VERSION = '2.11.1';

function record(args: unknown, command: string): Record<string, unknown> {
  if (typeof args !== 'object' || args === null || Array.isArray(args) || args instanceof Uint8Array) {
    throw new AirlockError(
      ErrorCode.INVALID_ARGS,
      `command ${command} expected a value for key args but the IPC call used a bytes payload`,
    );
  }
  return args as Record<string, unknown>;
}

function required(args: Record<string, unknown>, key: string, command: string): unknown {
  const v = args[key];
  if (v === undefined)
    throw new AirlockError(ErrorCode.INVALID_ARGS, `command ${command} missing required key ${key}`, { data: { field: key } });
  return v;
}

function u32(args: Record<string, unknown>, key: string, command: string): number {
  const v = required(args, key, command);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
    throw new AirlockError(ErrorCode.INVALID_ARGS, `invalid args \`${key}\` for command \`${command}\`: expected u32`, {
      data: { field: key },
    });
  }
  return v;
}

function eventName(args: Record<string, unknown>, command: string): string {
  const v = required(args, 'event', command);
  assertEventName(v, command);
  return v;
}

const eventPlugin: Record<string, PluginCommand> = {
  listen: (_host, conn, args) => {
    const event = eventName(args, 'listen');
    const target = parseTarget(args['target'] ?? { kind: 'Any' }, 'listen');
    return conn.addListener(event, target, u32(args, 'handler', 'listen'));
  },
  unlisten: (_host, conn, args) => {
    conn.removeListener(eventName(args, 'unlisten'), u32(args, 'eventId', 'unlisten'));
    return null;
  },
  emit: (host, conn, args) => {
    conn.takeEmit();
    host.emitFrom(conn, { kind: 'Any' }, eventName(args, 'emit'), args['payload']);
    return null;
  },
  emit_to: (host, conn, args) => {
    const target = parseTarget(required(args, 'target', 'emit_to'), 'emit_to');
    conn.takeEmit();
    host.emitFrom(conn, target, eventName(args, 'emit_to'), args['payload']);
    return null;
  },
};

const appPlugin: Record<string, PluginCommand> = {
  version: (host) => host.config.version,
  name: (host) => host.config.productName,
  identifier: (host) => host.config.identifier,
  tauri_version: () => TAURI_VERSION,
  app_show: () => null,
  app_hide: () => null,
  default_window_icon: () => null,
  supports_multiple_windows: () => true,
  bundle_type: () => null,
};

function windowLabel(conn: Connection, args: Record<string, unknown>): string {
  const label = args['label'];
  return typeof label === 'string' ? label : conn.window;
}

const windowPlugin: Record<string, PluginCommand> = {
  get_all_windows: (host) => host.windowLabels(),
  title: (host, conn, args) => host.windowTitle(windowLabel(conn, args)),
  close: (host, conn, args) => {
    host.requestClose(windowLabel(conn, args), true);
    return null;
  },
  destroy: (host, conn, args) => {
    host.requestClose(windowLabel(conn, args), false);
    return null;
  },
  is_visible: () => true,
  is_focused: () => true,
  is_maximized: () => false,
  is_minimized: () => false,
  is_fullscreen: () => false,
  is_decorated: () => true,
  is_resizable: () => true,
  scale_factor: () => 1,
};

export const CORE_PLUGINS: ReadonlyMap<string, Readonly<Record<string, PluginCommand>>> = new Map([
  ['event', eventPlugin],
  ['app', appPlugin],
  ['window', windowPlugin],
]);

/** Runs `plugin:<name>|<command>`; unknown ones reject with Tauri's `Command <command> not found`. */
export function runPluginCommand(host: PluginHost, conn: Connection, plugin: string, command: string, args: unknown): unknown {
  const table = CORE_PLUGINS.get(plugin);
  const fn = table !== undefined && Object.hasOwn(table, command) ? table[command] : undefined;
  if (fn === undefined) {
    throw new AirlockError(ErrorCode.COMMAND_NOT_FOUND, `Command ${command} not found`, { data: { plugin } });
  }
  return fn(host, conn, record(args ?? {}, command), command);
}
