// The rest of @tauri-apps/api in real headless Chromium: window getters answered from the page's own reports
// (sizes × devicePixelRatio, title, theme), setTitle carried out by the page, tauri://resize and
// tauri://theme-changed fired by real viewport and colour-scheme changes, path/image/menu answered, a second window
// opened from the page with `new WebviewWindow`, and a page opened without its one-time URL saying so.
// (Headless Chromium grants focus to every page, so focus is not tested here.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { TEST_PNG_RGBA, testPng } from '../helpers/png.js';
import { until } from '../helpers/wait.js';

let browser: Browser;
let t: TestApp;
let page: Page;

const config = {
  identifier: 'dev.airlock.windowapi',
  app: {
    windows: [{ label: 'main', title: 'Main' }],
    security: {
      capabilities: [
        {
          identifier: 'default',
          windows: ['*'],
          permissions: [
            'core:default',
            'core:window:allow-set-title',
            'core:window:allow-close',
            'core:window:allow-destroy',
            'core:webview:allow-create-webview-window',
          ],
        },
      ],
    },
  },
};

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) => b, { config });
  page = await openPage(browser, t.server.url('main'));
  // The first report follows the hello; wait until the core has it.
  await page.waitForFunction(
    async () => (await window.api.getCurrentWindow().innerSize()).width === Math.round(innerWidth * devicePixelRatio),
  );
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

