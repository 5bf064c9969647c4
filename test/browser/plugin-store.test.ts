// The store plugin driven in Chromium by the official @tauri-apps/plugin-store (window.__TAURI__.store), with its
// JSON files in a temporary XDG_DATA_HOME: the same rid for a loaded path, every accessor, get of a missing key,
// onChange in a second tab, reset/clear/reload, the autoSave debounce seen on disk, the refusals; and a child
// process killed by SIGKILL in the middle of a save, which leaves the previous file intact.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, watch, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import store from 'airlock/plugins/store';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { FIRST_PARTY, FIRST_PARTY_CONFIG, inPage } from '../helpers/first-party.js';

const dataHome = mkdtempSync(path.join(os.tmpdir(), 'airlock-store-xdg-'));
const appData = path.join(dataHome, 'dev.airlock.first-party');

let browser: Browser;
let t: TestApp;
let main: Page;
let second: Page;
let bare: Page;
let savedXdg: string | undefined;

before(async () => {
  savedXdg = process.env['XDG_DATA_HOME'];
  process.env['XDG_DATA_HOME'] = dataHome;
  browser = await launchBrowser();
  t = await startApp((b) => b.plugin(store()), { config: FIRST_PARTY_CONFIG });
  [main, second, bare] = (await Promise.all(['main', 'limited', 'bare'].map((l) => openPage(browser, t.server.url(l))))) as [
    Page,
    Page,
    Page,
  ];
});

