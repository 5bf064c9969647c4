/**
 * App windows. Default: chromeless windows of an installed Chromium, Chrome or Edge, all of one app in **one**
 * browser process on one persistent profile (under the app's local data dir, as Tauri keeps its webview's data), so
 * `localStorage` and IndexedDB are shared between the app's windows and survive restarts. A second browser process
 * cannot share a profile (Chromium hands its window to the first process as a tabbed window, or exits with 21 in
 * headless), so the host opens every window itself over the browser's private DevTools pipe (devtools.ts): the
 * first is the `--app` window, each further one a popup opened from a live window (`window.open(…, 'popup')` in an
 * isolated world, which gives an app-style window; `Target.createTarget` would give a tabbed one). Each window is
 * sent to its one-time URL over the pipe: a command line is readable by every user of the machine, so the
 * credential never appears in one. Closing a window closes only it; when the last one closes the browser ends.
 * Without a Chromium, or with no display or `--no-window`, the URLs are printed for the user to open (handing them
 * to the default browser would put them in a command line).
 */
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { WindowConfig } from '../core/config.js';
import type { HostWindowOp, HostWindowState } from '../core/handle.js';
import { DevToolsPipe, firstPage, navigate, type TargetInfo } from './devtools.js';
import { shown, warn } from './output.js';
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

/** The `--app` page the browser starts on (nothing secret: the window is sent to its URL over the pipe). */
const APP_PLACEHOLDER = 'data:text/html,<title>Airlock</title>';

/** The profile's folder under the app's local data dir (`BaseDirectory.AppLocalData`). */
export const PROFILE_FOLDER = 'airlock-chromium-profile';

