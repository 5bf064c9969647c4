// The opener and shell plugins driven in Chromium by @tauri-apps/plugin-opener and @tauri-apps/plugin-shell
// (window.__TAURI__.opener / .shell). The system opener is replaced by a recording command (the plugins' documented
// `command` option) — the only replaced part; every shell command is a real child process: fixed and regex-checked
// arguments, stdout/stderr/close over a Channel, stdin, kill, a sidecar; and the refusals in Tauri's words.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import opener from 'airlock/plugins/opener';
import shell from 'airlock/plugins/shell';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { FIRST_PARTY, FIRST_PARTY_CONFIG, inPage } from '../helpers/first-party.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'airlock-opener-'));
const dataHome = path.join(work, 'data');
const appData = path.join(dataHome, 'dev.airlock.first-party');
const record = path.join(work, 'record.log');
const recorder = path.join(FIRST_PARTY, 'bin', 'record');

let browser: Browser;
let t: TestApp;
let main: Page;
let limited: Page;
const saved = { xdg: process.env['XDG_DATA_HOME'], rec: process.env['AIRLOCK_RECORD'] };

before(async () => {
  process.env['XDG_DATA_HOME'] = dataHome;
  process.env['AIRLOCK_RECORD'] = record;
  mkdirSync(appData, { recursive: true });
  writeFileSync(record, '');
  browser = await launchBrowser();
  t = await startApp((b) => b.plugin(opener({ command: [recorder] })).plugin(shell({ command: [recorder], externalBin: ['bin/side'] })), {
    config: FIRST_PARTY_CONFIG,
  });
  [main, limited] = (await Promise.all(['main', 'limited'].map((l) => openPage(browser, t.server.url(l))))) as [Page, Page];
});

