// The os and process plugins driven in Chromium by their official guest packages (@tauri-apps/plugin-os,
// @tauri-apps/plugin-process, as window.__TAURI__.os / .process): the synchronous getters read the init script's
// global, locale/hostname are commands gated by os:default (hostname is not in it), and exit/relaunch end a real
// child app process (its exit code is the page's; the relaunched copy is a new process with the same arguments).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import nodeOs from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import os from 'airlock/plugins/os';
import processPlugin from 'airlock/plugins/process';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { FIRST_PARTY, FIRST_PARTY_CONFIG, inPage } from '../helpers/first-party.js';
import { testFrontend } from '../helpers/frontend.js';
import { poll } from '../helpers/wait.js';

let browser: Browser;
let t: TestApp;
let main: Page;
let limited: Page;

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) => b.plugin(os()).plugin(processPlugin({ exit: () => {} })), { config: FIRST_PARTY_CONFIG });
  [main, limited] = (await Promise.all(['main', 'limited'].map((l) => openPage(browser, t.server.url(l))))) as [Page, Page];
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

describe('os plugin', () => {
  test('the synchronous getters read the init script global, with Rust names for this machine', async () => {
    const got = await inPage(
      main,
      (g) => ({
        platform: g.os.platform(),
        arch: g.os.arch(),
        family: g.os.family(),
        type: g.os.type(),
        eol: g.os.eol(),
        exe: g.os.exeExtension(),
        version: g.os.version(),
      }),
      null,
    );
    assert.ok('ok' in got, JSON.stringify(got));
    const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch as 'x64' | 'arm64'] ?? process.arch;
    assert.deepEqual(
      { ...got.ok, version: typeof got.ok.version },
      {
        platform: 'linux',
        arch,
        family: 'unix',
        type: 'linux',
        eol: '\n',
        exe: '',
        version: 'string',
      },
    );
    const release = readFileSync('/etc/os-release', 'utf8');
    const id = /^VERSION_ID="?([^"\n]*)"?$/m.exec(release)?.[1];
    if (id !== undefined && /^\d+$/.test(id)) assert.equal(got.ok.version, `${id}.0.0`);
  });

  test('hostname is a command outside os:default: allowed where granted, refused elsewhere', async () => {
    assert.deepEqual(await inPage(main, (g) => g.os.hostname(), null), { ok: nodeOs.hostname() });
    const refused = await inPage(limited, (g) => g.os.hostname(), null);
    assert.ok('rejected' in refused && String(refused.rejected).includes('os.hostname not allowed'), JSON.stringify(refused));
    const locale = await inPage(limited, (g) => g.os.locale(), null);
    assert.ok('ok' in locale && (locale.ok === null || typeof locale.ok === 'string'), JSON.stringify(locale));
  });

  test('the process plugin is refused where process:default is not granted', async () => {
    const refused = await inPage(limited, (g) => g.process.exit(1), null);
    assert.ok('rejected' in refused && String(refused.rejected).includes('process.exit not allowed'), JSON.stringify(refused));
  });
});

describe('process plugin, in a real child app', () => {
  async function child(): Promise<{ url: string; exited: Promise<number | null>; mark: string }> {
    const dir = mkdtempSync(path.join(nodeOs.tmpdir(), 'airlock-process-'));
    const mark = path.join(dir, 'relaunched.json');
    const proc = spawn(process.execPath, [path.join(FIRST_PARTY, 'exit-app.mjs'), await testFrontend(), FIRST_PARTY_CONFIG], {
      env: { ...process.env, AIRLOCK_RELAUNCHED_MARK: mark },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout.setEncoding('utf8');
      proc.stdout.on('data', (s: string) => {
        out += s;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line !== undefined && out.includes('\n')) resolve((JSON.parse(line) as { main: string }).main);
      });
      proc.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    return { url, exited, mark };
  }

  test('exit(3) from the page: the app closes and the Node process exits with 3', async () => {
    const c = await child();
    const page = await openPage(browser, c.url);
    assert.deepEqual(await inPage(page, (g) => g.process.exit(3), null), { ok: undefined });
    assert.equal(await c.exited, 3);
    await page.context().close();
  });

  test('relaunch(): a new process with the same arguments starts, and this one exits with 0', async () => {
    const c = await child();
    const page = await openPage(browser, c.url);
    assert.deepEqual(await inPage(page, (g) => g.process.relaunch(), null), { ok: undefined });
    assert.equal(await c.exited, 0);
    await poll(() => existsSync(c.mark), { ms: 10_000, every: 50 });
    const copy = JSON.parse(readFileSync(c.mark, 'utf8')) as { argv: string[] };
    assert.deepEqual(copy.argv, [await testFrontend(), FIRST_PARTY_CONFIG]);
    await page.context().close();
  });
});
