/**
 * The core's own plugins (`event`, `app`, `window`, `webview`, `resources`), written with the same `PluginBuilder`
 * as every other plugin. Their commands run through the same pipeline as app commands; what only they need (the
 * calling page's connection, the window host) comes from core/internal.ts. Every command `@tauri-apps/api`
 * 2.12.5 sends is answered (docs/api-compatibility.md says how each is).
 */
import type { Plugin } from '../../core/plugin.js';
import { appPlugin } from './app.js';
import { eventPlugin } from './event.js';
import { imagePlugin } from './image.js';
import { menuPlugin, trayPlugin } from './menu.js';
import { pathPlugin } from './path.js';
import { resourcesPlugin } from './resources.js';
import { webviewPlugin } from './webview.js';
import { windowPlugin } from './window.js';

export const CORE_PLUGINS: readonly Plugin[] = [
  pathPlugin,
  eventPlugin,
  windowPlugin,
  webviewPlugin,
  appPlugin,
  imagePlugin,
  resourcesPlugin,
  menuPlugin,
  trayPlugin,
];