after(async () => {
  for (const [k, v] of [
    ['XDG_DATA_HOME', saved.xdg],
    ['AIRLOCK_RECORD', saved.rec],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

/** The lines the recording opener wrote since the last call. */
let seen = 0;
function recorded(): string[] {
  const lines = readFileSync(record, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const fresh = lines.slice(seen);
  seen = lines.length;
  return fresh;
}

const settle = async <T>(page: Page, fn: (g: import('../helpers/first-party.js').Guests, a: T) => Promise<unknown>, arg: T) => {
  const r = await inPage(page, fn, arg);
  return 'ok' in r ? { ok: r.ok ?? null } : r;
};

describe('opener plugin', () => {
  test('openUrl of an https URL (opener:default) reaches the opener with the URL as its argument', async () => {
    assert.deepEqual(await settle(main, (g) => g.opener.openUrl('https://tauri.app/a?b=1&c=2'), null), { ok: null });
    assert.deepEqual(recorded(), ['https://tauri.app/a?b=1&c=2']);
  });

  test('refused URLs: another scheme, a program the entry does not allow, a denied URL; nothing is opened', async () => {
    const r = await inPage(
      main,
      async (g) => {
        const out: unknown[] = [];
        for (const [url, app] of [['file:///etc/passwd'], ['https://tauri.app', 'firefox'], ['https://blocked.example/x']] as [
          string,
          string?,
        ][]) {
          try {
            await g.opener.openUrl(url, app);
            out.push('opened');
          } catch (e) {
            out.push(e);
          }
        }
        return out;
      },
      null,
    );
    assert.deepEqual(r, {
      ok: [
        'Not allowed to open url file:///etc/passwd',
        'Not allowed to open url https://tauri.app with firefox',
        'Not allowed to open url https://blocked.example/x',
      ],
    });
    assert.deepEqual(recorded(), []);
  });

  test('an entry with app: true lets the page name the program, which runs with the URL', async () => {
    assert.deepEqual(await settle(main, (g, p) => g.opener.openUrl('https://with.example/page', p), recorder), { ok: null });
    assert.deepEqual(recorded(), ['https://with.example/page']);
  });

  test('openPath in its scope, refused outside it; revealItemInDir', async () => {
    const file = path.join(appData, 'doc.txt');
    writeFileSync(file, 'x');
    assert.deepEqual(await settle(main, (g, p) => g.opener.openPath(p), file), { ok: null });
    assert.deepEqual(await settle(main, (g) => g.opener.openPath('/etc/passwd'), null), {
      rejected: 'Not allowed to open path /etc/passwd',
    });
    assert.deepEqual(await settle(main, (g, p) => g.opener.revealItemInDir(p), file), { ok: null });
    assert.deepEqual(recorded(), [file, `--reveal ${file}`]);
    const denied = await inPage(limited, (g, p) => g.opener.openPath(p), file);
    assert.ok('rejected' in denied && String(denied.rejected).includes('opener.open_path not allowed'), JSON.stringify(denied));
  });
});

describe('shell plugin', () => {
  test('execute: a fixed argument and a regex-checked one (by position, as Tauri); a failing argument and an unknown name are refused', async () => {
    const r = await inPage(
      main,
      async (g) => {
        const ok = await g.shell.Command.create('echo-fixed', ['fixed', 'hello']).execute();
        const out: unknown[] = [ok];
        for (const [name, args] of [
          ['echo-fixed', ['fixed', 'two words']],
          ['echo-fixed', []],
          ['rm', ['-rf', '/']],
        ] as [string, string[]][]) {
          try {
            await g.shell.Command.create(name, args).execute();
            out.push('ran');
          } catch (e) {
            out.push(e);
          }
        }
        return out;
      },
      null,
    );
    assert.deepEqual(r, {
      ok: [
        { code: 0, signal: null, stdout: 'fixed hello\n', stderr: '' },
        'program not allowed on the configured shell scope: echo-fixed',
        'program not allowed on the configured shell scope: echo-fixed',
        'program not allowed on the configured shell scope: rm',
      ],
    });
  });

  test('spawn: stdin written by the page, stdout and stderr lines, then close with the exit code', async () => {
    const r = await inPage(
      main,
      async (g) => {
        const events: unknown[] = [];
        const cmd = g.shell.Command.create('sh', ['-c', 'read x; echo "got $x"; echo oops >&2; exit 3']);
        cmd.stdout.on('data', (l) => events.push(['out', l]));
        cmd.stderr.on('data', (l) => events.push(['err', l]));
        const closed = new Promise((resolve) => cmd.on('close', resolve));
        const child = await cmd.spawn();
        await child.write('hi\n');
        const close = await closed;
        return { pid: typeof child.pid, events: events.sort(), close };
      },
      null,
    );
    assert.deepEqual(r, {
      ok: {
        pid: 'number',
        events: [
          ['err', 'oops\n'],
          ['out', 'got hi\n'],
        ],
        close: { code: 3, signal: null },
      },
    });
  });

  test('kill ends a running child: close reports SIGKILL', async () => {
    const r = await inPage(
      main,
      async (g) => {
        const cmd = g.shell.Command.create('sh', ['-c', 'echo started; sleep 30']);
        const started = new Promise((resolve) => cmd.stdout.on('data', resolve));
        const closed = new Promise((resolve) => cmd.on('close', resolve));
        const child = await cmd.spawn();
        await started;
        await child.kill();
        return await closed;
      },
      null,
    );
    assert.deepEqual(r, { ok: { code: null, signal: 9 } });
  });

  test('a sidecar from externalBin runs; the same name without the sidecar flag is refused', async () => {
    const r = await inPage(
      main,
      async (g) => {
        const ran = await g.shell.Command.sidecar('bin/side', ['x', 'y']).execute();
        let plain: unknown;
        try {
          await g.shell.Command.create('bin/side').execute();
        } catch (e) {
          plain = e;
        }
        return { stdout: ran.stdout, plain };
      },
      null,
    );
    assert.deepEqual(r, { ok: { stdout: 'sidecar says x y\n', plain: 'program not allowed on the configured shell scope: bin/side' } });
  });

  test('a window without shell grants is refused by the ACL; the deprecated open checks its regex', async () => {
    const denied = await inPage(limited, (g) => g.shell.Command.create('sh', ['-c', 'true']).execute(), null);
    assert.ok('rejected' in denied && String(denied.rejected).includes('shell.execute not allowed'), JSON.stringify(denied));
    assert.deepEqual(await settle(main, (g) => g.shell.open('https://tauri.app'), null), { ok: null });
    assert.deepEqual(await settle(main, (g) => g.shell.open('file:///etc/passwd'), null), {
      rejected:
        'Scoped command argument at position 0 was found, but failed regex validation ^((mailto:\\w+)|(tel:\\w+)|(https?://\\w+)).+',
    });
    assert.deepEqual(recorded(), ['https://tauri.app']);
  });
});
