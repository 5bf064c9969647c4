// Security finding #2: the CLI used to start Chromium with the window's one-time credential in `--app=<url>`, and
// every user of the machine can read a process's command line; whoever redeemed the ticket first became the
// webview. Now the window starts blank and gets its URL over the browser's private DevTools pipe.
//
// The attacker is a second Unix user (created here; the test needs root, as CI has, and skips without it): while
// `airlock run` shows its windows under Xvfb, that user reads every process's command line from /proc. It must see
// the app's Chromium processes (so the check can see what it looks for) and no credential in any of them.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CHROMIUM } from '../helpers/browser.js';
import { makeProject, removeProject, startCli } from './helpers.js';

const XVFB_RUN = '/usr/bin/xvfb-run';
const OTHER_USER = 'airlock-other';
const root = process.getuid?.() === 0;
const skip = !root
  ? 'needs root to create and act as a second Unix user (CI runs as root)'
  : !existsSync(XVFB_RUN)
    ? 'xvfb-run is not installed'
    : !existsSync(CHROMIUM)
      ? `no Chromium at ${CHROMIUM}`
      : false;
if (skip !== false) console.log(`# skipping the other-user window test: ${skip}`);

/** The uid and gid of the second user, created on first use. */
function otherUser(): { uid: number; gid: number } {
  try {
    execFileSync('id', ['-u', OTHER_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER_USER], { stdio: 'ignore' });
  }
  const uid = Number(execFileSync('id', ['-u', OTHER_USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', OTHER_USER]).toString().trim());
  assert.ok(uid > 0, 'the second user is not root');
  return { uid, gid };
}

/** Every process's command line as `<pid> <argv…>`, as the second user reads them from /proc. */
function commandLinesAs(user: { uid: number; gid: number }): Promise<string[]> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: `${d#/proc/}` is the shell's parameter expansion, not a template
  const script = 'for d in /proc/[0-9]*; do printf "%s " "${d#/proc/}"; tr "\\000" " " < "$d/cmdline" 2>/dev/null; echo; done';
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], { uid: user.uid, gid: user.gid, cwd: '/', stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', () => resolve(out.split('\n').filter((l) => l.trim() !== '')));
  });
}

describe('the window credential and other local users (#2)', { skip }, () => {
  test("a second Unix user reading every command line finds the app's Chromium but no credential", { timeout: 120_000 }, async () => {
    const user = otherUser();
    const project = await makeProject('window');
    try {
      await using cli = startCli(['run', project, '--verbose'], {
        wrap: [XVFB_RUN, '-a', '-s', '-screen 0 1024x700x24 -nolisten tcp'],
        env: { AIRLOCK_BROWSER: CHROMIUM },
      });
      await cli.waitFor(/window main opened \(pid (\d+)\)/);
      // The page was sent to its one-time URL and redeemed it: IPC works.
      await cli.waitFor(/page ready: main says \{"from":"\/"\}/);
      // Only the processes of this app (other processes on the machine may mention anything).
      const ours = new Set([cli.child.pid, ...cli.tree()].map(String));
      const lines = (await commandLinesAs(user)).filter((l) => ours.has(l.split(' ')[0] ?? ''));
      const browsers = lines.filter((l) => l.includes('airlock-chromium-profile'));
      assert.ok(browsers.length > 0, "the second user can read the app's Chromium command lines (the check sees them)");
      const leaks = lines.filter((l) => l.includes('__airlock') || /#.*ticket|airlock\.ticket/.test(l));
      assert.deepEqual(leaks, [], 'no command line carries a credential');
      assert.ok(
        browsers.some((l) => l.includes('--remote-debugging-pipe')),
        'the window is driven over the DevTools pipe',
      );
      assert.ok(!lines.some((l) => /--remote-debugging-port/.test(l)), 'no TCP debugging port');
    } finally {
      removeProject(project);
    }
  });
});
