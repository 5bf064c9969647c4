/** `plugin:app|…`: what `@tauri-apps/api/app` asks of the app. */
import { callInternals } from '../../core/internal.js';
import { PluginBuilder } from '../../core/plugin.js';
import { i32, record } from './args.js';

/** The Tauri version Airlock's IPC follows (`getTauriVersion()`). */
export const TAURI_VERSION = '2.11.1';

export const appPlugin = new PluginBuilder('app')
  .invokeHandler({
    version: (_args: unknown, ctx) => ctx.app.config.version,
    name: (_args: unknown, ctx) => ctx.app.config.productName,
    identifier: (_args: unknown, ctx) => ctx.app.config.identifier,
    tauri_version: () => TAURI_VERSION,
    // Desktop Tauri off macOS: showing and hiding the app are no-ops; there is no bundle and no default icon here.
    app_show: () => null,
    app_hide: () => null,
    default_window_icon: () => null,
    supports_multiple_windows: () => true,
    bundle_type: () => null,
    exit: (raw: unknown, ctx) => {
      const code = i32(record(raw, 'exit', 'code'), 'code', 'exit');
      // Answer first: the page's promise settles before its socket closes.
      setImmediate(() => callInternals(ctx).host.exit(code));
      return null;
    },
  })
  .build();
