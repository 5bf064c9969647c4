/**
 * `plugin:window|…`: every command of `@tauri-apps/api/window`. Getters answer from what the window's page reports
 * of itself (sizes, positions, scale factor, focus, theme, title, its screen — src/core/window-state.ts), or from
 * the window's configuration before any report. Setters a page can carry out on its own window (title, size,
 * position, center, focus, a best-effort maximize, cursor icon/visibility, fullscreen while the user's gesture
 * lasts) are sent to it; the rest resolve as no-ops, as Tauri's do on platforms that lack them, with one warning per
 * setter in the log. Calls whose result cannot be had (a window without a webview, mobile-only names, the cursor
 * before it was ever over the page) reject with `unsupported: …`. An unknown label rejects `window not found`.
 */
import type { InvokeContext } from '../../core/commands.js';
import { callInternals, type CoreHost } from '../../core/internal.js';
import { PluginBuilder } from '../../core/plugin.js';
import {
  cursorPosition,
  innerPosition,
  innerSize,
  isMaximized,
  isMinimized,
  type Monitor,
  monitor,
  monitorContains,
  outerPosition,
  outerSize,
} from '../../core/window-state.js';
import type { WindowReport } from '../../protocol/frames.js';
import { type Args, bool, f64, failed, invalid, labelOr, record, required, string, typeName, unsupported } from './args.js';

export const WINDOW_NOT_FOUND = 'window not found';

type Ctx = InvokeContext<unknown>;

/** The target window's label (the caller's when absent); `window not found` when no such window exists. */
function target(raw: unknown, ctx: Ctx, command: string): { label: string; host: CoreHost; args: Args } {
  const args = record(raw, command, 'label');
  const label = labelOr(args, ctx.window, command);
  const { host } = callInternals(ctx);
  if (!host.windowExists(label)) throw failed(WINDOW_NOT_FOUND);
  return { label, host, args };
}

/** The window's latest report, or one made from its configuration (size, title) before its page reported. */
function reportOf(host: CoreHost, label: string): WindowReport {
  const r = host.windowReport(label);
  if (r !== undefined) return r;
  const c = host.windowConfig(label);
  const width = c?.width ?? 800;
  const height = c?.height ?? 600;
  return {
    iw: width,
    ih: height,
    ow: width,
    oh: height,
    x: 0,
    y: 0,
    sf: 1,
    f: false,
    h: false,
    fs: false,
    th: 'light',
    ti: c?.title ?? label,
    sc: [0, 0, 0, 0, 0, 0, 0, 0],
  };
}

function stateOr(host: CoreHost, label: string, state: 'fullscreen' | 'minimized' | 'maximized', fallback: boolean): boolean {
  const hosted = host.hostWindowState(label);
  return hosted === undefined ? fallback : hosted === state;
}

const getter =
  (command: string, read: (r: WindowReport, label: string, host: CoreHost) => unknown) =>
  (raw: unknown, ctx: Ctx): unknown => {
    const { label, host } = target(raw, ctx, command);
    return read(reportOf(host, label), label, host);
  };

const constant =
  (command: string, value: unknown) =>
  (raw: unknown, ctx: Ctx): unknown => {
    target(raw, ctx, command);
    return value;
  };

/** What each setter a Chromium window cannot honour would need. */
const NO_OP: Readonly<Record<string, string>> = {
  set_always_on_top: 'a page cannot keep its window above others',
  set_always_on_bottom: 'a page cannot keep its window below others',
  set_background_color: "the window's background is the page's own (set it in CSS)",
  set_badge_count: 'there is no app badge for a browser window',
  set_badge_label: 'there is no app badge for a browser window',
  set_closable: "a browser window's close button cannot be disabled",
  set_content_protected: 'a browser window cannot be hidden from screen capture',
  set_cursor_grab: 'the cursor cannot be confined without a user gesture (Pointer Lock)',
  set_cursor_position: 'a page cannot move the cursor',
  set_decorations: "a browser window's frame cannot be removed",
  set_effects: 'window effects (blur, vibrancy) do not exist for a browser window',
  set_enabled: 'a browser window cannot be disabled',
  set_focusable: 'a browser window is always focusable',
  set_fullscreen_on_monitor: 'a page cannot choose the monitor it goes fullscreen on',
  set_icon: "a browser window's icon is the app's, not the page's",
  set_ignore_cursor_events: 'a browser window always receives the cursor',
  set_max_size: "a browser window's size cannot be constrained",
  set_min_size: "a browser window's size cannot be constrained",
  set_size_constraints: "a browser window's size cannot be constrained",
  set_maximizable: "a browser window's maximize button cannot be disabled",
  set_minimizable: "a browser window's minimize button cannot be disabled",
  set_overlay_icon: 'there is no taskbar overlay icon for a browser window',
  set_progress_bar: 'there is no taskbar progress bar for a browser window',
  set_resizable: 'a browser window is always resizable',
  set_shadow: "a browser window's shadow belongs to the window manager",
  set_simple_fullscreen: 'simple fullscreen exists only on macOS',
  set_skip_taskbar: 'a browser window is always in the taskbar',
  set_theme: "a page cannot change its window's theme (the system's prefers-color-scheme applies)",
  set_title_bar_style: 'title bar styles exist only on macOS',
  set_visible_on_all_workspaces: 'a page cannot pin its window to every workspace',
  request_user_attention: 'a page cannot flash its window',
  start_dragging: 'a page cannot start moving its window',
  start_resize_dragging: 'a page cannot start resizing its window',
};

