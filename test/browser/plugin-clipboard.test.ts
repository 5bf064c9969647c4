// The clipboard-manager plugin driven by the official @tauri-apps/plugin-clipboard-manager in Chromium, on a real
// X clipboard (a private Xvfb display) through xclip: text and images both ways, checked with xclip itself from
// outside the app; images are the core's Image resources; an empty clipboard, clear, the default that grants
// nothing, a window with only write access, and a helper that is not installed.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import clipboard from 'airlock/plugins/clipboard-manager';
import type { Browser, Page } from 'playwright-core';
import { decodeImage } from '../../src/plugins/core/png.ts';
import { encodePng } from '../../src/plugins/clipboard-manager/png-encode.ts';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { guestConfig, guestFrontend } from '../helpers/frontend.js';
import { poll } from '../helpers/wait.js';
import { type Display, startXvfb } from '../helpers/xvfb.js';

let x: Display;
let browser: Browser;
let t: TestApp;
let wayland: TestApp;
let main: Page;

/** What xclip itself reads from the display's CLIPBOARD (`target`: a MIME type). */
const xclipOut = (target?: string): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    execFile(
      'xclip',
      ['-selection', 'clipboard', ...(target === undefined ? [] : ['-t', target]), '-out'],
      { env: x.env, encoding: 'buffer', timeout: 5000 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    ),
  );

/** Puts `data` on the CLIPBOARD with xclip from outside the app (xclip keeps serving it in the background). */
async function xclipIn(data: string | Uint8Array, target?: string): Promise<void> {
  const child = spawn('xclip', ['-selection', 'clipboard', ...(target === undefined ? [] : ['-t', target]), '-in'], {
    env: x.env,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.stdin.end(data);
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
}

before(async () => {
  x = await startXvfb();
  browser = await launchBrowser();
  const frontendDist = await guestFrontend();
  t = await startApp((b) => b.plugin(clipboard({ env: x.env, backend: 'xclip' })), { config: guestConfig, frontendDist });
  wayland = await startApp((b) => b.plugin(clipboard({ backend: 'wl-clipboard' })), { config: guestConfig, frontendDist });
  main = await openPage(browser, t.server.url('main'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
  await wayland?.[Symbol.asyncDispose]();
  await x?.[Symbol.asyncDispose]();
});

const text = (page: Page, expr: 'read' | 'clear') =>
  page.evaluate(
    (expr) =>
      (expr === 'read' ? window.guest.clipboard.readText() : window.guest.clipboard.clear().then(() => 'cleared')).then(
        String,
        (e: unknown) => `rejected: ${String(e)}`,
      ),
    expr,
  );

describe('clipboard-manager plugin (@tauri-apps/plugin-clipboard-manager) with xclip', () => {
  test('with app.withGlobalTauri the guest API is window.__TAURI__.clipboardManager', async () => {
    assert.equal(
      await main.evaluate(
        () =>
          typeof (window as unknown as { __TAURI__: Record<string, Record<string, unknown> | undefined> }).__TAURI__['clipboardManager']?.[
            'readText'
          ],
      ),
      'function',
    );
  });

  test('an empty clipboard is arboard’s error', async () => {
    assert.equal(
      await text(main, 'read'),
      'rejected: The clipboard contents were not available in the requested format or the clipboard is empty.',
    );
  });

  test('text both ways: the page’s writeText (and writeHtml) is what xclip reads, and what xclip put there is readText’s answer', async () => {
    // xclip forks before its child takes the selection, so a write has returned a moment before the selection changes
    // hands (see the closing note): each read waits (bounded) for the value it must end up with.
    const settles = async (read: () => Promise<string>, expected: string): Promise<string> => {
      let last = '';
      await poll(
        async () => {
          // While the selection changes hands it may have no owner for a moment (xclip: "target … not available").
          last = await read().catch((e: unknown) => `read failed: ${String(e)}`);
          return last === expected;
        },
        { ms: 3000, every: 20 },
      );
      return last;
    };
    await main.evaluate(() => window.guest.clipboard.writeText('héllo, clipboard ✓'));
    assert.equal(await settles(async () => (await xclipOut()).toString('utf8'), 'héllo, clipboard ✓'), 'héllo, clipboard ✓');
    await xclipIn('put there by another program');
    assert.equal(await settles(() => text(main, 'read'), 'put there by another program'), 'put there by another program');
    await main.evaluate(() => window.guest.clipboard.writeHtml('<b>bold</b> move', 'bold move'));
    assert.equal(await settles(async () => (await xclipOut('text/html')).toString('utf8'), '<b>bold</b> move'), '<b>bold</b> move');
    assert.equal(await text(main, 'clear'), 'cleared');
    assert.equal(await settles(async () => (await xclipOut()).toString('utf8'), ''), '');
  });

  test('images both ways as Image resources: writeImage puts a PNG on the clipboard, readImage gives its pixels', async () => {
    const rgba = [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 128];
    await main.evaluate(async (rgba) => {
      const image = await window.guest.image.Image.new(new Uint8Array(rgba), 2, 2);
      await window.guest.clipboard.writeImage(image);
    }, rgba);
    const written = decodeImage(await xclipOut('image/png'));
    assert.deepEqual([written.width, written.height, [...written.rgba]], [2, 2, rgba]);

    const pixels = [1, 2, 3, 255, 4, 5, 6, 255, 7, 8, 9, 255];
    await xclipIn(encodePng(Uint8Array.from(pixels), 3, 1), 'image/png');
    const read = await main.evaluate(async () => {
      const image = await window.guest.clipboard.readImage();
      const out = { size: await image.size(), rgba: [...(await image.rgba())] };
      await (image as unknown as { close(): Promise<void> }).close();
      return out;
    });
    assert.deepEqual(read, { size: { width: 3, height: 1 }, rgba: pixels });
  });

  test('clipboard-manager:default grants nothing: a window with only allow-write-text may write but not read', async () => {
    const scoped = await openPage(browser, t.server.url('scoped'));
    assert.equal(await scoped.evaluate(() => window.guest.clipboard.writeText('from scoped').then(() => 'written')), 'written');
    assert.equal((await xclipOut()).toString('utf8'), 'from scoped');
    assert.match(await text(scoped, 'read'), /^rejected: .*(clipboard-manager\.read_text not allowed|not allowed by ACL)/);
    const bare = await openPage(browser, t.server.url('bare'));
    assert.match(
      await bare.evaluate(() =>
        window.guest.clipboard.writeText('x').then(
          () => 'written',
          (e: unknown) => String(e),
        ),
      ),
      /clipboard-manager\.write_text not allowed|not allowed by ACL/,
    );
    await Promise.all([scoped.context().close(), bare.context().close()]);
  });

  test('a helper that is not installed is a clear error naming the package', async () => {
    const page = await openPage(browser, wayland.server.url('main'));
    assert.equal(
      await text(page, 'read'),
      'rejected: unsupported: `wl-paste` is not installed; install the `wl-clipboard` package (on Debian/Ubuntu: apt-get install wl-clipboard)',
    );
    await page.context().close();
  });
});
