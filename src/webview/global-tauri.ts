/**
 * `window.__TAURI__` for apps that set `app.withGlobalTauri` (create-tauri-app's vanilla template and the Rust/WASM
 * frontends read the API from it). Built from the official `@tauri-apps/api` package into its own bundle, which the
 * core appends to the page runtime only when the flag is set. As in Tauri it is a plain, extensible object, so
 * plugins' global scripts can add `window.__TAURI__.<plugin>`.
 */
import * as app from '@tauri-apps/api/app';
import * as core from '@tauri-apps/api/core';
import * as dpi from '@tauri-apps/api/dpi';
import * as event from '@tauri-apps/api/event';
import * as image from '@tauri-apps/api/image';
import * as menu from '@tauri-apps/api/menu';
import * as mocks from '@tauri-apps/api/mocks';
import * as path from '@tauri-apps/api/path';
import * as tray from '@tauri-apps/api/tray';
import * as webview from '@tauri-apps/api/webview';
import * as webviewWindow from '@tauri-apps/api/webviewWindow';
import * as window_ from '@tauri-apps/api/window';

const g = globalThis as unknown as { __TAURI__?: unknown };
if (g.__TAURI__ === undefined) {
  g.__TAURI__ = { app, core, dpi, event, image, menu, mocks, path, tray, webview, webviewWindow, window: window_ };
}
