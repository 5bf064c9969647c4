// The clipboard-manager plugin driven by the official @tauri-apps/plugin-clipboard-manager in Chromium, on a real
// X clipboard (a private Xvfb display) through xclip (and xsel): text and images both ways, checked with xclip itself from
// outside the app right after each write resolves; images are the core's Image resources; an empty clipboard, clear,
// the default that grants nothing, a window with only write access, and a helper that is not installed. xclip exits
// before the process it leaves serving owns the selection: wrappers around the real xclip make that gap long (or
// hand the selection straight to another program) to show a write resolves only once it took effect.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import clipboard from 'airlock/plugins/clipboard-manager';
import type { Browser, Page } from 'playwright-core';
import { decodeImage } from '../../src/plugins/core/png.ts';
import { encodePng } from '../../src/plugins/clipboard-manager/png-encode.ts';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { guestConfig, guestFrontend } from '../helpers/frontend.js';
import { until } from '../helpers/wait.js';
import { type Display, startXvfb } from '../helpers/xvfb.js';

let x: Display;
let browser: Browser;
let t: TestApp;
let wayland: TestApp;
let slow: TestApp;
let takenOver: TestApp;
let xsel: TestApp;
let main: Page;
let wrappers: string;

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

/**
 * Puts `data` on the CLIPBOARD with xclip from outside the app (xclip keeps serving it in the background). xclip
 * exits before its serving child owns the selection, so this waits (bounded) until a read gives `data` back.
 */