/** Setters only a window host can carry out: real where one drives the window, otherwise no-ops with a warning. */
const HOST_ONLY: Readonly<Record<string, [op: 'minimize' | 'unminimize' | 'show' | 'hide', why: string]>> = {
  minimize: ['minimize', 'a page cannot minimize its window (no window host drives it)'],
  unminimize: ['unminimize', 'a page cannot restore a minimized window (no window host drives it)'],
  show: ['show', 'a page cannot show a hidden window (no window host drives it)'],
  hide: ['hide', 'a page cannot hide its window (no window host drives it)'],
};

const hostOnly =
  (command: string, op: 'minimize' | 'unminimize' | 'show' | 'hide', why: string) =>
  async (raw: unknown, ctx: Ctx): Promise<null> => {
    const { label, host } = target(raw, ctx, command);
    if (host.windowDriven(label)) await host.windowOp(label, { op });
    else host.warnOnce(`window|${command}`, `window: \`${command}\` has no effect here: ${why} (resolved as a no-op; warned once)`);
    return null;
  };

const noOp =
  (command: string, why: string) =>
  (raw: unknown, ctx: Ctx): null => {
    const { host } = target(raw, ctx, command);
    host.warnOnce(`window|${command}`, `window: \`${command}\` has no effect here: ${why} (resolved as a no-op; warned once)`);
    return null;
  };

/** `{ Logical: {…} }` or `{ Physical: {…} }` (dpi.js `Size`/`Position`) in CSS pixels for the page. */
function logical(value: unknown, keys: readonly [string, string], sf: number, command: string): Record<string, number> {
  const v = value as Record<string, unknown> | null;
  const inner = (v?.['Logical'] ?? v?.['Physical']) as Record<string, unknown> | undefined;
  const physical = v?.['Logical'] === undefined;
  const out: Record<string, number> = {};
  for (const k of keys) {
    const n = inner?.[k];
    if (typeof n !== 'number' || !Number.isFinite(n))
      throw invalid(command, 'value', `invalid type: ${typeName(value)}, expected a Logical or Physical ${keys.join('/')} value`);
    out[k] = physical ? n / sf : n;
  }
  return out;
}

