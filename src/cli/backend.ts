/**
 * The core process of `airlock run`/`airlock dev`: a child of the CLI that loads the project's TypeScript entry
 * (through tsx, no build step), builds the app with the project's config and serves it. The CLI restarts it when
 * backend files change, so a restart starts from fresh modules and drops whatever the old code left running.
 *
 * It talks to the CLI over the fork IPC channel (messages below); SIGINT is the CLI's to handle.
 */
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import type { App, CallRecord, Server } from '../core/app.js';
import type { WindowConfig } from '../core/config.js';
import type { HostWindowOp, HostWindowState } from '../core/handle.js';
import { CliError, dim, green, printError, red, sanitizeTerminalOutput, shown, terminalSafe } from './output.js';

export interface StartOptions {
  readonly entry: string;
  readonly configPath: string;
  readonly projectDir: string;
  readonly mode: 'dev' | 'run';
  readonly port: number;
  readonly verbose: boolean;
  /** Serve the IPC inspector (on by default in dev). */
  readonly inspector: boolean;
  /** The CLI opens real windows and drives them over their DevTools pipe. */
  readonly windowHost?: boolean;
}

export type ToBackend =
  | { readonly t: 'start'; readonly options: StartOptions }
  | { readonly t: 'urls'; readonly labels: readonly string[] }
  | { readonly t: 'window-closed'; readonly label: string }
  | { readonly t: 'window-op-done'; readonly id: number; readonly state: HostWindowState | undefined }
  | { readonly t: 'dropped-paths-done'; readonly id: number; readonly paths: readonly string[] }
  | { readonly t: 'shutdown' };

export type FromBackend =
  | {
      readonly t: 'ready';
      readonly origin: string;
      readonly port: number;
      readonly urls: Readonly<Record<string, string>>;
      readonly pattern: string;
      readonly inspector: string | undefined;
    }
  | { readonly t: 'failed' }
  | { readonly t: 'urls'; readonly urls: Readonly<Record<string, string>> }
  | { readonly t: 'close-requested'; readonly label: string }
  /** A window created at run time (`app.createWebviewWindow`, `new WebviewWindow` in a page) to open at `url`. */
  | { readonly t: 'open-window'; readonly url: string; readonly window: WindowConfig }
  /** Drive a window the CLI opened (answered with `window-op-done`). */
  | { readonly t: 'window-op'; readonly id: number; readonly label: string; readonly op: HostWindowOp }
  /** The paths of a page's dropped files (answered with `dropped-paths-done`). */
  | { readonly t: 'dropped-paths'; readonly id: number; readonly label: string; readonly drop: number };

/** What the entry's default export must be: an Airlock Builder (checked by shape, so any copy of airlock works). */
interface BuilderLike {
  build(options: { config: string }): Promise<App>;
}

export interface EntryContext {
  readonly mode: 'dev' | 'run';
  readonly projectDir: string;
  readonly configPath: string;
}

function isBuilder(value: unknown): value is BuilderLike {
  const v = value as { build?: unknown; invokeHandler?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.build === 'function' && typeof v.invokeHandler === 'function';
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (no default export)';
  if (value === null) return 'null';
  if (typeof value === 'object' && typeof (value as { serve?: unknown }).serve === 'function') return 'an already built app';
  return typeof value === 'object' ? `an object with keys ${Object.keys(value).slice(0, 5).join(', ') || '(none)'}` : `a ${typeof value}`;
}

/** Imports the entry and returns the Builder it exports (directly, or from a function). */
export async function loadBuilder(options: StartOptions): Promise<BuilderLike> {
  const mod = (await import(pathToFileURL(options.entry).href)) as { default?: unknown };
  let exported = mod.default;
  if (typeof exported === 'function') {
    const context: EntryContext = { mode: options.mode, projectDir: options.projectDir, configPath: options.configPath };
    exported = await (exported as (c: EntryContext) => unknown)(context);
  }
  if (!isBuilder(exported)) {
    throw new CliError(
      `${shown(options.entry)} must \`export default\` an Airlock Builder (or a function returning one); it exported ${describe(exported)}`,
      'export the Builder without calling .build() or .serve(): `export default Builder.default().invokeHandler({ ... })`',
    );
  }
  return exported;
}

async function serve(app: App, options: StartOptions): Promise<Server> {
  try {
    return await app.serve({ port: options.port, useDevUrl: options.mode === 'dev', inspector: options.inspector });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.port === 0) throw error;
    return app.serve({ port: 0, useDevUrl: options.mode === 'dev', inspector: options.inspector });
  }
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e !== null && typeof e === 'object' && typeof e.message === 'string')
    return typeof e.code === 'string' ? `${e.code}: ${e.message}` : e.message;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** A page-supplied string on one line: line breaks and every other control character shown as escapes. */
