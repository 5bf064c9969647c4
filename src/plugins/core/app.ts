/** `plugin:app|…`: what `@tauri-apps/api/app` asks of the app. */
import { callInternals } from '../../core/internal.js';
import { PluginBuilder } from '../../core/plugin.js';
import { bool, i32, record, string } from './args.js';

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
    // Data stores (WKWebView's) exist only on Apple platforms: Tauri elsewhere lists none and removes nothing.
    fetch_data_store_identifiers: () => [],
    remove_data_store: () => null,
    // The dock exists only on macOS; elsewhere Tauri does nothing.
    set_dock_visibility: (raw: unknown) => {
      bool(record(raw, 'set_dock_visibility', 'visible'), 'visible', 'set_dock_visibility');
      return null;
    },
    set_app_theme: (raw: unknown, ctx) => {
      const theme = record(raw, 'set_app_theme', 'theme')['theme'];
      if (theme !== null && theme !== undefined) string({ theme }, 'theme', 'set_app_theme');
      callInternals(ctx).host.warnOnce(
        'app|set_app_theme',
        "app: `set_app_theme` has no effect here: a page cannot change its window's theme (the system's prefers-color-scheme applies); resolved as a no-op, warned once",
      );
      return null;
    },
    exit: (raw: unknown, ctx) => {
      const code = i32(record(raw, 'exit', 'code'), 'code', 'exit');
      // Answer first: the page's promise settles before its socket closes.
      setImmediate(() => callInternals(ctx).host.exit(code));
      return null;
    },
  })
  .build();