after(async () => {
  if (savedXdg === undefined) delete process.env['XDG_DATA_HOME'];
  else process.env['XDG_DATA_HOME'] = savedXdg;
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

/** Resolves with the file's text the first time it is (re)placed by a save. */
function nextSave(file: string): Promise<string> {
  return new Promise((resolve) => {
    const w = watch(path.dirname(file), (_kind, name) => {
      if (name === path.basename(file) && existsSync(file)) {
        w.close();
        resolve(readFileSync(file, 'utf8'));
      }
    });
  });
}

describe('store plugin', () => {
  test('load twice gives one rid; set/get/has/keys/values/entries/length/delete; a missing key is undefined', async () => {
    const r = await inPage(
      main,
      async (g) => {
        const a = await g.store.load('settings.json', { autoSave: false });
        const b = await g.store.load('settings.json');
        const found = await g.store.getStore('settings.json');
        const none = await g.store.getStore('never-loaded.json');
        await a.set('theme', 'dark');
        await a.set('size', { w: 3, h: 4 });
        const out = {
          same: a.rid === b.rid && found?.rid === a.rid,
          none,
          theme: await b.get('theme'),
          missing: await a.get('nope'),
          has: await a.has('size'),
          keys: (await a.keys()).sort(),
          values: (await a.values()).length,
          entries: (await a.entries()).find(([k]) => k === 'size'),
          length: await a.length(),
          deleted: await a.delete('theme'),
          deletedAgain: await a.delete('theme'),
        };
        await a.save();
        return out;
      },
      null,
    );
    assert.deepEqual(r, {
      ok: {
        same: true,
        none: null,
        theme: 'dark',
        missing: undefined,
        has: true,
        keys: ['size', 'theme'],
        values: 2,
        entries: ['size', { w: 3, h: 4 }],
        length: 2,
        deleted: true,
        deletedAgain: false,
      },
    });
    assert.equal(readFileSync(path.join(appData, 'settings.json'), 'utf8'), '{\n  "size": {\n    "w": 3,\n    "h": 4\n  }\n}');
  });

  test('onChange and onKeyChange fire in a second tab, and the store rid is shared across webviews', async () => {
    await second.evaluate(async () => {
      const g = (window as unknown as { __TAURI__: import('../helpers/first-party.js').Guests }).__TAURI__;
      const w = window as unknown as { __changes: unknown[] };
      w.__changes = [];
      const s = await g.store.load('shared.json', { autoSave: false });
      await s.onChange((key, value) => w.__changes.push(['any', key, value]));
      await s.onKeyChange('k', (value) => w.__changes.push(['k', value]));
    });
    await inPage(
      main,
      async (g) => {
        const s = await g.store.load('shared.json');
        await s.set('k', 1);
        await s.set('other', 'x');
        await s.delete('k');
      },
      null,
    );
    await second.waitForFunction(() => (window as unknown as { __changes: unknown[] }).__changes.length >= 5);
    const changes = await second.evaluate(() => (window as unknown as { __changes: unknown[] }).__changes);
    assert.deepEqual(changes, [
      ['any', 'k', 1],
      ['k', 1],
      ['any', 'other', 'x'],
      ['any', 'k', undefined],
      ['k', undefined],
    ]);
  });

  test('defaults, reset, clear and reload from a file changed on disk', async () => {
    const r = await inPage(
      main,
      async (g) => {
        const s = await g.store.load('defaults.json', { defaults: { a: 1 }, autoSave: false });
        await s.set('a', 2);
        await s.set('b', 3);
        await s.reset();
        const afterReset = await s.entries();
        await s.clear();
        const afterClear = await s.length();
        await s.set('c', 'mine');
        await s.save();
        return { afterReset, afterClear };
      },
      null,
    );
    assert.deepEqual(r, { ok: { afterReset: [['a', 1]], afterClear: 0 } });
    writeFileSync(path.join(appData, 'defaults.json'), JSON.stringify({ c: 'disk', d: true }));
    const reloaded = await inPage(
      main,
      async (g) => {
        const s = await g.store.load('defaults.json');
        await s.reload();
        return (await s.entries()).sort();
      },
      null,
    );
    assert.deepEqual(reloaded, {
      ok: [
        ['a', 1],
        ['c', 'disk'],
        ['d', true],
      ],
    });
    writeFileSync(path.join(appData, 'defaults.json'), '{ not json');
    const corrupt = await inPage(main, async (g) => (await g.store.load('defaults.json')).reload(), null);
    assert.ok('rejected' in corrupt && String(corrupt.rejected).startsWith('Failed to deserialize store.'), JSON.stringify(corrupt));
  });

  test('autoSave debounces: writes 500 ms apart under an 800 ms debounce reach the disk in one save with all of them', async () => {
    const file = path.join(appData, 'auto.json');
    const saved = nextSave(file);
    await main.evaluate(async () => {
      const g = (window as unknown as { __TAURI__: import('../helpers/first-party.js').Guests }).__TAURI__;
      const s = await g.store.load('auto.json', { autoSave: 800 });
      // The durations are the behaviour under test, not a settle: each write lands 500 ms after the previous one,
      // inside the 800 ms debounce, so it must push the save back; a debounce that does not restart would save {a, b}.
      await s.set('a', 1);
      await new Promise((r) => setTimeout(r, 500));
      await s.set('b', 2);
      await new Promise((r) => setTimeout(r, 500));
      await s.set('c', 3);
    });
    assert.deepEqual(JSON.parse(await saved), { a: 1, b: 2, c: 3 });
  });

  test('refused: a window without store:default, and a path outside the app data directory', async () => {
    const denied = await inPage(bare, (g) => g.store.load('x.json'), null);
    assert.ok('rejected' in denied && String(denied.rejected).includes('store.load not allowed'), JSON.stringify(denied));
    const upward = await inPage(main, (g) => g.store.load('../upward.json'), null);
    assert.ok('rejected' in upward && String(upward.rejected).includes('may not contain `..`'), JSON.stringify(upward));
    const absolute = await inPage(main, (g) => g.store.load('/tmp/airlock-abs.json'), null);
    assert.ok('rejected' in absolute && String(absolute.rejected).includes('outside the app data directory'), JSON.stringify(absolute));
    assert.equal(existsSync(path.join(dataHome, 'upward.json')), false);
  });

  test('a process killed (SIGKILL) in the middle of a save leaves the previous file intact', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-store-crash-'));
    const file = path.join(dir, 'crash.json');
    const child = spawn(process.execPath, [path.join(FIRST_PARTY, 'save-crash.mjs'), file], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { version: 1 });
    // Kill it as soon as the next save's temporary file appears (that save is then being written).
    const killed = new Promise<void>((resolve) => {
      const w = watch(dir, (_kind, name) => {
        if (name?.endsWith('.tmp') === true) {
          child.kill('SIGKILL');
          w.close();
          resolve();
        }
      });
    });
    child.stdin.write('go\n');
    await killed;
    await exited;
    // Cut off while a save was being written: its temporary file is left, partial …
    const tmp = readdirSync(dir).filter((f) => f.endsWith('.tmp'));
    assert.equal(tmp.length, 1, 'the save was cut off while its temporary file was being written');
    assert.ok(statSync(path.join(dir, tmp[0] as string)).size < 64 * 1024 * 1024);
    // … and the store file is a whole one: the previous version (or, had a save finished first, a complete new one).
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { version: number; blob?: string };
    assert.ok(kept.version === 1 || kept.blob?.length === 64 * 1024 * 1024, `version ${kept.version}`);
  });
});