describe('window api in Chromium', () => {
  test('getters answer what the page sees, in physical pixels', async () => {
    const got = await page.evaluate(async () => {
      const w = window.api.getCurrentWindow();
      const size = await w.innerSize();
      const outer = await w.outerSize();
      return {
        size: [size.width, size.height],
        outer: [outer.width, outer.height],
        expected: [Math.round(innerWidth * devicePixelRatio), Math.round(innerHeight * devicePixelRatio)],
        expectedOuter: [Math.round(outerWidth * devicePixelRatio), Math.round(outerHeight * devicePixelRatio)],
        scale: await w.scaleFactor(),
        dpr: devicePixelRatio,
        theme: await w.theme(),
        light: !matchMedia('(prefers-color-scheme: dark)').matches,
        monitor: (await window.api.window.currentMonitor())?.size.width,
        screen: Math.round(screen.width * devicePixelRatio),
        webviewSize: (await window.api.getCurrentWebview().size()).width,
      };
    });
    assert.deepEqual(got.size, got.expected);
    assert.deepEqual(got.outer, got.expectedOuter);
    assert.equal(got.scale, got.dpr);
    assert.equal(got.theme, got.light ? 'light' : 'dark');
    assert.equal(got.monitor, got.screen);
    assert.equal(got.webviewSize, got.expected[0]);
  });

  test('setTitle is carried out by the page and read back by title()', async () => {
    const got = await page.evaluate(async () => {
      const w = window.api.getCurrentWindow();
      await w.setTitle('Renamed by the API');
      return { title: await w.title(), document: document.title };
    });
    assert.deepEqual(got, { title: 'Renamed by the API', document: 'Renamed by the API' });
  });

  test('isVisible() follows document.visibilityState where no host drives the window', async () => {
    const visible = await page.evaluate(() => window.api.getCurrentWindow().isVisible());
    // Headless Chromium never hides a page: the browser's visibility is faked at its very edge, the document.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const isVisible = (): Promise<boolean> => page.evaluate(() => window.api.getCurrentWindow().isVisible());
    await until(async () => !(await isVisible()), 'isVisible() to answer false for a hidden page');
    await page.evaluate(() => {
      delete (document as { visibilityState?: unknown }).visibilityState;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await until(isVisible, 'isVisible() to answer true again');
    assert.equal(visible, true);
  });

  test('files dropped on a page no host drives: onDragDropEvent sees enter and drop, without paths', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'airlock-drop-')), 'dropped.txt');
    writeFileSync(file, 'x');
    await page.evaluate(async () => {
      const seen: unknown[] = [];
      (window as unknown as { dragSeen: unknown[] }).dragSeen = seen;
      await window.api.getCurrentWebview().onDragDropEvent((e: { payload: unknown }) => seen.push(e.payload));
      // A page script's synthetic drag is not the user's: it fires no tauri://drag-* event.
      const dt = new DataTransfer();
      dt.items.add(new File(['x'], 'made-up.txt'));
      for (const type of ['dragenter', 'dragover', 'drop']) window.dispatchEvent(new DragEvent(type, { dataTransfer: dt }));
    });
    const cdp = await page.context().newCDPSession(page);
    const data = { items: [], files: [file], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, x: 30, y: 40, data });
    await cdp.detach();
    const seen = () => page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { dragSeen: unknown[] }).dragSeen)));
    await until(async () => (await seen()).some((e: { type: string }) => e.type === 'drop'), 'the drop event');
    const scale = await page.evaluate(() => devicePixelRatio);
    const at = { x: Math.round(30 * scale), y: Math.round(40 * scale) };
    assert.deepEqual(await seen(), [
      { type: 'enter', paths: [], position: at },
      { type: 'over', position: at },
      { type: 'drop', paths: [], position: at },
    ]);
    rmSync(path.dirname(file), { recursive: true, force: true });
  });

  test('a real resize fires tauri://resize with the physical inner size; a colour-scheme change fires theme-changed', async () => {
    await page.evaluate(async () => {
      type On<P> = (handler: (e: { payload: P }) => unknown) => Promise<unknown>;
      const w = window.api.getCurrentWindow() as unknown as {
        onResized: On<{ width: number; height: number }>;
        onThemeChanged: On<string>;
      };
      const seen: unknown[] = [];
      (window as unknown as { seen: unknown[] }).seen = seen;
      await w.onResized((e: { payload: { width: number; height: number } }) => seen.push(['resize', e.payload.width, e.payload.height]));
      await w.onThemeChanged((e: { payload: string }) => seen.push(['theme', e.payload]));
    });
    await page.setViewportSize({ width: 531, height: 377 });
    const dpr = await page.evaluate(() => devicePixelRatio);
    await page.waitForFunction(
      (w) => (window as unknown as { seen: unknown[][] }).seen.some((s) => s[0] === 'resize' && s[1] === w),
      Math.round(531 * dpr),
    );
    const resized = await page.evaluate(() => (window as unknown as { seen: unknown[][] }).seen.find((s) => s[0] === 'resize'));
    assert.deepEqual(resized, ['resize', Math.round(531 * dpr), Math.round(377 * dpr)]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => (window as unknown as { seen: unknown[][] }).seen.some((s) => s[0] === 'theme'));
    const theme = await page.evaluate(async () => ({
      event: (window as unknown as { seen: unknown[][] }).seen.find((s) => s[0] === 'theme'),
      now: await window.api.getCurrentWindow().theme(),
    }));
    assert.deepEqual(theme, { event: ['theme', 'dark'], now: 'dark' });
  });

  test('path, image and menu answer: appDataDir, join, Image.fromBytes of a PNG, Menu.new refused unsupported:', async () => {
    const png = [...testPng()];
    const got = await page.evaluate(async (bytes) => {
      const image = await window.api.Image.fromBytes(new Uint8Array(bytes));
      const menu = await (window.api.menu as unknown as { Menu: { new: () => Promise<unknown> } }).Menu.new().then(
        () => 'resolved',
        (e: unknown) => e,
      );
      return {
        appData: await window.api.path.appDataDir(),
        join: await window.api.path.join('a', 'b', '../c'),
        size: await image.size(),
        rgbaLength: (await image.rgba()).length,
        menu,
      };
    }, png);
    assert.match(got.appData, /dev\.airlock\.windowapi$/);
    assert.equal(got.join, 'a/c');
    assert.deepEqual(got.size, { width: 2, height: 2 });
    assert.equal(got.rgbaLength, TEST_PNG_RGBA.length);
    assert.match(String(got.menu), /^unsupported: new: native menus/);
  });

  test('new WebviewWindow from the page: created, listed once its page connects, and closable', async () => {
    const urls: string[] = [];
    const stop = t.app.onWindowRequested((r) => {
      urls.push(r.url);
    });
    try {
      const created = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const w = new window.api.webviewWindow.WebviewWindow('second', { url: '/', title: 'Second' });
            void w.once('tauri://created', () => resolve('created'));
            void w.once('tauri://error', (e: { payload: unknown }) => resolve(e.payload));
          }),
      );
      assert.equal(created, 'created');
      assert.equal(urls.length, 1);
      const second = await openPage(browser, urls[0] as string);
      const listed = await page.evaluate(async () => {
        const all = await window.api.webviewWindow.getAllWebviewWindows();
        return all.map((w: { label: string }) => w.label).sort();
      });
      assert.deepEqual(listed, ['main', 'second']);
      const again = await page.evaluate(() =>
        window.api.core.invoke('plugin:webview|create_webview_window', { options: { label: 'second' } }).catch((e: unknown) => e),
      );
      assert.equal(again, 'a webview with label `second` already exists');
      await page.evaluate(() => window.api.window.Window.getByLabel('second').then((w) => w?.destroy()));
      await until(() => !t.app.webviews().includes('second'), 'the second window to go');
      await second.context().close();
    } finally {
      stop();
    }
  });

  test('a page opened without its one-time URL says so, and its calls reject with that message', async () => {
    const context = await browser.newContext();
    try {
      await context.addInitScript('globalThis.__name = (f) => f');
      const bare = await context.newPage();
      await bare.goto(t.server.origin);
      await bare.waitForFunction(() => typeof (window as unknown as { api?: unknown }).api === 'object');
      const notice = await bare.waitForSelector('#__airlock-no-session', { state: 'attached' });
      assert.ok(notice);
      const rejection = await bare.evaluate(() => window.api.core.invoke('plugin:app|version').catch((e: unknown) => e));
      assert.equal(typeof rejection, 'string');
      assert.match(String(rejection), /this page has no IPC session/);
      assert.match(String(rejection), /airlock run/);
    } finally {
      await context.close();
    }
  });
});
