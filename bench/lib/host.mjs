// Variant "host": the page in a Chromium driven by the CLI's own window host (`ChromiumHost` from dist/cli/windows.js),
// as `airlock dev --headless` runs an app window: the CLI's Chromium flags (`chromiumArgs`: `--app`, a
// `--remote-debugging-pipe`, …), the host's attach sequence (browser-level target discovery, the first page found,
// the one-time URL sent over the pipe by a short-lived session) and a profile directory of its own, here a temporary
// one. The pipe stays open for the whole run, as it does under `airlock dev`, so whatever the attachment costs each
// WebSocket frame the page sends shows up as this variant's ratio to brownfield.
import childProcess from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from './browser.mjs';

/** Tauri's default window size; the host gives the window `--window-size` from it, as for a config window. */
const WINDOW = { label: 'main', title: 'Airlock bench', width: 800, height: 600, url: '/index.html' };

/**
 * Opens `url` in a window of a new `ChromiumHost` (headless) on `binary`. Same shape as `launchChromium`'s result:
 * `kill()` stops the host's browser (its own process group only) and removes the profile.
 */
export async function launchHosted(root, binary, url, { sameSession = false } = {}) {
  const { ChromiumHost, chromiumArgs } = await import(pathToFileURL(path.join(root, 'dist', 'cli', 'windows.js')).href);
  const profile = mkdtempSync(path.join(tmpdir(), 'airlock-bench-host-profile-'));
  if (sameSession) inSession(`--user-data-dir=${profile}`);
  const host = new ChromiumHost(binary, profile, { headless: true });
  const win = host.open(url, WINDOW);
  let detail = '';
  const exited = win.ended.then((e) => {
    detail = `window ${e.reason}${e.detail ? `: ${e.detail}` : ''}`;
    return e;
  });
  let pid;
  win.opened.then(
    (p) => (pid = p),
    () => undefined,
  );
  let killed;
  return {
    get pid() {
      return pid;
    },
    exited,
    flags: chromiumArgs('<profile>', WINDOW, { headless: true }),
    stderrTail: () => detail,
    kill() {
      killed ??= (async () => {
        await host.stop().catch(() => undefined);
        rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      })();
      return killed;
    },
  };
}

/**
 * Diagnosis (`--host-control`): Chromium with the window host's flags, the page given as `--app=<url>` on the command
 * line, plus at most one step of what the host does. hostFlags: nothing more (what the CLI's flags cost). hostPipe
 * (`pipe`): the pipe open, no command ever sent (what the pipe alone costs). hostNav (`step: 'navigate'`): the page
 * sent to its URL by the host's attach–`Page.navigate`–detach. hostDiscover (`step: 'discover'`): browser-level
 * `Target.setDiscoverTargets` only. hostSession (`detached`): no pipe, the browser in a session of its own, as the
 * host starts it.
 */
export async function launchHostFlags(root, url, { pipe = false, step, detached = false } = {}) {
  const { chromiumArgs } = await import(pathToFileURL(path.join(root, 'dist', 'cli', 'windows.js')).href);
  const flags = chromiumArgs('<profile>', WINDOW, { headless: true }).filter(
    (f) =>
      (pipe || f !== '--remote-debugging-pipe') && !f.startsWith('--user-data-dir=') && (step === 'navigate' || !f.startsWith('--app=')),
  );
  const browser = launchChromium(step === 'navigate' ? undefined : `--app=${url}`, flags, { detached });
  if (step !== undefined) {
    // One step of the host's attach sequence alone, through the CLI's own DevTools client.
    const { DevToolsPipe, firstPage, navigate } = await import(pathToFileURL(path.join(root, 'dist', 'cli', 'devtools.js')).href);
    const devtools = new DevToolsPipe(browser.pipe.toBrowser, browser.pipe.fromBrowser);
    if (step === 'discover') await devtools.send('Target.setDiscoverTargets', { discover: true });
    else await navigate(devtools, (await firstPage(devtools)).targetId, url);
  }
  return { ...browser, flags };
}

/** `--user-data-dir=` flags of the browsers that `inSession` keeps in the driver's session. */
const sameSession = new Set();

/**
 * Diagnosis (variant hostInSession): the host spawns its browser `detached` (a process group of its own, so the CLI
 * can end the browser's helpers with it), which on Linux also makes it a session of its own, and with the kernel's
 * autogroup scheduling (`/proc/sys/kernel/sched_autogroup_enabled`) a CPU-share group of its own. This starts the
 * browser with that profile flag in the driver's session instead, everything else the host does unchanged.
 */
function inSession(flag) {
  if (sameSession.size === 0) {
    const spawn = childProcess.spawn;
    childProcess.spawn = (command, args, options) =>
      spawn(command, args, Array.isArray(args) && args.some((a) => sameSession.has(a)) ? { ...options, detached: false } : options);
    // dist/cli/processes.js imported `spawn` as an ES binding of the built-in module: make it see the wrapper.
    syncBuiltinESMExports();
  }
  sameSession.add(flag);
}
