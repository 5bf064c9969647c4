/**
 * `plugin:window|…`: the window commands a page served by a Node core can answer. The window host (the CLI's app
 * windows, or pages only) is reached through core/internal.ts; the getters answer for a browser window that the
 * core cannot inspect yet.
 */
import { callInternals } from '../../core/internal.js';
import { PluginBuilder } from '../../core/plugin.js';
import { labelOr, record } from './args.js';

const label = (raw: unknown, fallback: string, command: string): string => labelOr(record(raw, command, 'label'), fallback, command);

export const windowPlugin = new PluginBuilder('window')
  .invokeHandler({
    get_all_windows: (_args: unknown, ctx) => callInternals(ctx).host.windowLabels(),
    title: (raw: unknown, ctx) => callInternals(ctx).host.windowTitle(label(raw, ctx.window, 'title')),
    close: (raw: unknown, ctx) => {
      callInternals(ctx).host.requestClose(label(raw, ctx.window, 'close'), true);
      return null;
    },
    destroy: (raw: unknown, ctx) => {
      callInternals(ctx).host.requestClose(label(raw, ctx.window, 'destroy'), false);
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
  })
  .build();
