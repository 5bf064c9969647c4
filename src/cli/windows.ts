/**
 * App windows. Default: a chromeless window of an installed Chromium, Chrome or Edge (`--app`), one browser
 * process per window with its own throw-away profile, so the window's process lifetime *is* the window's lifetime
 * (closing it ends the process; stopping the process closes it). The window starts blank and is sent to its
 * one-time URL over the browser's private DevTools pipe (devtools.ts): a command line is readable by every user of
 * the machine, so the credential never appears in one. Without a Chromium, or with no display or `--no-window`, the
 * URLs are printed for the user to open (handing them to the default browser would put them in a command line).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { WindowConfig } from '../core/config.js';
import type { HostWindowOp, HostWindowState } from '../core/handle.js';
import { DevToolsPipe, firstPage, navigate } from './devtools.js';
import { type Managed, spawnManaged } from './processes.js';

const CHROMIUM_NAMES = [
  'chromium',
  'chromium-browser',
  'google-chrome-stable',
  'google-chrome',
  'microsoft-edge-stable',
  'microsoft-edge',
  'brave-browser',
];

const MAC_APPS = [
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
];

const WINDOWS_APPS = [
  'Google\\Chrome\\Application\\chrome.exe',
  'Microsoft\\Edge\\Application\\msedge.exe',
  'Chromium\\Application\\chrome.exe',
];

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    for (const ext of process.platform === 'win32' ? ['.exe', '.cmd', ''] : ['']) {
      const file = path.join(dir, name + ext);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

/** A Chromium-family browser: `$AIRLOCK_BROWSER`, then the usual names on PATH, then the usual install places. */
export function findChromium(): string | undefined {
  const forced = process.env['AIRLOCK_BROWSER'];
  if (forced !== undefined && forced !== '') return existsSync(forced) ? forced : onPath(forced);
  for (const name of CHROMIUM_NAMES) {
    const found = onPath(name);
    if (found !== undefined) return found;
  }
  if (process.platform === 'darwin') return MAC_APPS.find((f) => existsSync(f));
  if (process.platform === 'win32') {
    const roots = [process.env['PROGRAMFILES'], process.env['PROGRAMFILES(X86)'], process.env['LOCALAPPDATA']].filter(
      (r): r is string => !!r,
    );
    for (const root of roots) for (const app of WINDOWS_APPS) if (existsSync(path.join(root, app))) return path.join(root, app);
  }
  return undefined;
}

/** Whether a window can be shown at all (an X11 or Wayland display on Linux and the BSDs). */
export function hasDisplay(): boolean {
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return !!process.env['DISPLAY'] || !!process.env['WAYLAND_DISPLAY'];
}

export interface AppWindow {
  readonly label: string;
  readonly process: Managed;
  /** Why it ended, for the log: 'closed' (by the user), 'stopped' (by the CLI), or 'failed' with output. */
  readonly ended: Promise<{ reason: 'closed' | 'stopped' | 'failed'; detail: string }>;
  /** Drives the window over its DevTools pipe; resolves with its state afterwards. */
  control(op: HostWindowOp): Promise<HostWindowState>;
  close(): Promise<void>;
}

/**
 * Chromium's flags for an app window: a blank app window driven over the DevTools pipe (never a TCP debugging
 * port, which any local process could use); `--no-sandbox` only where Chromium refuses to start without it (root).
 * Nothing secret goes here: every user of the machine can read a process's command line.
 */