async function xclipIn(data: string | Uint8Array, target?: string): Promise<void> {
  const child = spawn('xclip', ['-selection', 'clipboard', ...(target === undefined ? [] : ['-t', target]), '-in'], {
    env: x.env,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.stdin.end(data);
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  const want = Buffer.from(data);
  await until(async () => (await xclipOut(target).catch(() => Buffer.alloc(0))).equals(want), 'the selection to hold what xclip was given');
}

/**
 * A folder holding an `xclip` that runs the real one, except that `-in` runs `serve` (sh, with the real xclip as
 * "$xclip", the data in "$data", xclip's arguments in "$@") in the background, holding the helper's output as
 * xclip's serving child does, and exits at once.
 */
async function xclipWrapper(name: string, serve: string): Promise<string> {
  const dir = path.join(wrappers, name);
  const real = execFileSync('sh', ['-c', 'command -v xclip'], { encoding: 'utf8' }).trim();
  await mkdir(dir);
  const script = `#!/bin/sh
xclip='${real}'
case " $* " in
  *" -in "*)
    data=$(mktemp); cat > "$data"
    ( ${serve}; rm -f "$data" ) &
    exit 0 ;;
esac
exec "$xclip" "$@"
`;
  await writeFile(path.join(dir, 'xclip'), script, { mode: 0o755 });
  return dir;
}

before(async () => {
  x = await startXvfb();
  browser = await launchBrowser();
  wrappers = await mkdtemp(path.join(tmpdir(), 'airlock-xclip-'));
  const frontendDist = await guestFrontend();
  const withPath = (dir: string): NodeJS.ProcessEnv => ({ ...x.env, PATH: `${dir}${path.delimiter}${x.env['PATH'] ?? ''}` });
  t = await startApp((b) => b.plugin(clipboard({ env: x.env, backend: 'xclip' })), { config: guestConfig, frontendDist });
  wayland = await startApp((b) => b.plugin(clipboard({ backend: 'wl-clipboard' })), { config: guestConfig, frontendDist });
  // The serving xclip takes the selection 300 ms after the command returned.
  const late = await xclipWrapper('late', 'sleep 0.3; "$xclip" "$@" < "$data"');
  slow = await startApp((b) => b.plugin(clipboard({ env: withPath(late), backend: 'xclip' })), { config: guestConfig, frontendDist });
  // Another program has the selection before the written data is ever seen there; then what served for xclip ends.
  const taken = await xclipWrapper(
    'taken',
    `printf 'taken over' | "$xclip" -selection clipboard -in >/dev/null 2>&1; n=0; until [ "$("$xclip" -selection clipboard -out 2>/dev/null)" = 'taken over' ] || [ $n -ge 500 ]; do n=$((n+1)); sleep 0.01; done`,
  );
  takenOver = await startApp((b) => b.plugin(clipboard({ env: withPath(taken), backend: 'xclip', timeoutMs: 8000 })), {
    config: guestConfig,
    frontendDist,
  });
  xsel = await startApp((b) => b.plugin(clipboard({ env: x.env, backend: 'xsel' })), { config: guestConfig, frontendDist });
  main = await openPage(browser, t.server.url('main'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
  await wayland?.[Symbol.asyncDispose]();
  await slow?.[Symbol.asyncDispose]();
  await takenOver?.[Symbol.asyncDispose]();
  await xsel?.[Symbol.asyncDispose]();
  await x?.[Symbol.asyncDispose]();
  if (wrappers !== undefined) await rm(wrappers, { recursive: true, force: true });
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
    // Each read right after the write resolved: the write is done only once the selection holds it.
    await main.evaluate(() => window.guest.clipboard.writeText('héllo, clipboard ✓'));
    assert.equal((await xclipOut()).toString('utf8'), 'héllo, clipboard ✓');
    await xclipIn('put there by another program');
    assert.equal(await text(main, 'read'), 'put there by another program');
    await main.evaluate(() => window.guest.clipboard.writeHtml('<b>bold</b> move', 'bold move'));
    assert.equal((await xclipOut('text/html')).toString('utf8'), '<b>bold</b> move');
    assert.equal(await text(main, 'clear'), 'cleared');
    assert.equal((await xclipOut()).toString('utf8'), '');
  });

  test('every write has taken effect when it resolves: write, then read at once, 25 times over', async () => {
    for (let i = 0; i < 25; i++) {
      const value = `round ${i}`;
      await main.evaluate((value) => window.guest.clipboard.writeText(value), value);
      assert.equal((await xclipOut()).toString('utf8'), value, `xclip's read right after write ${i}`);
      assert.equal(await text(main, 'read'), value, `readText right after write ${i}`);
    }
  });

  test('with xsel too (it daemonizes before it asks for the selection): write, then read at once, 25 times over', async () => {
    const page = await openPage(browser, xsel.server.url('main'));
    for (let i = 0; i < 25; i++) {
      const value = `xsel round ${i}`;
      await page.evaluate((value) => window.guest.clipboard.writeText(value), value);
      assert.equal((await xclipOut()).toString('utf8'), value, `xclip's read right after write ${i}`);
      assert.equal(await text(page, 'read'), value, `readText (xsel) right after write ${i}`);
    }
    await page.context().close();
  });

  test('a serving xclip that takes the selection late: writeText resolves only once the selection is its', async () => {
    const page = await openPage(browser, slow.server.url('main'));
    for (const value of ['late one', 'late two']) {
      await page.evaluate((value) => window.guest.clipboard.writeText(value), value);
      assert.equal((await xclipOut()).toString('utf8'), value);
    }
    await page.evaluate(() => window.guest.clipboard.writeHtml('<i>late</i>', 'late'));
    assert.equal((await xclipOut('text/html')).toString('utf8'), '<i>late</i>');
    const rgba = [9, 8, 7, 255];
    await page.evaluate(async (rgba) => {
      const image = await window.guest.image.Image.new(new Uint8Array(rgba), 1, 1);
      await window.guest.clipboard.writeImage(image);
    }, rgba);
    assert.deepEqual([...decodeImage(await xclipOut('image/png')).rgba], rgba);
    assert.equal(await text(page, 'clear'), 'cleared');
    assert.equal((await xclipOut()).toString('utf8'), '');
    await page.context().close();
  });

  test('a write whose selection another program took before it was seen resolves (the serving xclip has ended)', async () => {
    const page = await openPage(browser, takenOver.server.url('main'));
    const started = Date.now();
    assert.equal(await page.evaluate(() => window.guest.clipboard.writeText('never seen').then(() => 'written')), 'written');
    assert.ok(Date.now() - started < 6000, 'resolved when the serving process ended, not at the helper timeout');
    assert.equal((await xclipOut()).toString('utf8'), 'taken over');
    await page.context().close();
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
