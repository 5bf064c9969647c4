/**
 * `plugin:menu|…` and `plugin:tray|…`: native menus and tray icons. A Chromium app window has no menu bar, no native
 * context menu a page can fill and no tray, so creating one is refused with `unsupported: …` (the caller needs the
 * rid it would return); every command on a menu or tray rid is refused the same way, since no such rid can exist.
 * `TrayIcon.getById` and `removeById` answer as Tauri does when no tray icon has that id.
 */
import { PluginBuilder } from '../../core/plugin.js';
import { record, string, unsupported } from './args.js';

const MENU_COMMANDS = [
  'new',
  'append',
  'prepend',
  'insert',
  'remove',
  'remove_at',
  'items',
  'get',
  'popup',
  'create_default',
  'set_as_app_menu',
  'set_as_window_menu',
  'text',
  'set_text',
  'is_enabled',
  'set_enabled',
  'set_accelerator',
  'set_as_windows_menu_for_nsapp',
  'set_as_help_menu_for_nsapp',
  'is_checked',
  'set_checked',
  'set_icon',
] as const;

const TRAY_RID_COMMANDS = [
  'new',
  'set_icon',
  'set_menu',
  'set_tooltip',
  'set_title',
  'set_visible',
  'set_temp_dir_path',
  'set_icon_as_template',
  'set_icon_with_as_template',
  'set_show_menu_on_left_click',
] as const;

const MENU_WHY =
  'native menus do not exist in a Chromium app window (no menu bar, no native context menu); draw the menu in the page instead';
const TRAY_WHY = 'a Chromium app window cannot put an icon in the system tray';

const refuse = (command: string, why: string) => (): never => {
  throw unsupported(command, why);
};

export const menuPlugin = new PluginBuilder('menu')
  .invokeHandler(Object.fromEntries(MENU_COMMANDS.map((c) => [c, refuse(c, MENU_WHY)])))
  .build();

export const trayPlugin = new PluginBuilder('tray')
  .invokeHandler({
    ...Object.fromEntries(TRAY_RID_COMMANDS.map((c) => [c, refuse(c, TRAY_WHY)])),
    // No tray icon is ever made, so none has this id: Tauri answers null for get, and nothing to remove.
    get_by_id: (raw: unknown) => {
      string(record(raw, 'get_by_id', 'id'), 'id', 'get_by_id');
      return null;
    },
    remove_by_id: (raw: unknown) => {
      string(record(raw, 'remove_by_id', 'id'), 'id', 'remove_by_id');
      return null;
    },
  })
  .build();
