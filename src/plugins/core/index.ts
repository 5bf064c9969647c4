/**
 * The core's own plugins (`event`, `app`, `window`, `webview`, `resources`), written with the same `PluginBuilder`
 * as every other plugin. Their commands run through the same pipeline as app commands; what only they need (the
 * calling page's connection, the window host) comes from core/internal.ts. `path`, `image`, `menu` and `tray` have
 * permissions (src/acl/core-permissions.ts) but no commands yet: calls to them answer `Command <cmd> not found`.
 */
import type { Plugin } from '../../core/plugin.js';
import { appPlugin } from './app.js';
import { eventPlugin } from './event.js';
import { resourcesPlugin } from './resources.js';
import { webviewPlugin } from './webview.js';
import { windowPlugin } from './window.js';

export const CORE_PLUGINS: readonly Plugin[] = [eventPlugin, windowPlugin, webviewPlugin, appPlugin, resourcesPlugin];
