/**
 * `plugin:webview|…`: every command of `@tauri-apps/api/webview` and `webviewWindow`. Each window holds one webview
 * (the page), so a webview's size is its window's inner size and its position is 0,0. New webview windows open
 * through the window host (`app.createWebviewWindow`); child webviews inside a window are refused (iframes get no
 * IPC by design). Setters a page cannot honour resolve as no-ops with one warning each.
 */
import type { InvokeContext } from '../../core/commands.js';
import { callInternals, type CoreHost } from '../../core/internal.js';
import { PluginBuilder } from '../../core/plugin.js';
import { innerSize } from '../../core/window-state.js';
import { type Args, f64, failed, invalid, labelOr, record, required, unsupported } from './args.js';

export const WEBVIEW_NOT_FOUND = 'webview not found';

type Ctx = InvokeContext<unknown>;

/** The webview a command targets and the window it is in; `webview not found` for an unknown label. */
function target(raw: unknown, ctx: Ctx, command: string): { window: string; host: CoreHost; args: Args } {
  const args = record(raw, command, 'label');
  const label = labelOr(args, ctx.webview, command);
  const { host } = callInternals(ctx);
  const window = host.windowOfWebview(label) ?? (host.windowExists(label) ? label : undefined);
  if (window === undefined) throw failed(WEBVIEW_NOT_FOUND);
  return { window, host, args };
}

const NO_OP: Readonly<Record<string, string>> = {
  set_webview_size: "a window's one webview always fills it (resize the window instead)",
  set_webview_position: "a window's one webview always sits at 0,0",
  set_webview_auto_resize: "a window's one webview always follows the window's size",
  set_webview_background_color: "the webview's background is the page's own (set it in CSS)",
  webview_hide: 'a page cannot hide itself in its window',
  webview_show: 'a page cannot hide itself in its window, so there is nothing to show',
  clear_all_browsing_data: "a page cannot clear its browser profile's data (cookies, caches, storage)",
};

const noOp =
  (command: string, why: string) =>
  (raw: unknown, ctx: Ctx): null => {
    const { host } = target(raw, ctx, command);
    host.warnOnce(`webview|${command}`, `webview: \`${command}\` has no effect here: ${why} (resolved as a no-op; warned once)`);
    return null;
  };

export const webviewPlugin = new PluginBuilder('webview')
  .invokeHandler({
    get_all_webviews: (_args: unknown, ctx) => callInternals(ctx).host.webviewList(),
    webview_position: (raw: unknown, ctx) => {
      target(raw, ctx, 'webview_position');
      return { x: 0, y: 0 };
    },
    webview_size: (raw: unknown, ctx) => {
      const { window, host } = target(raw, ctx, 'webview_size');
      const r = host.windowReport(window);
      if (r !== undefined) return innerSize(r);
      const c = host.windowConfig(window);
      return { width: c?.width ?? 800, height: c?.height ?? 600 };
    },
    create_webview_window: async (raw: unknown, ctx) => {
      const args = record(raw, 'create_webview_window', 'options');
      const options = required(args, 'options', 'create_webview_window');
      if (typeof options !== 'object' || options === null || Array.isArray(options))
        throw invalid('create_webview_window', 'options', 'invalid type, expected a map of window options');
      const label = (options as Record<string, unknown>)['label'];
      if (typeof label !== 'string') throw invalid('create_webview_window', 'options', 'missing field `label`');
      await callInternals(ctx).host.createWebviewWindow(label, options as Record<string, unknown>);
      return null;
    },
    create_webview: () => {
      throw unsupported(
        'create_webview',
        'a child webview inside a window cannot be made in a browser (frames get no IPC); open a WebviewWindow instead',
      );
    },
    reparent: () => {
      throw unsupported('reparent', 'each window holds exactly one webview, so a webview cannot move to another window');
    },
    webview_close: (raw: unknown, ctx) => {
      const { window, host } = target(raw, ctx, 'webview_close');
      host.requestClose(window, false);
      return null;
    },
    set_webview_focus: async (raw: unknown, ctx) => {
      const { window, host } = target(raw, ctx, 'set_webview_focus');
      await host.windowOp(window, { op: 'focus' });
      return null;
    },
    set_webview_zoom: async (raw: unknown, ctx) => {
      const { window, host, args } = target(raw, ctx, 'set_webview_zoom');
      const value = f64(args, 'value', 'set_webview_zoom');
      if (value <= 0) throw invalid('set_webview_zoom', 'value', `invalid value: ${value}, expected a zoom factor above 0`);
      await host.windowOp(window, { op: 'zoom', value });
      return null;
    },
    ...Object.fromEntries(Object.entries(NO_OP).map(([command, why]) => [command, noOp(command, why)])),
  })
  .build();