function oneLine(text: string): string {
  return terminalSafe(text.replace(/\r?\n/g, '\\n'), false);
}

/** One line per failed call (every call with --verbose). */
function logCalls(app: App, verbose: boolean): void {
  const observe = (app as Partial<Pick<App, 'observeCalls'>>).observeCalls;
  if (typeof observe !== 'function') return;
  observe.call(app, (r: CallRecord) => {
    if (r.ok && !verbose) return;
    // One line each: a page's strings cannot start a line of their own (terminalSafe shows \n as text here).
    const where = dim(`${oneLine(r.webview)}${r.window === r.webview ? '' : `@${oneLine(r.window)}`} ${r.ms.toFixed(1)} ms`);
    const line = r.ok
      ? `${green('✓')} ${oneLine(r.command)} ${where}`
      : `${red('✗')} ${oneLine(r.command)} ${where} ${oneLine(errorText(r.error).split('\n')[0]?.slice(0, 300) ?? '')}`;
    console.log(`${dim('[airlock]')} ${line}`);
  });
}

function send(message: FromBackend): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  // Page-supplied strings reach this output (command names, errors echoing arguments, plugin log messages).
  sanitizeTerminalOutput();
  register();
  let app: App | undefined;
  let server: Server | undefined;
  let stopping = false;

  const shutdown = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      setTimeout(() => process.exit(code), 3000).unref();
      await app?.close().catch(() => undefined);
    }
    process.exit(code);
  };

  const urls = (labels: readonly string[]): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const label of labels) if (server !== undefined) out[label] = server.url(label);
    return out;
  };

  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => void shutdown(0));
  process.on('disconnect', () => void shutdown(0));
  /** Window ops sent to the CLI's window host, by id, until it answers. */
  const windowOps = new Map<number, (state: HostWindowState | undefined) => void>();
  const pathLookups = new Map<number, (paths: readonly string[]) => void>();
  let nextOp = 1;
  process.on('message', (message: ToBackend) => {
    if (message.t === 'window-op-done') {
      windowOps.get(message.id)?.(message.state);
      windowOps.delete(message.id);
    } else if (message.t === 'dropped-paths-done') {
      pathLookups.get(message.id)?.(message.paths);
      pathLookups.delete(message.id);
    } else if (message.t === 'start') void start(message.options);
    else if (message.t === 'urls') send({ t: 'urls', urls: urls(message.labels) });
    else if (message.t === 'window-closed') app?.emitTo({ kind: 'Window', label: message.label }, 'tauri://destroyed', null);
    else if (message.t === 'shutdown') void shutdown(0);
  });

  async function start(options: StartOptions): Promise<void> {
    try {
      const builder = await loadBuilder(options);
      app = await builder.build({ config: options.configPath });
      logCalls(app, options.verbose);
      app.onCloseRequested((label) => {
        send({ t: 'close-requested', label });
      });
      if (options.windowHost === true) {
        app.driveWindows({
          drives: () => true,
          apply: (label, op) =>
            new Promise((resolve) => {
              const id = nextOp++;
              windowOps.set(id, resolve);
              send({ t: 'window-op', id, label, op });
            }),
          droppedPaths: (label, drop) =>
            new Promise((resolve) => {
              const id = nextOp++;
              pathLookups.set(id, resolve);
              send({ t: 'dropped-paths', id, label, drop });
            }),
        });
      }
      app.onWindowRequested(({ label, url, options: o }) => {
        const n = (v: unknown, fallback: number): number => (typeof v === 'number' && v > 0 ? v : fallback);
        const title = typeof o.title === 'string' ? o.title : label;
        send({ t: 'open-window', url, window: { label, title, width: n(o.width, 800), height: n(o.height, 600), url: '/' } });
      });
      server = await serve(app, options);
      send({
        t: 'ready',
        origin: server.origin,
        port: server.port,
        urls: urls(app.config.windows.map((w) => w.label)),
        pattern: app.config.pattern.use,
        inspector: server.inspector,
      });
    } catch (error) {
      printError(error);
      send({ t: 'failed' });
    }
  }
}

await main();
