// Headless Chromium started directly — no DevTools protocol, no Playwright: a driver attached over CDP adds 2–3×
// per WebSocket message (../shared/machine-notes.md §6) and would squeeze every ratio towards 1.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Measurement only, for scenario 6: exact performance.memory figures (not bucketed) and window.gc().
  '--enable-precise-memory-info',
  '--js-flags=--expose-gc',
];

export function chromiumVersion() {
  try {
    return execFileSync(CHROMIUM, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Starts Chromium on `url` (a URL, a flag that names it such as `--app=<url>`, or none) with `flags`. `kill()` ends it by
 * pid and removes its temporary profile.
 */
export function launchChromium(url, flags = CHROMIUM_FLAGS, { detached = false } = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), 'airlock-bench-profile-'));
  // With `--remote-debugging-pipe` (a diagnosis variant) the browser needs its fds 3 and 4: open, never written to.
  let pipe;
  const stdio = ['ignore', 'ignore', 'pipe', ...(flags.includes('--remote-debugging-pipe') ? ['pipe', 'pipe'] : [])];
  const proc = spawn(CHROMIUM, [...flags, `--user-data-dir=${profile}`, ...(url === undefined ? [] : [url])], { stdio, detached });
  if (flags.includes('--remote-debugging-pipe') && proc.stdio[3] && proc.stdio[4])
    pipe = { toBrowser: proc.stdio[3], fromBrowser: proc.stdio[4] };
  else proc.stdio[4]?.resume();
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  let killed;
  return {
    pid: proc.pid,
    /** With `--remote-debugging-pipe`: the streams to and from the browser. */
    pipe,
    exited,
    stderrTail: () => stderr,
    kill() {
      killed ??= (async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGTERM');
          const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        // Helper processes may write into the profile for a moment after the browser exits.
        for (let i = 0; i < 50; i++) {
          try {
            rmSync(profile, { recursive: true, force: true });
            return;
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      })();
      return killed;
    },
  };
}
