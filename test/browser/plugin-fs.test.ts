// The fs plugin driven in Chromium by the official @tauri-apps/plugin-fs (window.__TAURI__.fs), against real files
// in a temporary XDG_DATA_HOME: text and binary round trips (raw bodies both ways), FileHandle resources, the
// directory commands, line reading, watching over a Channel; and the refusals: outside the scope, `..`, dot-files,
// a denied folder, a window without write grants, and a path allowed at run time.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import fs, { allowFsPath } from 'airlock/plugins/fs';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { FIRST_PARTY_CONFIG, inPage } from '../helpers/first-party.js';

const dataHome = mkdtempSync(path.join(os.tmpdir(), 'airlock-fs-xdg-'));
const appData = path.join(dataHome, 'dev.airlock.first-party');
const AppData = 14;

let browser: Browser;
let t: TestApp;
let main: Page;
let limited: Page;
let savedXdg: string | undefined;

before(async () => {
  savedXdg = process.env['XDG_DATA_HOME'];
  process.env['XDG_DATA_HOME'] = dataHome;
  browser = await launchBrowser();
  t = await startApp((b) => b.plugin(fs()), { config: FIRST_PARTY_CONFIG });
  [main, limited] = (await Promise.all(['main', 'limited'].map((l) => openPage(browser, t.server.url(l))))) as [Page, Page];
});

