// The notification plugin driven by the official @tauri-apps/plugin-notification in Chromium: the init script's
// `window.Notification` shim sends the guest's `sendNotification()` to the core, which runs the notifier — here a
// recording command (the only system part these tests replace) that writes the arguments notify-send would get.
// Also: the permission answers, a window without the grant, and a notifier that is not installed. The notifier runs
// once per call and calls run side by side, so the recorder keeps each call in a file of its own (renamed into place
// whole) and the calls are compared without an order: no interleaved writes, no order the core never promised.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import notification from 'airlock/plugins/notification';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { guestConfig, guestFrontend } from '../helpers/frontend.js';
import { until } from '../helpers/wait.js';

const dir = mkdtempSync(path.join(tmpdir(), 'airlock-notify-'));
const record = path.join(dir, 'record.sh');
const recorded = path.join(dir, 'calls');
mkdirSync(recorded);
let browser: Browser;
let t: TestApp;
let missing: TestApp;
let main: Page;

before(async () => {
  // One file per call: the arguments, NUL-separated, written aside and renamed into calls/ when complete.
  writeFileSync(
    record,
    `#!/bin/sh\nf=$(mktemp '${dir}/part.XXXXXX') || exit 1\nfor a in "$@"; do printf '%s\\0' "$a"; done > "$f"\nmv "$f" '${recorded}/'\n`,
  );
  chmodSync(record, 0o755);
  browser = await launchBrowser();
  const frontendDist = await guestFrontend();
  t = await startApp((b) => b.plugin(notification({ command: [record, '--recorded'] })), { config: guestConfig, frontendDist });
  missing = await startApp((b) => b.plugin(notification({ command: [path.join(dir, 'no-such-notifier')] })), {
    config: guestConfig,
    frontendDist,
  });
  main = await openPage(browser, t.server.url('main'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
  await missing?.[Symbol.asyncDispose]();
});

const seen = new Set<string>();
/** Waits (bounded) until the recorder has `n` calls not returned before; returns them sorted (calls run side by side). */
async function calls(n: number): Promise<string[][]> {
  const fresh = (): string[] => readdirSync(recorded).filter((f) => !seen.has(f));
  await until(() => fresh().length >= n, `the notifier to run ${n} times`);
  const files = fresh();
  assert.equal(files.length, n, 'no more calls than were sent');
  for (const f of files) seen.add(f);
  return sorted(files.map((f) => readFileSync(path.join(recorded, f), 'utf8').split('\0').slice(0, -1)));
}
const sorted = (list: string[][]): string[][] => [...list].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe('notification plugin (@tauri-apps/plugin-notification)', () => {
  test('with app.withGlobalTauri the guest API is window.__TAURI__.notification', async () => {
    assert.equal(
      await main.evaluate(
        () =>
          typeof (window as unknown as { __TAURI__: Record<string, Record<string, unknown> | undefined> }).__TAURI__['notification']?.[
            'sendNotification'
          ],
      ),
      'function',
    );
  });

  test('the init script replaced window.Notification and the core answered its permission', async () => {
    await main.waitForFunction(() => window.Notification.permission === 'granted');
    assert.deepEqual(
      await main.evaluate(async () => ({
        granted: await window.guest.notification.isPermissionGranted(),
        requested: await window.guest.notification.requestPermission(),
        shim: !String(window.Notification).includes('[native code]'),
      })),
      { granted: true, requested: 'granted', shim: true },
    );
  });

  test('sendNotification reaches the notifier with notify-send’s arguments', async () => {
    await main.evaluate(() => {
      window.guest.notification.sendNotification({ title: 'Export done', body: 'report.pdf — 3 pages', icon: 'document-save' });
      window.guest.notification.sendNotification('-title that looks like an option');
    });
    // `--` always ends the options, so a title starting with `-` stays the title.
    assert.deepEqual(
      await calls(2),
      sorted([
        ['--recorded', '--app-name=guest plugins', '--icon=document-save', '--', 'Export done', 'report.pdf — 3 pages'],
        ['--recorded', '--app-name=guest plugins', '--', '-title that looks like an option'],
      ]),
    );
  });

  test('notifications sent at once each reach the notifier with exactly their own arguments', async () => {
    const titles = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? `-n ${i}` : `plain ${i}`));
    await main.evaluate((titles) => {
      for (const [i, title] of titles.entries()) window.guest.notification.sendNotification({ title, body: `body ${i}` });
    }, titles);
    assert.deepEqual(
      await calls(titles.length),
      sorted(titles.map((title, i) => ['--recorded', '--app-name=guest plugins', '--', title, `body ${i}`])),
    );
  });

  test('a window without notification:allow-notify is refused; a missing notifier is a clear error', async () => {
    const scoped = await openPage(browser, t.server.url('scoped'));
    const refused = await scoped.evaluate(() =>
      window.guest.core.invoke('plugin:notification|notify', { options: { title: 'x' } }).then(
        () => 'resolved',
        (e: unknown) => String(e),
      ),
    );
    assert.match(refused, /notification\.notify not allowed|not allowed by ACL/);
    // It may still ask whether it is allowed (it was granted that one).
    assert.equal(await scoped.evaluate(() => window.guest.notification.isPermissionGranted()), true);
    const other = await openPage(browser, missing.server.url('main'));
    const error = await other.evaluate(() =>
      window.guest.core.invoke('plugin:notification|notify', { options: { title: 'x' } }).then(
        () => 'resolved',
        (e: unknown) => String(e),
      ),
    );
    assert.match(error, /^unsupported: `.*no-such-notifier` is not installed/);
    await Promise.all([scoped.context().close(), other.context().close()]);
  });
});