/** `CursorIcon` (Tauri's camelCase names) → CSS `cursor`. */
function cssCursor(icon: string): string {
  if (icon === 'hand') return 'pointer';
  if (icon === 'arrow') return 'default';
  return icon.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Every monitor some window's page has seen, without duplicates. */
function monitors(host: CoreHost): Monitor[] {
  const seen = new Map<string, Monitor>();
  for (const label of host.windowLabels()) {
    const r = host.windowReport(label);
    if (r === undefined) continue;
    const m = monitor(r);
    seen.set(`${m.position.x},${m.position.y},${m.size.width},${m.size.height}`, m);
  }
  return [...seen.values()];
}

const act =
  (command: string, op: 'center' | 'focus' | 'maximize' | 'unmaximize' | 'toggle_maximize') =>
  async (raw: unknown, ctx: Ctx): Promise<null> => {
    const { label, host } = target(raw, ctx, command);
    await host.windowOp(label, { op });
    return null;
  };

export const windowPlugin = new PluginBuilder('window')
  .invokeHandler({
    get_all_windows: (_args: unknown, ctx) => callInternals(ctx).host.windowLabels(),
    create: () => {
      throw unsupported(
        'create',
        'a window without a webview cannot be opened in a browser; use `new WebviewWindow(label, options)` (plugin:webview|create_webview_window)',
      );
    },

    // ── getters ──
    title: getter('title', (_r, label, host) => host.windowTitle(label)),
    scale_factor: getter('scale_factor', (r) => r.sf),
    inner_size: getter('inner_size', innerSize),
    outer_size: getter('outer_size', outerSize),
    inner_position: getter('inner_position', innerPosition),
    outer_position: getter('outer_position', outerPosition),
    // Where a window host drives the window, its state is the host's; otherwise what the page can tell.
    is_fullscreen: getter('is_fullscreen', (r, label, host) => stateOr(host, label, 'fullscreen', r.fs)),
    is_minimized: getter('is_minimized', (r, label, host) => stateOr(host, label, 'minimized', isMinimized(r))),
    is_maximized: getter('is_maximized', (r, label, host) => stateOr(host, label, 'maximized', r.sc[6] > 0 && isMaximized(r))),
    is_focused: getter('is_focused', (r) => r.f),
    // Hidden ≈ minimized where a host drives the window (a browser window cannot be unmapped); otherwise whether
    // the page is shown (`document.visibilityState`: a minimized window or a covered tab hides it).
    is_visible: getter('is_visible', (r, label, host) => {
      const hosted = host.hostWindowState(label);
      return hosted === undefined ? !r.h : hosted !== 'minimized';
    }),
    theme: getter('theme', (r, label, host) => (host.windowReport(label) === undefined ? null : r.th)),
    // A browser window always has its frame, buttons and input, and no page can hide it or pin it on top.
    is_decorated: constant('is_decorated', true),
    is_resizable: constant('is_resizable', true),
    is_maximizable: constant('is_maximizable', true),
    is_minimizable: constant('is_minimizable', true),
    is_closable: constant('is_closable', true),
    is_enabled: constant('is_enabled', true),
    is_always_on_top: constant('is_always_on_top', false),
    current_monitor: getter('current_monitor', (_r, label, host) => {
      const r = host.windowReport(label);
      return r === undefined ? null : monitor(r);
    }),
    primary_monitor: (_raw: unknown, ctx) => {
      // The primary monitor is the one at the desktop's origin; null when no page has seen it.
      return monitors(callInternals(ctx).host).find((m) => m.position.x === 0 && m.position.y === 0) ?? null;
    },
    available_monitors: (_raw: unknown, ctx) => monitors(callInternals(ctx).host),
    monitor_from_point: (raw: unknown, ctx) => {
      const a = record(raw, 'monitor_from_point', 'x');
      const x = f64(a, 'x', 'monitor_from_point');
      const y = f64(a, 'y', 'monitor_from_point');
      return monitors(callInternals(ctx).host).find((m) => monitorContains(m, x, y)) ?? null;
    },
    cursor_position: (_raw: unknown, ctx) => {
      const r = callInternals(ctx).host.windowReport(ctx.window);
      const p = r === undefined ? undefined : cursorPosition(r);
      if (p === undefined)
        throw unsupported('cursor_position', 'a browser window sees the cursor only while it is over the page, and it has not been yet');
      return p;
    },
    activity_name: () => {
      throw unsupported('activity_name', 'activities exist only on Android');
    },
    scene_identifier: () => {
      throw unsupported('scene_identifier', 'scenes exist only on iOS');
    },

    // ── close ──
    close: (raw: unknown, ctx) => {
      const { label, host } = target(raw, ctx, 'close');
      host.requestClose(label, true);
      return null;
    },
    destroy: (raw: unknown, ctx) => {
      const { label, host } = target(raw, ctx, 'destroy');
      host.requestClose(label, false);
      return null;
    },

    // ── setters the page carries out ──
    set_title: async (raw: unknown, ctx) => {
      const { label, host, args } = target(raw, ctx, 'set_title');
      await host.windowOp(label, { op: 'title', value: string(args, 'value', 'set_title') });
      return null;
    },
    set_size: async (raw: unknown, ctx) => {
      const { label, host, args } = target(raw, ctx, 'set_size');
      const v = logical(required(args, 'value', 'set_size'), ['width', 'height'], reportOf(host, label).sf, 'set_size');
      await host.windowOp(label, { op: 'size', value: { width: v['width'] as number, height: v['height'] as number } });
      return null;
    },
    set_position: async (raw: unknown, ctx) => {
      const { label, host, args } = target(raw, ctx, 'set_position');
      const v = logical(required(args, 'value', 'set_position'), ['x', 'y'], reportOf(host, label).sf, 'set_position');
      await host.windowOp(label, { op: 'position', value: { x: v['x'] as number, y: v['y'] as number } });
      return null;
    },
    set_fullscreen: async (raw: unknown, ctx) => {
      const { label, host, args } = target(raw, ctx, 'set_fullscreen');
      const value = bool(args, 'value', 'set_fullscreen');
      if (!host.windowDriven(label))
        host.warnOnce(
          'window|set_fullscreen',
          'window: `set_fullscreen` works only shortly after a click or key press in the page (the browser requires a user gesture); warned once',
        );
      await host.windowOp(label, { op: 'fullscreen', value });
      return null;
    },
    set_cursor_icon: async (raw: unknown, ctx) => {
      const { label, host, args } = target(raw, ctx, 'set_cursor_icon');
      await host.windowOp(label, { op: 'cursor', value: cssCursor(string(args, 'value', 'set_cursor_icon')) });
      return null;
    },
    set_cursor_visible: async (raw: unknown, ctx) => {
      const { label, host, args } = target(raw, ctx, 'set_cursor_visible');
      await host.windowOp(label, { op: 'cursor', value: bool(args, 'value', 'set_cursor_visible') ? '' : 'none' });
      return null;
    },
    center: act('center', 'center'),
    set_focus: act('set_focus', 'focus'),
    maximize: act('maximize', 'maximize'),
    unmaximize: act('unmaximize', 'unmaximize'),
    toggle_maximize: act('toggle_maximize', 'toggle_maximize'),
    internal_toggle_maximize: act('internal_toggle_maximize', 'toggle_maximize'),

    // ── setters a Chromium window cannot honour: no-ops, one warning each ──
    ...Object.fromEntries(Object.entries(NO_OP).map(([command, why]) => [command, noOp(command, why)])),
    ...Object.fromEntries(Object.entries(HOST_ONLY).map(([command, [op, why]]) => [command, hostOnly(command, op, why)])),
  })
  .build();