after(async () => {
  if (savedXdg === undefined) delete process.env['XDG_DATA_HOME'];
  else process.env['XDG_DATA_HOME'] = savedXdg;
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

describe('fs plugin, allowed', () => {
  test('mkdir of $APPDATA, then a text round trip under a non-ASCII name, on the real disk', async () => {
    const r = await inPage(
      main,
      async (g, d) => {
        await g.fs.mkdir('', { baseDir: d });
        await g.fs.mkdir('ñotes', { baseDir: d });
        await g.fs.writeTextFile('ñotes/日本 語.txt', 'héllo\nwörld', { baseDir: d });
        return await g.fs.readTextFile('ñotes/日本 語.txt', { baseDir: d });
      },
      AppData,
    );
    assert.deepEqual(r, { ok: 'héllo\nwörld' });
    assert.equal(readFileSync(path.join(appData, 'ñotes', '日本 語.txt'), 'utf8'), 'héllo\nwörld');
  });

  test('binary writeFile/readFile: every byte value, and the response is a raw ArrayBuffer, not a JSON array', async () => {
    const r = await inPage(
      main,
      async (g, p) => {
        const bytes = new Uint8Array(256).map((_, i) => i);
        await g.fs.writeFile(p, bytes);
        const back = await g.fs.readFile(p);
        const raw = await g.core.invoke('plugin:fs|read_file', { path: p });
        return { same: back.every((b, i) => b === i) && back.length === 256, raw: raw instanceof ArrayBuffer };
      },
      path.join(appData, 'bytes.bin'),
    );
    assert.deepEqual(r, { ok: { same: true, raw: true } });
    assert.deepEqual([...readFileSync(path.join(appData, 'bytes.bin'))], [...Array(256).keys()]);
  });

  test('writeFile from a ReadableStream, and append', async () => {
    const r = await inPage(
      main,
      async (g, p) => {
        const stream = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode('one,'));
            c.enqueue(new TextEncoder().encode('two'));
            c.close();
          },
        });
        await g.fs.writeFile(p, stream);
        await g.fs.writeTextFile(p, ',three', { append: true });
        return await g.fs.readTextFile(p);
      },
      path.join(appData, 'stream.txt'),
    );
    assert.deepEqual(r, { ok: 'one,two,three' });
  });

  test('a FileHandle: write, seek, read, read at EOF is null, truncate, stat, close; then its rid is invalid', async () => {
    const r = await inPage(
      main,
      async (g, p) => {
        const f = await g.fs.open(p, { read: true, write: true, create: true, truncate: true });
        const wrote = await f.write(new TextEncoder().encode('abcdef'));
        const start = await f.seek(1, g.fs.SeekMode.Start);
        const buf = new Uint8Array(3);
        const n = await f.read(buf);
        const end = await f.seek(0, g.fs.SeekMode.End);
        const eof = await f.read(new Uint8Array(4));
        await f.truncate(2);
        const st = await f.stat();
        await f.close();
        let after: unknown;
        try {
          await f.read(new Uint8Array(1));
        } catch (e) {
          after = e;
        }
        return { wrote, start, n, text: new TextDecoder().decode(buf), end, eof, size: st.size, isFile: st.isFile, after, rid: f.rid };
      },
      path.join(appData, 'handle.txt'),
    );
    assert.ok('ok' in r, JSON.stringify(r));
    const { rid, ...rest } = r.ok;
    assert.deepEqual(rest, {
      wrote: 6,
      start: 1,
      n: 3,
      text: 'bcd',
      end: 6,
      eof: null,
      size: 2,
      isFile: true,
      after: `The resource id ${rid} is invalid.`,
    });
    assert.equal(readFileSync(path.join(appData, 'handle.txt'), 'utf8'), 'ab');
  });

  test('readDir, stat/lstat, exists, size, copyFile, rename, truncate, remove (recursive)', async () => {
    const r = await inPage(
      main,
      async (g, d) => {
        await g.fs.mkdir('tree/sub', { baseDir: d, recursive: true });
        await g.fs.writeTextFile('tree/a.txt', '12345', { baseDir: d });
        await g.fs.writeTextFile('tree/sub/b.txt', '123', { baseDir: d });
        await g.fs.copyFile('tree/a.txt', 'tree/c.txt', { fromPathBaseDir: d, toPathBaseDir: d });
        await g.fs.rename('tree/c.txt', 'tree/d.txt', { oldPathBaseDir: d, newPathBaseDir: d });
        await g.fs.truncate('tree/d.txt', 2, { baseDir: d });
        const entries = (await g.fs.readDir('tree', { baseDir: d })).map((e) => `${e.name}:${e.isDirectory ? 'd' : 'f'}`).sort();
        const st = await g.fs.stat('tree/d.txt', { baseDir: d });
        const lst = await g.fs.lstat('tree', { baseDir: d });
        const size = await g.fs.size('tree', { baseDir: d });
        const before = await g.fs.exists('tree', { baseDir: d });
        let notEmpty: unknown;
        try {
          await g.fs.remove('tree', { baseDir: d });
        } catch (e) {
          notEmpty = e;
        }
        await g.fs.remove('tree', { baseDir: d, recursive: true });
        const gone = await g.fs.exists('tree', { baseDir: d });
        return { entries, size: st.size, mtime: st.mtime instanceof Date, dir: lst.isDirectory, total: size, before, gone, notEmpty };
      },
      AppData,
    );
    assert.deepEqual(r, {
      ok: {
        entries: ['a.txt:f', 'd.txt:f', 'sub:d'],
        size: 2,
        mtime: true,
        dir: true,
        total: 10,
        before: true,
        gone: false,
        notEmpty: `failed to remove path: ${path.join(appData, 'tree')} with error: Directory not empty (os error 39)`,
      },
    });
  });

  test('readTextFileLines: CRLF and LF stripped, a last line without a newline, and a missing file', async () => {
    writeFileSync(path.join(appData, 'lines.txt'), 'one\r\ntwo\n\nlast');
    const r = await inPage(
      main,
      async (g, p) => {
        const lines: string[] = [];
        for await (const line of await g.fs.readTextFileLines(p)) lines.push(line);
        let missing: unknown;
        try {
          await g.fs.readTextFile(`${p}.missing`);
        } catch (e) {
          missing = e;
        }
        return { lines, missing };
      },
      path.join(appData, 'lines.txt'),
    );
    assert.deepEqual(r, {
      ok: {
        lines: ['one', 'two', '', 'last'],
        missing: `failed to open file at path: ${path.join(appData, 'lines.txt.missing')} with error: No such file or directory (os error 2)`,
      },
    });
  });

  test('watchImmediate: a file created in the watched folder arrives as a notify event; unwatch stops it', async () => {
    mkdirSync(path.join(appData, 'watched'), { recursive: true });
    await main.evaluate(
      async (dir) => {
        const g = (window as unknown as { __TAURI__: import('../helpers/first-party.js').Guests }).__TAURI__;
        const w = window as unknown as { __events: unknown[]; __unwatch: () => void };
        w.__events = [];
        w.__unwatch = await g.fs.watchImmediate(dir, (e) => w.__events.push(e));
      },
      path.join(appData, 'watched'),
    );
    writeFileSync(path.join(appData, 'watched', 'new.txt'), 'x');
    await main.waitForFunction(() => (window as unknown as { __events: unknown[] }).__events.length > 0);
    const events = await main.evaluate(() => (window as unknown as { __events: unknown[] }).__events);
    assert.deepEqual(events[0], { type: { create: { kind: 'file' } }, paths: [path.join(appData, 'watched', 'new.txt')], attrs: {} });
    // Stopped: a second watcher sees the next file, the first (unwatched before it was written) does not.
    await main.evaluate(
      async (dir) => {
        const g = (window as unknown as { __TAURI__: import('../helpers/first-party.js').Guests }).__TAURI__;
        const w = window as unknown as { __events: unknown[]; __later: unknown[]; __unwatch: () => void };
        w.__unwatch();
        w.__later = [];
        await g.fs.watchImmediate(dir, (e) => w.__later.push(e));
      },
      path.join(appData, 'watched'),
    );
    writeFileSync(path.join(appData, 'watched', 'second.txt'), 'y');
    await main.waitForFunction(() => (window as unknown as { __later: unknown[] }).__later.length > 0);
    const first = (await main.evaluate(() => (window as unknown as { __events: { paths: string[] }[] }).__events)).flatMap((e) => e.paths);
    assert.ok(!first.includes(path.join(appData, 'watched', 'second.txt')), JSON.stringify(first));
  });
});

