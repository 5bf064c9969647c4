/**
 * `airlock run` and `airlock dev`: starts what the project needs, in order, and stops all of it on the way out.
 *
 *   dev:  beforeDevCommand (its own process group) → wait for devUrl → core → windows → watch src-tauri/
 *   run:  beforeBuildCommand (unless --no-build)  → core → windows
 *
 * The core runs in a child process (backend.ts) so a backend change restarts it from fresh modules; the windows are
 * reopened with new one-time URLs on the same port. Closing the last window ends the app (Tauri's default), and so
 * does `getCurrentWindow().close()` of the last one; Ctrl-C or SIGTERM stops windows, core and dev server.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WindowConfig } from '../core/config.js';
import type { HostWindowState } from '../core/handle.js';
import { BaseDirectory, PathResolver } from '../core/paths.js';
import type { FromBackend, StartOptions, ToBackend } from './backend.js';
import { readableByOtherOrigins, runShellCommand, waitForUrl } from './dev-server.js';
import { bold, CliError, cyan, dim, green, log, printError, rows, shown, warn, yellow } from './output.js';
import type { Managed } from './processes.js';
import { loadProject, type Project } from './project.js';
import { watchBackend, type Watcher } from './watch.js';
import { type AppWindow, ChromiumHost, findChromium, hasDisplay, PROFILE_FOLDER, profileInUse } from './windows.js';

export interface RunOptions {
  readonly mode: 'dev' | 'run';
  readonly dir: string | undefined;
  readonly config: string | undefined;
  readonly entry: string | undefined;
  /** false with --no-window. */
  readonly window: boolean;
  /** --headless: every window in headless Chromium (no display needed). */
  readonly headless?: boolean;
  readonly port: number;
  readonly verbose: boolean;
  /** run: run build.beforeBuildCommand first (false with --no-build). */
  readonly build: boolean;
  /** dev: restart on backend changes (false with --no-watch). */
  readonly watch: boolean;
  /** dev: how long to wait for build.devUrl. */
  readonly devTimeoutMs: number;
  /** Serve the IPC inspector (default: on in dev, off in run). */
  readonly inspector: boolean;
}

/** In the profile folder: the port the app's windows last used (their storage is keyed by that origin). */
const PORT_FILE = 'airlock-port';

const BACKEND = fileURLToPath(new URL('./backend.js', import.meta.url));
const VERSION = '0.1.0';

type Ready = Extract<FromBackend, { t: 'ready' }>;
type WindowMode = 'chromium' | 'none';

export class Supervisor {
  readonly #options: RunOptions;
  #project!: Project;
  #backend: ChildProcess | undefined;
  #backendExited: Promise<void> = Promise.resolve();
  #ready: Ready | undefined;
  #devCommand: Managed | undefined;
  #watcher: Watcher | undefined;
  readonly #windows = new Map<string, AppWindow>();
  /** Labels of config windows still "open" (real windows, or pages when no window can be shown). */
  readonly #openLabels = new Set<string>();
  #windowMode: WindowMode = 'none';
  #browser: string | undefined;
  /** The app's one browser process (all its windows, one persistent profile), made with the first window. */
  #host: ChromiumHost | undefined;
  /** That profile's folder (undefined: no window host, or no local data dir for the app). */
  #profile: string | undefined;
  #phase: 'starting' | 'running' | 'restarting' | 'stopping' = 'starting';
  #restartQueued = false;
  #exit!: (code: number) => void;
  readonly done = new Promise<number>((resolve) => {
    this.#exit = resolve;
  });

