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
 * Starts Chromium on `url` (a URL, or a flag that names it such as `--app=<url>`) with `flags`. `kill()` ends it by
 * pid and removes its temporary profile.
 */
export function launchChromium(url, flags = CHROMIUM_FLAGS) {
  const profile = mkdtempSync(path.join(tmpdir(), 'airlock-bench-profile-'));
  // With `--remote-debugging-pipe` (a diagnosis variant) the browser needs its fds 3 and 4: open, never written to.
  const stdio = ['ignore', 'ignore', 'pipe', ...(flags.includes('--remote-debugging-pipe') ? ['pipe', 'pipe'] : [])];
  const proc = spawn(CHROMIUM, [...flags, `--user-data-dir=${profile}`, url], { stdio });
  proc.stdio[4]?.resume();
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  let killed;
  return {
    pid: proc.pid,
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