describe('fs plugin, debounced watch', () => {
  test('watch (delayMs) reports a change in a subfolder when recursive, after the delay', async () => {
    mkdirSync(path.join(appData, 'deep', 'sub'), { recursive: true });
    await main.evaluate(
      async (dir) => {
        const g = (window as unknown as { __TAURI__: import('../helpers/first-party.js').Guests }).__TAURI__;
        const w = window as unknown as { __deep: unknown[] };
        w.__deep = [];
        await g.fs.watch(dir, (e) => w.__deep.push(e), { recursive: true, delayMs: 100 });
      },
      path.join(appData, 'deep'),
    );
    const started = Date.now();
    writeFileSync(path.join(appData, 'deep', 'sub', 'f.txt'), 'z');
    await main.waitForFunction(() => (window as unknown as { __deep: unknown[] }).__deep.length > 0);
    assert.ok(Date.now() - started >= 100, 'not before the delay');
    const events = await main.evaluate(() => (window as unknown as { __deep: { paths: string[] }[] }).__deep);
    assert.ok(
      events.some((e) => e.paths.includes(path.join(appData, 'deep', 'sub', 'f.txt'))),
      JSON.stringify(events),
    );
  });
});

describe('fs plugin, refused', () => {
  test('outside the scope: forbidden path, for reads, writes and exists alike', async () => {
    const r = await inPage(
      main,
      async (g) => {
        const out: unknown[] = [];
        for (const f of [
          () => g.fs.readTextFile('/etc/hostname'),
          () => g.fs.writeTextFile('/tmp/airlock-nope.txt', 'x'),
          () => g.fs.exists('/etc'),
        ]) {
          try {
            out.push({ ok: await f() });
          } catch (e) {
            out.push(e);
          }
        }
        return out;
      },
      null,
    );
    assert.deepEqual(r, { ok: ['forbidden path: /etc/hostname', 'forbidden path: /tmp/airlock-nope.txt', 'forbidden path: /etc'] });
  });

  test('`..` is refused before the scope is looked at, with the invalid-args text', async () => {
    const r = await inPage(main, (g, d) => g.fs.readTextFile('ñotes/../../../etc/passwd', { baseDir: d }), AppData);
    assert.deepEqual(r, {
      rejected:
        'invalid args `path` for command `read_text_file`: invalid value: string "ñotes/../../../etc/passwd", expected Unsafe PathBuf: cannot traverse directory, rewrite the path without the use of `../`',
    });
  });

  test('a dot-file under $APPDATA/** is not matched by the glob; a denied folder is refused even though $APPDATA/** allows it', async () => {
    mkdirSync(path.join(appData, 'secret'), { recursive: true });
    writeFileSync(path.join(appData, 'secret', 'key.txt'), 'k');
    writeFileSync(path.join(appData, '.hidden'), 'h');
    const r = await inPage(
      main,
      async (g, d) => {
        const out: unknown[] = [];
        for (const p of ['.hidden', 'secret/key.txt', 'secret']) {
          try {
            out.push({ ok: await g.fs.readTextFile(p, { baseDir: d }) });
          } catch (e) {
            out.push(e);
          }
        }
        return out;
      },
      AppData,
    );
    assert.deepEqual(r, {
      ok: [
        `forbidden path: ${path.join(appData, '.hidden')}`,
        `forbidden path: ${path.join(appData, 'secret', 'key.txt')}`,
        `forbidden path: ${path.join(appData, 'secret')}`,
      ],
    });
  });

  test('fs:default alone reads $APPDATA but may not write: the ACL refuses before the plugin runs', async () => {
    assert.deepEqual(await inPage(limited, (g, p) => g.fs.readTextFile(p), path.join(appData, 'stream.txt')), { ok: 'one,two,three' });
    const w = await inPage(limited, (g, p) => g.fs.writeTextFile(p, 'x'), path.join(appData, 'stream.txt'));
    assert.ok('rejected' in w && String(w.rejected).includes('fs.write_text_file not allowed'), JSON.stringify(w));
    assert.equal(readFileSync(path.join(appData, 'stream.txt'), 'utf8'), 'one,two,three');
  });

  test('a file allowed at run time (what a dialog pick does) becomes readable, and only that file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-fs-pick-'));
    const picked = path.join(dir, 'picked [1].txt');
    writeFileSync(picked, 'picked');
    writeFileSync(path.join(dir, 'other.txt'), 'other');
    assert.deepEqual(await inPage(main, (g, p) => g.fs.readTextFile(p), picked), { rejected: `forbidden path: ${picked}` });
    allowFsPath(t.app, picked);
    assert.deepEqual(await inPage(main, (g, p) => g.fs.readTextFile(p), picked), { ok: 'picked' });
    assert.deepEqual(await inPage(limited, (g, p) => g.fs.readTextFile(p), picked), { ok: 'picked' });
    const other = path.join(dir, 'other.txt');
    assert.deepEqual(await inPage(main, (g, p) => g.fs.readTextFile(p), other), { rejected: `forbidden path: ${other}` });
  });
});