  constructor(options: RunOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    const o = this.#options;
    this.#project = loadProject(o.dir, { config: o.config, entry: o.entry });
    const p = this.#project;
    if (o.mode === 'dev') await this.#startDevServer();
    else await this.#build();
    if (this.#phase !== 'starting') return;
    if (p.devUrl === undefined || o.mode === 'run') this.#checkFrontend();

    this.#windowMode = this.#pickWindowMode();
    if (this.#windowMode === 'chromium') this.#profile = this.#profileDir();
    const ready = await this.#startBackend();
    if (this.#phase !== 'starting') return;
    if (ready === undefined) throw new CliError('the core did not start (see the error above)');
    this.#rememberPort(ready.port);
    this.#printBanner(ready);
    await this.#openWindows(ready);
    if (o.mode === 'dev' && o.watch) {
      const dirs = [path.dirname(p.configPath)];
      if (!p.entry.startsWith(dirs[0] + path.sep)) dirs.push(path.dirname(p.entry));
      this.#watcher = watchBackend(dirs, (file) => void this.#restart(file));
    }
    if (this.#phase === 'starting') this.#phase = 'running';
  }

  /** Stops everything it started; resolves `done` with `code`. Safe to call more than once. */
  async stop(code: number): Promise<void> {
    if (this.#phase === 'stopping') return;
    this.#phase = 'stopping';
    this.#watcher?.close();
    await Promise.all([...this.#windows.values()].map((w) => w.close()));
    this.#windows.clear();
    await this.#host?.stop();
    await this.#stopBackend();
    await this.#devCommand?.stop();
    this.#exit(code);
  }

  // ── before the core ────────────────────────────────────────────────────────────────────────────────────────────

  async #startDevServer(): Promise<void> {
    const p = this.#project;
    if (p.beforeDevCommand !== undefined) {
      const cmd = runShellCommand(p.beforeDevCommand, { AIRLOCK_DEV: '1', TAURI_ENV_DEBUG: 'true' });
      this.#devCommand = cmd;
      if (p.beforeDevCommand.wait) {
        const code = await cmd.exited;
        if (code !== 0) throw new CliError(`build.beforeDevCommand \`${p.beforeDevCommand.script}\` failed (exit ${code})`);
        this.#devCommand = undefined;
      } else {
        void cmd.exited.then((code) => {
          if (this.#phase === 'stopping') return;
          warn(`build.beforeDevCommand exited (${code}); stopping`);
          void this.stop(code === 0 ? 0 : 1);
        });
      }
    }
    if (p.devUrl !== undefined) {
      const stopped = this.#devCommand?.exited ?? new Promise(() => undefined);
      await waitForUrl(p.devUrl, this.#options.devTimeoutMs, stopped);
      if (await readableByOtherOrigins(p.devUrl))
        warn(
          `the dev server at ${p.devUrl} lets other local origins read it (CORS): any web page on this machine can read your app's sources. ` +
            'Vite: set `server.cors: false` in vite.config (airlock dev proxies it through the core, which needs no CORS)',
        );
    }
  }

  async #build(): Promise<void> {
    const p = this.#project;
    if (p.beforeBuildCommand === undefined || !this.#options.build) return;
    const code = await runShellCommand(p.beforeBuildCommand, { AIRLOCK_BUILD: '1' }).exited;
    if (code !== 0) {
      throw new CliError(
        `build.beforeBuildCommand \`${p.beforeBuildCommand.script}\` failed (exit ${code})`,
        'fix the build, or skip it with --no-build',
      );
    }
  }

  #checkFrontend(): void {
    const p = this.#project;
    if (p.frontendDist === undefined) {
      if (p.devUrl === undefined) warn(`${shown(p.configPath)} has no build.frontendDist; the core serves a placeholder page`);
      else warn(`no build.frontendDist: serving build.devUrl (${p.devUrl}) through the core; is its dev server running?`);
      return;
    }
    if (!existsSync(p.frontendDist)) {
      throw new CliError(
        `${shown(p.configPath)}: build.frontendDist ${shown(p.frontendDist)} does not exist`,
        p.beforeBuildCommand === undefined
          ? 'build the frontend first, or set build.beforeBuildCommand so `airlock run` builds it'
          : 'run without --no-build so build.beforeBuildCommand builds it',
      );
    }
  }

  // ── the core ───────────────────────────────────────────────────────────────────────────────────────────────────

  #startBackend(): Promise<Ready | undefined> {
    const p = this.#project;
    const child = fork(BACKEND, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
      env: { ...process.env, AIRLOCK_MODE: this.#options.mode },
    });
    this.#backend = child;
    this.#backendExited = new Promise((resolve) => child.once('exit', () => resolve()));
    const options: StartOptions = {
      entry: p.entry,
      configPath: p.configPath,
      projectDir: p.dir,
      mode: this.#options.mode,
      port: this.#ready?.port ?? this.#preferredPort(),
      verbose: this.#options.verbose,
      inspector: this.#options.inspector,
      windowHost: this.#windowMode === 'chromium',
    };
    child.send({ t: 'start', options } satisfies ToBackend);
    return new Promise((resolve) => {
      child.on('message', (message: FromBackend) => {
        if (message.t === 'ready') {
          this.#ready = message;
          resolve(message);
        } else if (message.t === 'failed') resolve(undefined);
        else if (message.t === 'close-requested') void this.#closeRequested(message.label);
        else if (message.t === 'open-window') this.#openRequested(message);
        else if (message.t === 'window-op') void this.#windowOp(child, message);
        else if (message.t === 'dropped-paths') void this.#droppedPaths(child, message);
      });
      child.once('exit', (code, signal) => {
        resolve(undefined);
        if (this.#backend !== child) return;
        this.#backend = undefined;
        if (this.#phase !== 'running') return;
        warn(`the core exited unexpectedly (${code ?? signal})`);
        if (this.#options.mode === 'dev' && this.#options.watch) {
          log('waiting for a change in the backend to restart it');
          void this.#closeAllWindows();
        } else void this.stop(1);
      });
    });
  }

  async #stopBackend(): Promise<void> {
    const child = this.#backend;
    if (child === undefined) return;
    this.#backend = undefined;
    if (child.connected) child.send({ t: 'shutdown' } satisfies ToBackend);
    else child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 4000);
    await this.#backendExited;
    clearTimeout(timer);
  }

  #askBackend(labels: readonly string[]): Promise<Readonly<Record<string, string>>> {
    const child = this.#backend;
    if (child === undefined || !child.connected) return Promise.resolve({});
    return new Promise((resolve) => {
      const onMessage = (message: FromBackend): void => {
        if (message.t !== 'urls') return;
        child.off('message', onMessage);
        resolve(message.urls);
      };
      child.on('message', onMessage);
      child.send({ t: 'urls', labels } satisfies ToBackend);
    });
  }

  async #restart(file: string): Promise<void> {
    if (this.#phase === 'restarting') {
      this.#restartQueued = true;
      return;
    }
    if (this.#phase !== 'running') return;
    this.#phase = 'restarting';
    log(`${cyan('changed')} ${shown(file)} ${dim('→ restarting the core')}`);
    const started = Date.now();
    await this.#closeAllWindows();
    await this.#stopBackend();
    if (process.env['AIRLOCK_DEBUG'] === '1') log(`old core stopped after ${Date.now() - started} ms`);
    let ready: Ready | undefined;
    try {
      this.#project = loadProject(this.#options.dir, { config: this.#options.config, entry: this.#options.entry });
      ready = await this.#startBackend();
    } catch (error) {
      printError(error);
    }
    if ((this.#phase as string) === 'stopping') return;
    if (ready === undefined) log(`${yellow('the core did not start')}; fix the error and save again`);
    else {
      log(`${green('core restarted')} in ${Date.now() - started} ms`);
      await this.#openWindows(ready);
    }
    this.#phase = 'running';
    if (this.#restartQueued) {
      this.#restartQueued = false;
      void this.#restart(file);
    }
  }

  // ── windows ────────────────────────────────────────────────────────────────────────────────────────────────────

  #pickWindowMode(): WindowMode {
    if (!this.#options.window) return 'none';
    if (!hasDisplay() && this.#options.headless !== true) {
      warn('no display ($DISPLAY/$WAYLAND_DISPLAY unset): printing the URLs instead of opening windows');
      return 'none';
    }
    this.#browser = findChromium();
    if (this.#browser !== undefined) return 'chromium';
    // Handing the one-time URL to the default browser would put the window's credential in a command line
    // (xdg-open's, the browser's), which every user of the machine can read: print it for the user instead.
    warn('no Chromium, Chrome or Edge found (set AIRLOCK_BROWSER=/path/to/chrome): printing the URLs instead of opening windows');
    return 'none';
  }

  #windowConfigs(): readonly WindowConfig[] {
    return this.#project.config.windows;
  }

  async #openWindows(ready: Ready): Promise<void> {
    const configs = this.#windowConfigs();
    this.#openLabels.clear();
    for (const w of configs) this.#openLabels.add(w.label);
    const printed: Array<readonly [string, string]> = [];
    for (const w of configs) {
      const url = ready.urls[w.label];
      if (url === undefined) continue;
      if (this.#windowMode === 'chromium' && this.#browser !== undefined) this.#watchWindow(this.#open(url, w));
      else printed.push([w.label, url]);
    }
    if (printed.length > 0) this.#printUrls(printed);
  }

  #open(url: string, w: WindowConfig): AppWindow {
    this.#host ??= new ChromiumHost(this.#browser as string, this.#profile, { headless: this.#options.headless === true });
    return this.#host.open(url, w);
  }

  /**
   * The browser profile all the app's windows share: `<AppLocalData>/airlock-chromium-profile` (AppLocalData is
   * `<local data dir>/<identifier>`, where Tauri keeps its webview's data). Without one (no home directory), a
   * throw-away profile per browser run.
   */
  #profileDir(): string | undefined {
    const p = this.#project;
    const base = new PathResolver({ identifier: p.config.identifier, resourceDir: path.dirname(p.configPath) }).baseDirectory(
      BaseDirectory.AppLocalData,
    );
    if (base === undefined) {
      warn('no local data directory for the app: its windows get a throw-away browser profile (storage is not kept)');
      return undefined;
    }
    return path.join(base, PROFILE_FOLDER);
  }

  /**
   * The port to serve on: `--port`, else the one this app's windows used last time. Web storage belongs to an
   * origin, and the core's origin is `http://127.0.0.1:<port>`: on a new port every run, the windows would start
   * with empty storage each time (Tauri's origin never changes).
   */
  #preferredPort(): number {
    if (this.#options.port !== 0 || this.#profile === undefined) return this.#options.port;
    try {
      const port = Number(readFileSync(path.join(this.#profile, PORT_FILE), 'utf8').trim());
      return Number.isInteger(port) && port >= 1024 && port <= 65535 ? port : 0;
    } catch {
      return 0;
    }
  }

  #rememberPort(port: number): void {
    if (this.#profile === undefined) return;
    const wanted = this.#preferredPort();
    if (wanted !== 0 && wanted !== port)
      warn(
        `port ${wanted} is in use: the app is on ${port} this time, so its windows do not see the storage (localStorage, IndexedDB) they keep on ${wanted}`,
      );
    // Another running instance holds the profile (its windows get a throw-away one): its port stays the remembered one.
    if (this.#options.port !== 0 || profileInUse(this.#profile)) return;
    try {
      mkdirSync(this.#profile, { recursive: true, mode: 0o700 });
      writeFileSync(path.join(this.#profile, PORT_FILE), `${port}\n`);
    } catch (error) {
      warn(`could not remember the app's port in ${shown(this.#profile)}: ${(error as Error).message}`);
    }
  }

  /** The core asks to drive a window (size, position, maximize …): done over the window's DevTools pipe. */
  async #windowOp(child: ChildProcess, message: Extract<FromBackend, { t: 'window-op' }>): Promise<void> {
    const w = this.#windows.get(message.label);
    let state: HostWindowState | undefined;
    try {
      state = w === undefined ? undefined : await w.control(message.op);
    } catch (error) {
      if (this.#options.verbose) warn(`window ${bold(message.label)}: ${message.op.op} failed: ${(error as Error).message}`);
    }
    if (child.connected) child.send({ t: 'window-op-done', id: message.id, state } satisfies ToBackend);
  }

  async #droppedPaths(child: ChildProcess, message: Extract<FromBackend, { t: 'dropped-paths' }>): Promise<void> {
    const w = this.#windows.get(message.label);
    let paths: readonly string[] = [];
    try {
      paths = w === undefined ? [] : await w.droppedPaths(message.drop);
    } catch (error) {
      if (this.#options.verbose) warn(`window ${bold(message.label)}: reading dropped files' paths failed: ${(error as Error).message}`);
    }
    if (child.connected) child.send({ t: 'dropped-paths-done', id: message.id, paths } satisfies ToBackend);
  }

  /** A window created at run time (`app.createWebviewWindow`, `new WebviewWindow` in a page). */
  #openRequested(message: Extract<FromBackend, { t: 'open-window' }>): void {
    if (this.#phase === 'stopping') return;
    const { window: w, url } = message;
    this.#openLabels.add(w.label);
    if (this.#windowMode === 'chromium' && this.#browser !== undefined) this.#watchWindow(this.#open(url, w));
    else this.#printUrls([[w.label, url]]);
  }

  #printUrls(entries: ReadonlyArray<readonly [string, string]>): void {
    console.log(
      `\n  Open ${entries.length === 1 ? 'this URL' : 'these URLs'} in Chromium/Chrome/Edge (each works once; reloads keep the session):`,
    );
    for (const [label, url] of entries) console.log(`  ${green('➜')}  ${bold(label)}  ${url}`);
    console.log('');
  }

  #watchWindow(w: AppWindow): void {
    this.#windows.set(w.label, w);
    if (this.#options.verbose) w.opened.then((pid) => log(`window ${bold(w.label)} opened (pid ${pid})`)).catch(() => undefined);
    void w.ended.then(async ({ reason, detail }) => {
      if (this.#windows.get(w.label) === w) this.#windows.delete(w.label);
      if (reason === 'stopped' || this.#phase === 'stopping' || this.#phase === 'restarting') return;
      if (reason === 'failed') {
        warn(`could not open window ${bold(w.label)}: ${detail}`);
        this.#printUrls(Object.entries(await this.#askBackend([w.label])));
        return;
      }
      this.#windowGone(w.label);
    });
  }

  /** A window is gone (closed by the user, or at the page's request): Tauri's `tauri://destroyed`, then maybe exit. */
  #windowGone(label: string): void {
    if (!this.#openLabels.delete(label)) return;
    log(`window ${bold(label)} closed`);
    if (this.#backend?.connected === true) this.#backend.send({ t: 'window-closed', label } satisfies ToBackend);
    if (this.#openLabels.size === 0 && this.#phase === 'running') {
      log('the last window closed; stopping');
      void this.stop(0);
    }
  }

  async #closeRequested(label: string): Promise<void> {
    if (this.#phase !== 'running') return;
    const w = this.#windows.get(label);
    if (w !== undefined) {
      this.#windows.delete(label);
      await w.close();
    }
    this.#windowGone(label);
  }

  async #closeAllWindows(): Promise<void> {
    const all = [...this.#windows.values()];
    this.#windows.clear();
    await Promise.all(all.map((w) => w.close()));
  }

  // ── output ─────────────────────────────────────────────────────────────────────────────────────────────────────

  #printBanner(ready: Ready): void {
    const p = this.#project;
    const o = this.#options;
    const frontend =
      o.mode === 'dev' && p.devUrl !== undefined
        ? `${p.devUrl} ${dim('(proxied by the core, HMR passes through)')}`
        : p.frontendDist !== undefined
          ? shown(p.frontendDist)
          : p.devUrl !== undefined
            ? `${p.devUrl} ${dim('(proxied)')}`
            : dim('none (placeholder page)');
    const windows = this.#windowConfigs()
      .map((w) => `${bold(w.label)} ${dim(`"${w.title}" ${w.width}×${w.height}`)}`)
      .join(', ');
    const how = {
      chromium: `app window${this.#windowConfigs().length > 1 ? 's' : ''} (${path.basename(this.#browser ?? '')})`,
      none: 'not opened (URLs below)',
    }[this.#windowMode];
    console.log(
      `\n  ${bold(cyan('Airlock'))} ${dim(`v${VERSION}`)}  ${bold(o.mode)}  ${p.config.productName} ${dim(`${p.config.version} · ${p.config.identifier}`)}\n`,
    );
    console.log(
      rows([
        ['config', shown(p.configPath)],
        ['entry', shown(p.entry)],
        ['frontend', frontend],
        ['pattern', ready.pattern],
        ['core', `${ready.origin} ${dim('(loopback only)')}`],
        ...(ready.inspector === undefined
          ? []
          : [['inspector', `${ready.inspector} ${dim('(live IPC traffic; keep this URL private)')}`] as [string, string]]),
        ['windows', `${windows} ${dim(`→ ${how}`)}`],
      ]),
    );
    console.log(
      `\n  ${dim(o.mode === 'dev' && o.watch ? 'Backend changes restart the core. Ctrl-C stops everything.' : 'Ctrl-C stops everything.')}`,
    );
    if (this.#windowMode !== 'none') console.log('');
  }
}

export async function runApp(options: RunOptions): Promise<number> {
  const supervisor = new Supervisor(options);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      warn(`${signal} again: killing everything now`);
      process.exit(1);
    }
    log(`${signal}: stopping`);
    void supervisor.stop(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    await supervisor.start();
  } catch (error) {
    printError(error);
    await supervisor.stop(1);
  }
  return supervisor.done;
}