export function chromiumArgs(profile: string, w: Pick<WindowConfig, 'width' | 'height'>, options: { headless?: boolean } = {}): string[] {
  const args = [
    ...(options.headless === true ? ['--headless=new', '--disable-gpu'] : []),
    '--app=about:blank',
    '--remote-debugging-pipe',
    `--user-data-dir=${profile}`,
    `--window-size=${Math.round(w.width)},${Math.round(w.height)}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-sync',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-features=Translate,MediaRouter',
    '--password-store=basic',
  ];
  if (process.getuid?.() === 0) args.push('--no-sandbox', '--test-type');
  const extra = process.env['AIRLOCK_BROWSER_ARGS'];
  if (extra !== undefined && extra.trim() !== '') args.push(...extra.trim().split(/\s+/));
  return args;
}

/** How long a maximize/minimize/fullscreen may take to show in the window's state (window managers are asynchronous). */
const STATE_SETTLE_MS = 3000;

/** A browser that exits this fast with an error never showed a window. */
const EARLY_FAILURE_MS = 4000;

export function openChromiumWindow(browser: string, url: string, window: WindowConfig, options: { headless?: boolean } = {}): AppWindow {
  const profile = mkdtempSync(path.join(tmpdir(), `airlock-window-${window.label.replace(/[^\w-]/g, '_')}-`));
  const started = Date.now();
  // fds 3 and 4 are the DevTools pipe: the browser reads commands from 3 and writes to 4.
  const proc = spawnManaged(browser, chromiumArgs(profile, window, options), { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  const [, , , toBrowser, fromBrowser] = proc.child.stdio;
  const pipe = toBrowser && fromBrowser ? new DevToolsPipe(toBrowser as Writable, fromBrowser as Readable) : undefined;
  let navigationError = '';
  let targetId: string | undefined;
  const navigated = (async () => {
    if (pipe === undefined) throw new Error('the browser was started without its DevTools pipe');
    const page = await firstPage(pipe);
    targetId = page.targetId;
    await navigate(pipe, page.targetId, url);
  })().catch((error: unknown) => {
    navigationError = error instanceof Error ? error.message : String(error);
    if (proc.running) void proc.stop(500);
  });
  void navigated;
  let windowId: number | undefined;
  /** The browser window of the page target (Browser.getWindowForTarget), looked up once. */
  const browserWindow = async (): Promise<number> => {
    await navigated;
    if (pipe === undefined || targetId === undefined) throw new Error('the window has no DevTools pipe');
    if (windowId === undefined) {
      const found = (await pipe.send('Browser.getWindowForTarget', { targetId })) as { windowId?: number };
      if (typeof found.windowId !== 'number') throw new Error('Browser.getWindowForTarget returned no window');
      windowId = found.windowId;
    }
    return windowId;
  };
  const windowState = async (id: number): Promise<HostWindowState> => {
    if (pipe === undefined) return 'normal';
    const { bounds } = (await pipe.send('Browser.getWindowBounds', { windowId: id })) as { bounds?: { windowState?: HostWindowState } };
    return bounds?.windowState ?? 'normal';
  };
  let output = '';
  proc.child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  let stopping = false;
  const ended = proc.exited.then(async (code) => {
    pipe?.close();
    await proc.stop(500);
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    if (stopping) return { reason: 'stopped' as const, detail: '' };
    if (navigationError !== '') return { reason: 'failed' as const, detail: `could not open the window's page: ${navigationError}` };
    const early = Date.now() - started < EARLY_FAILURE_MS;
    if (early && code !== 0) {
      const lines = output.split('\n').filter((l) => l.trim() !== '' && !/dbus|unexpected operator/i.test(l));
      return {
        reason: 'failed' as const,
        detail: `${path.basename(browser)} exited with ${code}${lines.length > 0 ? `: ${lines.slice(-3).join(' | ')}` : ''}`,
      };
    }
    return { reason: 'closed' as const, detail: '' };
  });
  return {
    label: window.label,
    process: proc,
    ended,
    async control(op) {
      const id = await browserWindow();
      const p = pipe as DevToolsPipe;
      if (op.op === 'focus') {
        await p.send('Target.activateTarget', { targetId });
        // Page.bringToFront raises the browser window itself (activateTarget alone only picks the tab).
        const { sessionId } = (await p.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId?: string };
        if (typeof sessionId === 'string') {
          await p
            .send('Page.bringToFront', {}, sessionId)
            .finally(() => p.send('Target.detachFromTarget', { sessionId }).catch(() => undefined));
        }
        return windowState(id);
      }
      const current = await windowState(id);
      // Bounds apply to a normal window, and Chromium changes state only through normal.
      const wanted = op.op === 'state' ? op.state : 'normal';
      if (current !== 'normal' && current !== wanted)
        await p.send('Browser.setWindowBounds', { windowId: id, bounds: { windowState: 'normal' } });
      if (op.op === 'bounds') {
        const { op: _op, ...bounds } = op;
        await p.send('Browser.setWindowBounds', { windowId: id, bounds });
      } else if (wanted !== 'normal' || current !== 'normal') {
        await p.send('Browser.setWindowBounds', { windowId: id, bounds: { windowState: wanted } });
      }
      // A window manager applies a state change asynchronously: read it back until it shows (or give up).
      const until = Date.now() + STATE_SETTLE_MS;
      let state = await windowState(id);
      while (op.op === 'state' && state !== wanted && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        state = await windowState(id);
      }
      return state;
    },
    async close() {
      stopping = true;
      await proc.stop();
      await ended;
    },
  };
}
