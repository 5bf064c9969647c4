// The demo (`npm start`): `airlock run examples/demo` builds the frontend, prints the URL with no display, and every
// panel of the page works in headless Chromium through the official API, under the isolation pattern.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { printedUrls, REPO, startCli } from './helpers.js';

let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

async function text(page: Page, selector: string, re: RegExp): Promise<string> {
  await page.waitForFunction(
    ({ selector, source }) => new RegExp(source).test(document.querySelector(selector)?.textContent ?? ''),
    { selector, source: re.source },
    { timeout: 15_000 },
  );
  return (await page.textContent(selector)) ?? '';
}

describe('demo app', () => {
  test('npm start path: builds, prints the URL without a display, and every panel works', async () => {
    // The store and fs panels write to the app data directory: a temporary XDG_DATA_HOME.
    const dataHome = mkdtempSync(path.join(tmpdir(), 'airlock-demo-data-'));
    await using cli = startCli(['run', path.join(REPO, 'examples', 'demo')], {
      env: { DISPLAY: '', WAYLAND_DISPLAY: '', XDG_DATA_HOME: dataHome },
    });
    const { main } = await printedUrls(cli);
    assert.match(cli.output(), /no display/);
    assert.match(cli.output(), /pattern\s+isolation/);
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(main ?? '');
      await text(page, '#window-pill', /window: main · “Airlock demo”/);
      await text(page, '#pattern-pill', /isolation/);

      await page.click('#greet-form button');
      await text(page, '#greet-out', /Hello, Ada!/);
      await page.fill('#greet-name', '');
      await page.click('#greet-form button');
      await text(page, '#greet-out', /INVALID_ARGS: invalid args `name` for command `greet`: say who to greet/);

      await page.click('#emit-btn');
      await text(page, '#ack-out', /core acknowledged click #1/);
      await text(page, '#tick-pill', /tick \d+/);

      await page.click('#stream-btn');
      await text(page, '#stream-out', /120 ordered messages/);

      await page.click('#digest-btn');
      await text(page, '#bytes-out', /2,097,152 bytes up .*\n.*✓ matches WebCrypto/);
      await page.click('#random-btn');
      await text(page, '#bytes-out', /1,048,576 bytes down as ArrayBuffer/);

      await text(page, '#hook-log', /hook approved greet \(name\)/);
      await page.click('#delete-btn');
      await text(page, '#hook-log', /hook blocked delete_everything → ISOLATION_REFUSED/);

      await page.click('#admin-btn');
      // Denied once the core enforces capabilities; until then the page says so instead of pretending.
      await text(page, '#acl-out', /denied as configured|does not enforce capabilities yet/);

      await page.click('#note-btn');
      await text(page, '#note-out', /store: note saved \(1 saves in demo.json\)\nfs: note.txt reads back “remember the milk”/);
      assert.deepEqual(JSON.parse(readFileSync(path.join(dataHome, 'dev.airlock.demo', 'demo.json'), 'utf8')), {
        note: 'remember the milk',
        saves: 1,
      });
      await page.click('#note-outside-btn');
      await text(page, '#note-out', /refused by the fs scope ✓\nforbidden path: \/etc\/hostname/);

      // Windows: a plain tab cannot be resized by its page (an app window can, and the CLI's host drives it), so
      // the panel says what it got; a second window opened from the page gets its own one-time URL.
      await page.click('#resize-btn');
      await text(page, '#window-out', /asked for 900×640, the window is now \d+×\d+/);
      await page.click('#open-btn');
      const opened = await cli.waitFor(/➜\s+(second-[\w-]+)\s+(http\S+)/);
      await text(page, '#window-out', /window second-[\w-]+ created/);
      const second = await context.newPage();
      second.on('pageerror', (e) => errors.push(e.message));
      await second.goto(opened[2] ?? '');
      await text(second, '#window-pill', new RegExp(`window: ${opened[1]} · “Airlock demo \\(second window\\)”`));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