export interface AppWindow {
  readonly label: string;
  /** Resolves with the pid of the app's browser process (shared by all its windows) once the window shows its page. */
  readonly opened: Promise<number>;
  /** Why it ended, for the log: 'closed' (by the user), 'stopped' (by the CLI), or 'failed' with output. */
  readonly ended: Promise<{ reason: 'closed' | 'stopped' | 'failed'; detail: string }>;
  /** Drives the window over its DevTools pipe; resolves with its state afterwards. */
  control(op: HostWindowOp): Promise<HostWindowState>;
  /** The paths of the files of the page's drop number `drop` (empty when the page holds no such drop). */
  droppedPaths(drop: number): Promise<string[]>;
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
    // A blank page that is not about:blank: `--app=about:blank` opens a tabbed browser window, not an app window.
    `--app=${APP_PLACEHOLDER}`,
    '--remote-debugging-pipe',
    `--user-data-dir=${profile}`,
    `--window-size=${Math.round(w.width)},${Math.round(w.height)}`,
    '--no-first-run',
    '--no-default-browser-check',
    // A persistent profile remembers a crash (a killed CLI): no "restore pages?" bubble over the app's window.
    '--hide-crash-restore-bubble',
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

/**
 * Whether a running browser holds the profile (another instance of the app): Chromium's `SingletonLock` names
 * `<host>-<pid>`. A second browser on it would hand its window to that one.
 */
export function profileInUse(dir: string): boolean {
  let target: string;
  try {
    target = readlinkSync(path.join(dir, 'SingletonLock'));
  } catch {
    return false;
  }
  const m = /^(.*)-(\d+)$/.exec(target);
  if (m === null) return false;
  if (m[1] !== hostname()) return true;
  try {
    process.kill(Number(m[2]), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Most paths read for one drop. */
const MAX_DROPPED_FILES = 1000;

/**
 * The paths of the page runtime's drop number `drop` (the runtime keeps its files at `__AIRLOCK_DROP__`), through a
 * short-lived session: the page's File objects by Runtime.evaluate, each one's path by DOM.getFileInfo (which knows
 * only real files, so a page cannot make up a path), then detach. No domain is enabled.
 */
async function filePaths(pipe: DevToolsPipe, targetId: string, drop: number): Promise<string[]> {
  const { sessionId } = (await pipe.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId?: string };
  if (typeof sessionId !== 'string') throw new Error('Target.attachToTarget returned no session');
  const held = `globalThis.__AIRLOCK_DROP__`;
  try {
    const count = (await pipe.send(
      'Runtime.evaluate',
      {
        expression: `(() => { const d = ${held}; return d && d.q === ${drop} && Array.isArray(d.files) ? d.files.length : 0 })()`,
        returnByValue: true,
      },
      sessionId,
    )) as { result?: { value?: unknown } };
    const n = typeof count.result?.value === 'number' ? Math.min(count.result.value, MAX_DROPPED_FILES) : 0;
    const paths: string[] = [];
    for (let i = 0; i < n; i++) {
      const file = (await pipe.send('Runtime.evaluate', { expression: `${held}.files[${i}]` }, sessionId)) as {
        result?: { objectId?: string };
      };
      const objectId = file.result?.objectId;
      if (typeof objectId !== 'string') continue;
      const info = (await pipe.send('DOM.getFileInfo', { objectId }, sessionId).catch(() => ({}))) as { path?: unknown };
      if (typeof info.path === 'string' && info.path !== '') paths.push(info.path);
    }
    return paths;
  } finally {
    await pipe.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
  }
}

/** How long a maximize/minimize/fullscreen may take to show in the window's state (window managers are asynchronous). */
const STATE_SETTLE_MS = 3000;

/** A browser that exits this fast with an error never showed a window. */
const EARLY_FAILURE_MS = 4000;

/** How long Chromium may take to shut down cleanly (Browser.close) before its processes are stopped. */
const CLOSE_GRACE_MS = 5000;

/** How long a popup opened for a new window may take to appear as a target. */
const POPUP_TIMEOUT_MS = 15_000;

type Ending = { reason: 'closed' | 'stopped' | 'failed'; detail: string };

interface HostedWindow {
  readonly label: string;
  targetId: string | undefined;
  stopping: boolean;
  /** Set once its page is loading its one-time URL: it may then serve as the opener of further windows. */
  shown: boolean;
  end(ending: Ending): void;
}

/** One running browser process and the pipe into it. */
interface Browser {
  readonly proc: Managed;
  readonly pipe: DevToolsPipe | undefined;
  readonly started: number;
  output: string;
  /** Settles when the process has exited (and its temp profile, if any, is removed). */
  readonly gone: Promise<number | string>;
  /** Target ids of pages created since the browser started, with their opener (for popups). */
  readonly created: TargetInfo[];
}

/**
 * The window host of one app: one browser process on one profile (`profile`, or a throw-away one when the app has
 * no local data dir), started with the first window and stopped when the last one closes.
 */
export class ChromiumHost {
  readonly #binary: string;
  readonly #profile: string | undefined;
  readonly #headless: boolean;
  #browser: Browser | undefined;
  /** The previous process's exit: a new one may not start on the same profile before it. */
  #previous: Promise<unknown> = Promise.resolve();
  readonly #windows = new Set<HostedWindow>();
  /** Window opens run one at a time (each new window is a popup of a live one). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(binary: string, profile: string | undefined, options: { headless?: boolean } = {}) {
    this.#binary = binary;
    this.#profile = profile;
    this.#headless = options.headless === true;
  }

  /** Opens a window on `url` (sent over the pipe); its `ended` settles when it is closed, stopped or failed. */
  open(url: string, window: WindowConfig): AppWindow {
    let end!: (e: Ending) => void;
    const ended = new Promise<Ending>((resolve) => {
      end = resolve;
    });
    const hosted: HostedWindow = {
      label: window.label,
      targetId: undefined,
      stopping: false,
      shown: false,
      end: (e) => {
        if (!this.#windows.delete(hosted)) return;
        end(e.reason !== 'stopped' && hosted.stopping ? { reason: 'stopped', detail: '' } : e);
        if (this.#windows.size === 0) void this.#stopBrowser();
      },
    };
    this.#windows.add(hosted);
    const opened = this.#queue.then(() => this.#openWindow(hosted, url, window));
    this.#queue = opened.catch(() => undefined);
    const navigated = opened.catch((error: unknown) => {
      const detail = `could not open the window's page: ${error instanceof Error ? error.message : String(error)}`;
      const b = this.#browser;
      if (hosted.targetId !== undefined && b?.pipe !== undefined && !b.pipe.closed)
        void b.pipe.send('Target.closeTarget', { targetId: hosted.targetId }).catch(() => undefined);
      hosted.end({ reason: 'failed', detail });
    });
    void navigated;
    const host = this;
    const openedPid = opened.then(() => browser().proc.pid);
    openedPid.catch(() => undefined);
    const browser = (): Browser => {
      const b = host.#browser;
      if (b?.pipe === undefined || hosted.targetId === undefined) throw new Error('the window has no DevTools pipe');
      return b;
    };
    let windowId: number | undefined;
    const browserWindow = async (): Promise<number> => {
      await opened;
      const { pipe } = browser();
      if (windowId === undefined) {
        const found = (await (pipe as DevToolsPipe).send('Browser.getWindowForTarget', { targetId: hosted.targetId })) as {
          windowId?: number;
        };
        if (typeof found.windowId !== 'number') throw new Error('Browser.getWindowForTarget returned no window');
        windowId = found.windowId;
      }
      return windowId;
    };
    const windowState = async (pipe: DevToolsPipe, id: number): Promise<HostWindowState> => {
      const { bounds } = (await pipe.send('Browser.getWindowBounds', { windowId: id })) as { bounds?: { windowState?: HostWindowState } };
      return bounds?.windowState ?? 'normal';
    };
    return {
      label: window.label,
      opened: openedPid,
      ended,
      async control(op) {
        const id = await browserWindow();
        const p = browser().pipe as DevToolsPipe;
        const targetId = hosted.targetId;
        if (op.op === 'focus') {
          await p.send('Target.activateTarget', { targetId });
          // Page.bringToFront raises the browser window itself (activateTarget alone only picks the tab).
          const { sessionId } = (await p.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId?: string };
          if (typeof sessionId === 'string') {
            await p
              .send('Page.bringToFront', {}, sessionId)
              .finally(() => p.send('Target.detachFromTarget', { sessionId }).catch(() => undefined));
          }
          return windowState(p, id);
        }
        const current = await windowState(p, id);
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
        let state = await windowState(p, id);
        while (op.op === 'state' && state !== wanted && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 50));
          state = await windowState(p, id);
        }
        return state;
      },
      async droppedPaths(drop) {
        await opened;
        const p = browser().pipe as DevToolsPipe;
        return filePaths(p, hosted.targetId as string, drop);
      },
      async close() {
        hosted.stopping = true;
        await opened.catch(() => undefined);
        const b = host.#browser;
        if (hosted.targetId !== undefined && b?.pipe !== undefined && !b.pipe.closed && host.#windows.has(hosted)) {
          const last = host.#windows.size === 1;
          // The last window takes the browser with it (stopping the process is quicker than Chromium's own exit).
          if (last) hosted.end({ reason: 'stopped', detail: '' });
          else await b.pipe.send('Target.closeTarget', { targetId: hosted.targetId }).catch(() => undefined);
        }
        // Closing it ends it (targetDestroyed); a dead pipe means the process is ending it.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([ended, host.#whenGone(), new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
        hosted.end({ reason: 'stopped', detail: '' });
        await ended;
        if (host.#windows.size === 0) await host.#previous;
      },
    };
  }

  /** Stops the browser and every window in it. */
  async stop(): Promise<void> {
    for (const w of [...this.#windows]) {
      w.stopping = true;
      w.end({ reason: 'stopped', detail: '' });
    }
    await this.#stopBrowser();
  }

  #whenGone(): Promise<unknown> {
    return this.#browser?.gone ?? Promise.resolve();
  }

  async #stopBrowser(): Promise<void> {
    const b = this.#browser;
    if (b === undefined) return this.#previous.then(() => undefined);
    this.#browser = undefined;
    // Browser.close shuts Chromium down as closing its last window does, writing the profile out (localStorage is
    // kept in memory for a while); signals to its process group would end its storage process before that.
    if (b.pipe !== undefined && !b.pipe.closed) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        b.pipe.send('Browser.close').then(() => b.gone),
        b.gone,
        new Promise((r) => (timer = setTimeout(r, CLOSE_GRACE_MS))),
      ]).catch(() => undefined);
      clearTimeout(timer);
    }
    b.pipe?.close();
    await b.proc.stop(1000);
    await b.gone;
  }

  async #openWindow(hosted: HostedWindow, url: string, window: WindowConfig): Promise<void> {
    if (!this.#windows.has(hosted)) return;
    let b = this.#browser;
    const opener = [...this.#windows].find((w) => w !== hosted && w.shown && w.targetId !== undefined);
    if (b === undefined || b.pipe === undefined || b.pipe.closed || opener === undefined) {
      if (b !== undefined && opener === undefined) await this.#stopBrowser();
      b = await this.#startBrowser(window);
      if (b.pipe === undefined) throw new Error('the browser was started without its DevTools pipe');
      const page = await firstPage(b.pipe);
      hosted.targetId = page.targetId;
    } else {
      hosted.targetId = await this.#popup(b, opener.targetId as string, window);
    }
    await navigate(b.pipe as DevToolsPipe, hosted.targetId, url);
    hosted.shown = true;
  }

  async #startBrowser(window: WindowConfig): Promise<Browser> {
    await this.#previous;
    let profile = this.#profile;
    let temporary = false;
    if (profile !== undefined && profileInUse(profile)) {
      warn(
        `the app's browser profile ${shown(profile)} is in use (is the app already running?): this run's windows get a throw-away profile, without the app's storage`,
      );
      profile = undefined;
    }
    if (profile !== undefined) mkdirSync(profile, { recursive: true, mode: 0o700 });
    else {
      profile = mkdtempSync(path.join(tmpdir(), 'airlock-profile-'));
      temporary = true;
    }
    // fds 3 and 4 are the DevTools pipe: the browser reads commands from 3 and writes to 4.
    const proc = spawnManaged(this.#binary, chromiumArgs(profile, window, { headless: this.#headless }), {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    const [, , , toBrowser, fromBrowser] = proc.child.stdio;
    const pipe = toBrowser && fromBrowser ? new DevToolsPipe(toBrowser as Writable, fromBrowser as Readable) : undefined;
    const dir = profile;
    const gone = proc.exited.then(async (code) => {
      pipe?.close();
      await proc.stop(500);
      if (temporary) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      return code;
    });
    const b: Browser = { proc, pipe, started: Date.now(), output: '', gone, created: [] };
    this.#browser = b;
    this.#previous = gone;
    proc.child.stderr?.on('data', (chunk: Buffer) => {
      b.output = (b.output + chunk.toString()).slice(-4000);
    });
    void gone.then((code) => {
      if (this.#browser === b) this.#browser = undefined;
      const early = Date.now() - b.started < EARLY_FAILURE_MS;
      const lines = b.output.split('\n').filter((l) => l.trim() !== '' && !/dbus|unexpected operator/i.test(l));
      for (const w of [...this.#windows]) {
        if (early && code !== 0 && !w.stopping)
          w.end({
            reason: 'failed',
            detail: `${path.basename(this.#binary)} exited with ${code}${lines.length > 0 ? `: ${lines.slice(-3).join(' | ')}` : ''}`,
          });
        else w.end({ reason: 'closed', detail: '' });
      }
    });
    if (pipe !== undefined) {
      pipe.on('Target.targetCreated', (params) => {
        const info = params['targetInfo'] as TargetInfo | undefined;
        if (info?.type === 'page') b.created.push(info);
      });
      pipe.on('Target.targetDestroyed', (params) => {
        for (const w of [...this.#windows])
          if (w.targetId !== undefined && w.targetId === params['targetId']) w.end({ reason: 'closed', detail: '' });
      });
      // Browser-level target discovery (no page domain): tells which popup a window.open made, and when a window closes.
      await pipe.send('Target.setDiscoverTargets', { discover: true });
    }
    return b;
  }

  /**
   * A new app-style window: a popup opened by a live window's page, from an isolated world (the page's own
   * `window.open` may be replaced) through a one-off session, `noopener` so the windows share nothing but their
   * origin. The popup starts blank; the caller sends it to its URL.
   */
  async #popup(b: Browser, openerId: string, window: WindowConfig): Promise<string> {
    const pipe = b.pipe as DevToolsPipe;
    const known = new Set(b.created.map((t) => t.targetId));
    const { sessionId } = (await pipe.send('Target.attachToTarget', { targetId: openerId, flatten: true })) as { sessionId?: string };
    if (typeof sessionId !== 'string') throw new Error('Target.attachToTarget returned no session');
    try {
      const { frameTree } = (await pipe.send('Page.getFrameTree', {}, sessionId)) as { frameTree?: { frame?: { id?: string } } };
      const frameId = frameTree?.frame?.id;
      if (typeof frameId !== 'string') throw new Error('Page.getFrameTree returned no frame');
      const { executionContextId } = (await pipe.send(
        'Page.createIsolatedWorld',
        { frameId, worldName: 'airlock-window-host' },
        sessionId,
      )) as {
        executionContextId?: number;
      };
      if (typeof executionContextId !== 'number') throw new Error('Page.createIsolatedWorld returned no context');
      const features = `popup,noopener,noreferrer,width=${Math.round(window.width)},height=${Math.round(window.height)}`;
      await pipe.send(
        'Runtime.evaluate',
        {
          expression: `void window.open('about:blank', '', ${JSON.stringify(features)})`,
          contextId: executionContextId,
          userGesture: true,
        },
        sessionId,
      );
    } finally {
      await pipe.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    }
    const deadline = Date.now() + POPUP_TIMEOUT_MS;
    for (;;) {
      const made = b.created.find((t) => !known.has(t.targetId) && (t as { openerId?: string }).openerId === openerId);
      if (made !== undefined) {
        const found = (await pipe.send('Browser.getWindowForTarget', { targetId: made.targetId })) as { windowId?: number };
        if (typeof found.windowId === 'number')
          await pipe
            .send('Browser.setWindowBounds', {
              windowId: found.windowId,
              bounds: { width: Math.round(window.width), height: Math.round(window.height) },
            })
            .catch(() => undefined);
        return made.targetId;
      }
      if (Date.now() > deadline || pipe.closed) throw new Error(`the browser opened no window within ${POPUP_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
