// The log plugin driven by the official @tauri-apps/plugin-log in Chromium: records reach the log file in the app's
// log directory (BaseDirectory.AppLog under XDG_DATA_HOME) in Tauri's line format, stdout, and the webviews
// (`attachConsole` prints them in the page's console); a level filter, rotation (KeepAll) and a window without the
// grant.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import log from 'airlock/plugins/log';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { guestConfig, guestFrontend } from '../helpers/frontend.js';

const data = mkdtempSync(path.join(tmpdir(), 'airlock-log-data-'));
const folder = mkdtempSync(path.join(tmpdir(), 'airlock-log-folder-'));
const logFile = path.join(data, 'dev.airlock.guest-plugins', 'logs', 'guest plugins.log');
const savedXdg = process.env['XDG_DATA_HOME'];
let browser: Browser;
let t: TestApp;
let filtered: TestApp;
let main: Page;
const stdout: string[] = [];
const realWrite = process.stdout.write.bind(process.stdout);

before(async () => {
  process.env['XDG_DATA_HOME'] = data;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk === 'string' && chunk.includes('[webview')) stdout.push(chunk);
    return realWrite(chunk, ...rest);
  }) as typeof process.stdout.write;
  browser = await launchBrowser();
  const frontendDist = await guestFrontend();
  t = await startApp((b) => b.plugin(log({ targets: [{ kind: 'stdout' }, { kind: 'logDir' }, { kind: 'webview' }] })), {
    config: guestConfig,
    frontendDist,
  });
  filtered = await startApp(
    (b) =>
      b.plugin(
        log({ level: 'warn', targets: [{ kind: 'folder', path: folder, fileName: 'app' }], maxFileSize: 300, rotationStrategy: 'keepAll' }),
      ),
    { config: guestConfig, frontendDist },
  );
  main = await openPage(browser, t.server.url('main'));
});

after(async () => {
  process.stdout.write = realWrite;
  if (savedXdg === undefined) delete process.env['XDG_DATA_HOME'];
  else process.env['XDG_DATA_HOME'] = savedXdg;
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
  await filtered?.[Symbol.asyncDispose]();
});

const LINE = /^\[\d{4}-\d{2}-\d{2}\]\[\d{2}:\d{2}:\d{2}\]\[webview(:[^\]]*)?\]\[(TRACE|DEBUG|INFO|WARN|ERROR)\] (.*)$/;

describe('log plugin (@tauri-apps/plugin-log)', () => {
  test('with app.withGlobalTauri the guest API is window.__TAURI__.log', async () => {
    assert.equal(
      await main.evaluate(
        () =>
          typeof (window as unknown as { __TAURI__: Record<string, Record<string, unknown> | undefined> }).__TAURI__['log']?.[
            'attachConsole'
          ],
      ),
      'function',
    );
  });

  test('trace … error reach the app log file in Tauri’s format, stdout, and attachConsole in the page', async () => {
    const seen: ConsoleMessage[] = [];
    const gotAll = new Promise<void>((resolve) => {
      main.on('console', (m) => {
        if (m.text().includes('record-')) seen.push(m);
        if (seen.length === 5) resolve();
      });
    });
    await main.evaluate(async () => {
      const { log } = window.guest;
      await log.attachConsole();
      await log.trace('record-trace');
      await log.debug('record-debug');
      await log.info('record-info', { keyValues: { k: 'v' } });
      await log.warn('record-warn');
      await log.error('record-error');
    });
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => LINE.exec(l)?.slice(2)),
      [
        ['TRACE', 'record-trace'],
        ['DEBUG', 'record-debug'],
        ['INFO', 'record-info'],
        ['WARN', 'record-warn'],
        ['ERROR', 'record-error'],
      ],
    );
    // The target names where in the page the call came from, as the guest computes it.
    assert.match(lines[0] ?? '', /\]\[webview:[^\]]+\]\[TRACE\]/);
    assert.equal(stdout.filter((s) => s.includes('record-')).length, 5);
    await gotAll;
    assert.deepEqual(
      seen.map((m) => [m.type(), LINE.exec(m.text())?.[3]]),
      [
        ['log', 'record-trace'],
        ['debug', 'record-debug'],
        ['info', 'record-info'],
        ['warning', 'record-warn'],
        ['error', 'record-error'],
      ],
    );
  });

  test('a level filter drops what is below it, and a full file is rotated (KeepAll keeps it under a timestamped name)', async () => {
    const page = await openPage(browser, filtered.server.url('main'));
    await page.evaluate(async () => {
      const { log } = window.guest;
      await log.info('dropped-info');
      for (let i = 0; i < 6; i++) await log.warn(`kept-${i}-${'x'.repeat(40)}`);
    });
    const files = readdirSync(folder).sort();
    assert.ok(files.includes('app.log'), files.join());
    const rotated = files.filter((f) => /^app_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}(_\d+)?\.log$/.test(f));
    assert.ok(rotated.length >= 1, `a rotated file: ${files.join()}`);
    const all = files.map((f) => readFileSync(path.join(folder, f), 'utf8')).join('');
    assert.doesNotMatch(all, /dropped-info/);
    for (let i = 0; i < 6; i++) assert.match(all, new RegExp(`kept-${i}-`));
    for (const f of files) assert.ok(readFileSync(path.join(folder, f)).length <= 300, `${f} is within maxFileSize`);
    await page.context().close();
  });

  test('a window without log:default is refused by the ACL and nothing is written', async () => {
    const bare = await openPage(browser, t.server.url('bare'));
    const before = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    const out = await bare.evaluate(() =>
      window.guest.log.info('from-bare').then(
        () => 'resolved',
        (e: unknown) => String(e),
      ),
    );
    assert.match(out, /log\.log not allowed|not allowed by ACL/);
    assert.equal(readFileSync(logFile, 'utf8'), before);
    await bare.context().close();
  });
});
