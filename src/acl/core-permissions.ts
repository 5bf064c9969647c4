/**
 * The built-in `core:*` permissions. Tauri generates them at build time from one table of
 * (command, in-default) pairs per core plugin: `allow-<cmd>` / `deny-<cmd>` for every command, and a `default` set of
 * the commands marked true. `core:default` is the set of every `core:<plugin>:default`.
 *
 * The command lists mirror Tauri 2.12's (as `@tauri-apps/api` 2.12.5 documents them), including commands Airlock does not implement, so that an existing project's
 * capability naming e.g. `core:window:allow-start-dragging` resolves instead of failing start-up (the command itself
 * then answers `Command start_dragging not found`).
 */
import { commandSlug } from './identifier.js';
import type { Manifest, Permission, PermissionSet } from './model.js';

const SOURCE = 'built-in core permissions';

/** [command, in `default`] */
type Table = readonly (readonly [string, boolean])[];

const on = (names: string): Table => names.split(' ').map((n) => [n, true] as const);
const off = (names: string): Table => names.split(' ').map((n) => [n, false] as const);

const TABLES: Readonly<Record<string, Table>> = {
  path: on('resolve_directory resolve normalize join dirname extname basename is_absolute'),
  event: on('listen unlisten emit emit_to'),
  window: [
    ...off('create'),
    ...on(
      'get_all_windows scale_factor inner_position outer_position inner_size outer_size is_fullscreen is_minimized ' +
        'is_maximized is_focused is_decorated is_resizable is_maximizable is_minimizable is_closable is_visible ' +
        'is_enabled title current_monitor primary_monitor monitor_from_point available_monitors cursor_position theme ' +
        'is_always_on_top activity_name scene_identifier',
    ),
    ...off(
      'center request_user_attention set_enabled set_resizable set_maximizable set_minimizable set_closable ' +
        'set_title maximize unmaximize minimize unminimize show hide close destroy set_decorations set_shadow ' +
        'set_effects set_always_on_top set_always_on_bottom set_visible_on_all_workspaces set_content_protected ' +
        'set_size set_min_size set_size_constraints set_max_size set_position set_fullscreen set_focus ' +
        'set_skip_taskbar set_cursor_grab set_cursor_visible set_cursor_icon set_cursor_position ' +
        'set_ignore_cursor_events start_dragging start_resize_dragging set_progress_bar set_badge_count ' +
        'set_overlay_icon set_badge_label set_icon set_title_bar_style set_theme toggle_maximize set_background_color ' +
        'set_focusable set_fullscreen_on_monitor set_simple_fullscreen',
    ),
    ...on('internal_toggle_maximize'),
  ],
  webview: [
    ...off('create_webview create_webview_window'),
    ...on('get_all_webviews webview_position webview_size'),
    ...off(
      'webview_close set_webview_size set_webview_position set_webview_focus set_webview_zoom webview_hide ' +
        'webview_show print reparent clear_all_browsing_data set_webview_background_color set_webview_auto_resize',
    ),
    ...on('internal_toggle_devtools'),
  ],
  app: [
    ...on('version name tauri_version identifier supports_multiple_windows bundle_type register_listener remove_listener'),
    ...off('default_window_icon app_show app_hide fetch_data_store_identifiers remove_data_store set_app_theme exit set_dock_visibility'),
  ],
  image: on('new from_bytes from_path rgba size'),
  resources: on('close'),
  menu: on(
    'new append prepend insert remove remove_at items get popup create_default set_as_app_menu set_as_window_menu ' +
      'text set_text is_enabled set_enabled set_accelerator set_as_windows_menu_for_nsapp set_as_help_menu_for_nsapp ' +
      'is_checked set_checked set_icon',
  ),
  tray: on(
    'new get_by_id remove_by_id set_icon set_menu set_tooltip set_title set_visible set_temp_dir_path ' +
      'set_icon_as_template set_show_menu_on_left_click set_icon_with_as_template',
  ),
};

/** The core plugins, in Tauri's order (which is the order of `core:default`). */
export const CORE_PLUGINS: readonly string[] = ['path', 'event', 'window', 'webview', 'app', 'image', 'resources', 'menu', 'tray'];

function set(identifier: string, description: string, permissions: readonly string[]): PermissionSet {
  return { identifier, description, permissions, source: SOURCE };
}

function pluginManifest(plugin: string, table: Table): Manifest {
  const key = `core:${plugin}`;
  const permissions = new Map<string, Permission>();
  // Tauri writes these as real permission files, so (unlike on-demand app ones) they show in denial messages.
  for (const [command] of table) {
    for (const kind of ['allow', 'deny'] as const) {
      const identifier = `${kind}-${commandSlug(command)}`;
      permissions.set(identifier, {
        identifier,
        description: `${kind === 'allow' ? 'Enables' : 'Denies'} the ${command} command without any pre-configured scope.`,
        commands: kind === 'allow' ? { allow: [command], deny: [] } : { allow: [], deny: [command] },
        scope: {},
        platforms: undefined,
        source: SOURCE,
      });
    }
  }
  const defaults = table.filter(([, inDefault]) => inDefault).map(([command]) => `allow-${commandSlug(command)}`);
  return { key, default: set('default', `Default permissions for ${key}.`, defaults), permissions, sets: new Map(), commands: [] };
}

/** Builds the `core` manifest (holding `core:default`) and one `core:<plugin>` manifest per core plugin. */
export function coreManifests(): Map<string, Manifest> {
  const manifests = new Map<string, Manifest>();
  for (const plugin of CORE_PLUGINS) manifests.set(`core:${plugin}`, pluginManifest(plugin, TABLES[plugin] ?? []));
  const all = CORE_PLUGINS.map((p) => `core:${p}:default`);
  manifests.set('core', {
    key: 'core',
    default: set('default', 'Default core plugins set.', all),
    permissions: new Map(),
    sets: new Map(),
    commands: [],
  });
  return manifests;
}
