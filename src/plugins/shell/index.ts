/**
 * The `shell` plugin, for `@tauri-apps/plugin-shell` 2.x: `Command.create(name, args).execute()` / `.spawn()`
 * (stdout, stderr and the exit over a Channel, one event per line), `Child.write` and `Child.kill`, sidecars
 * (`Command.sidecar`), and the deprecated `open`. A page names programs by their scope entry's `name`, never by
 * path: `{ name, cmd, args, sidecar }` where `args` is `true` (any), `false` (none) or a list of fixed strings and
 * `{ validator: <regex> }` (anchored `^…$` unless `raw: true`). Scope problems answer as Tauri's release builds do:
 * `program not allowed on the configured shell scope: <name>`.
 *
 * @example
 *   import shell from 'airlock/plugins/shell';
 *   await Builder.default().plugin(shell()).build();
 *   // capability: { "identifier": "shell:allow-execute", "allow": [{ "name": "ls", "cmd": "ls", "args": ["-l", { "validator": "\\S+" }] }] }
 *   // page: const out = await Command.create('ls', ['-l', '/tmp']).execute();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type Channel, channel } from '../../core/channels.js';
import { command, type InvokeContext } from '../../core/commands.js';
import { PluginBuilder } from '../../core/plugin.js';
import { pluginConfig } from '../shared/config.js';
import { globalApi } from '../shared/global-api.js';
import { type SystemOpenerOptions, systemOpen } from '../shared/os-helper.js';

export interface ShellOptions extends SystemOpenerOptions {
  /**
   * `plugins.shell.open`: which paths `open` accepts. Absent or `true`: `mailto:`, `tel:` and `http(s)://` URLs;
   * a string: a regex the whole path must match; `false`: `open` is refused.
   */
  readonly open?: boolean | string | undefined;
  /**
   * `bundle.externalBin` of tauri.conf.json: the sidecars a page may start, relative to the config directory. A
   * sidecar runs `<configDir>/<entry>-<target triple>` when that file exists (Tauri's bundled name), else
   * `<configDir>/<entry>`.
   */
  readonly externalBin?: readonly string[] | undefined;
}

/** The default `open` validator (shell 2.2.1+, the CVE-2025-31477 fix). */
export const DEFAULT_OPEN_REGEX = '^((mailto:\\w+)|(tel:\\w+)|(https?://\\w+)).+';

/** The programs `open(path, with)` may name (Tauri's `Program`). */
const OPEN_PROGRAMS = [
  'firefox',
  'google chrome',
  'chromium',
  'safari',
  'open',
  'start',
  'xdg-open',
  'gio',
  'gnome-open',
  'kde-open',
  'wslview',
];

type ScopeArg = { readonly fixed: string } | { readonly validator: RegExp; readonly source: string };
/** A parsed scope entry. */
export interface ShellScopeEntry {
  readonly name: string;
  readonly cmd: string;
  readonly args: boolean | readonly ScopeArg[];
  readonly sidecar: boolean;
}

const scopeEntry = z
  .object({
    name: z.string(),
    cmd: z.string().optional(),
    args: z
      .union([z.boolean(), z.array(z.union([z.string(), z.object({ validator: z.string(), raw: z.boolean().optional() }).strict()]))])
      .optional(),
    sidecar: z.boolean().optional(),
  })
  .superRefine((e, ctx) => {
    if (e.sidecar !== true && e.cmd === undefined)
      ctx.addIssue({ code: 'custom', message: 'The shell scope `command` value is required.' });
    for (const a of Array.isArray(e.args) ? e.args : []) {
      if (typeof a === 'string') continue;
      try {
        new RegExp(a.raw === true ? a.validator : `^${a.validator}$`, 'u');
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `invalid regex ${a.validator}: ${(err as Error).message}` });
      }
    }
  })
  .transform(
    (e): ShellScopeEntry => ({
      name: e.name,
      cmd: e.cmd ?? '',
      sidecar: e.sidecar ?? false,
      args:
        e.args === undefined
          ? false
          : typeof e.args === 'boolean'
            ? e.args
            : e.args.map((a) => {
                if (typeof a === 'string') return { fixed: a };
                const source = a.raw === true ? a.validator : `^${a.validator}$`;
                return { validator: new RegExp(source, 'u'), source };
              }),
    }),
  );

const configSchema = z
  .object({
    open: z.union([z.boolean(), z.string()]).optional(),
    externalBin: z.array(z.string()).optional(),
    command: z.array(z.string()).min(1).optional(),
  })
  .strict();

/** Why a scope entry refuses `args`, in Tauri's words; undefined when they pass (then `out` holds the argv). */
export function checkArgs(entry: ShellScopeEntry, args: unknown, out: string[]): string | undefined {
  const given = args === undefined || args === null ? [] : typeof args === 'string' ? [args] : args;
  if (!Array.isArray(given) || !given.every((a) => typeof a === 'string'))
    return `Scoped command ${entry.name} received arguments in an unexpected format`;
  if (entry.args === true) {
    out.push(...given);
    return undefined;
  }
  if (entry.args === false) {
    if (given.length === 0) return undefined;
    return `Scoped command ${entry.name} received arguments in an unexpected format`;
  }
  if (given.length === 0 && entry.args.every((a) => 'fixed' in a)) {
    out.push(...entry.args.map((a) => (a as { fixed: string }).fixed));
    return undefined;
  }
  if (args === undefined || args === null || typeof args === 'string' || (entry.args.length === 0 && given.length > 0)) {
    return `Scoped command ${entry.name} received arguments in an unexpected format`;
  }
  for (const [i, a] of entry.args.entries()) {
    if ('fixed' in a) {
      out.push(a.fixed);
      continue;
    }
    const value = given[i];
    if (value === undefined) return `Scoped command argument at position ${i} must match regex validation ${a.source} but it was not found`;
    if (!a.validator.test(value)) return `Scoped command argument at position ${i} was found, but failed regex validation ${a.source}`;
    out.push(value);
  }
  return undefined;
}

/** Rust's target triple for this machine (the suffix Tauri's bundler gives sidecar binaries). */
export function targetTriple(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const a = ({ x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', arm: 'armv7' } as Record<string, string>)[arch] ?? arch;
  if (platform === 'darwin') return `${a}-apple-darwin`;
  if (platform === 'win32') return `${a}-pc-windows-msvc`;
  return `${a}-unknown-linux-gnu`;
}

type CommandEvent =
  | { event: 'Stdout' | 'Stderr'; payload: string | number[] }
  | { event: 'Error'; payload: string }
  | { event: 'Terminated'; payload: { code: number | null; signal: number | null } };

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGTERM: 15,
  SIGABRT: 6,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGUSR1: 10,
  SIGUSR2: 12,
};

type Decode = (bytes: Buffer) => string | number[];
function decoder(encoding: unknown): Decode {
  if (encoding === 'raw') return (b) => [...b];
  const label = encoding === undefined || encoding === null ? 'utf-8' : String(encoding);
  let td: InstanceType<typeof TextDecoder>;
  try {
    td = new TextDecoder(label);
  } catch {
    throw new Error(`unknown encoding ${label}`);
  }
  return (b) => td.decode(b);
}

/** Splits a stream into lines ending at `\n` or `\r` (the delimiter kept, as Tauri's reader does). */
function onLines(stream: NodeJS.ReadableStream, each: (line: Buffer) => void, end: () => void): void {
  let rest: Buffer = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    let buf: Buffer = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    for (;;) {
      let i = -1;
      for (let k = 0; k < buf.length; k++) {
        if (buf[k] === 0x0a || buf[k] === 0x0d) {
          i = k;
          break;
        }
      }
      if (i < 0) break;
      each(buf.subarray(0, i + 1));
      buf = buf.subarray(i + 1);
    }
    rest = buf;
  });
  stream.on('end', () => {
    if (rest.length > 0) each(rest);
    end();
  });
}

/** SIGKILL to the child's process group (Unix), else to the child. */
function killTree(child: ChildProcess): void {
  try {
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

type Args = Record<string, unknown>;
const record = (raw: unknown): Args => (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Args) : {});

export default function shell(options: ShellOptions = {}) {
  let config: z.infer<typeof configSchema> = {};
  let openRegex: RegExp | undefined;
  let openSource: string | undefined;
  const children = new Map<number, ChildProcess>();

  /** Tauri's `prepare_cmd`: the scope entry for `program`, the checked argv, cwd and env. */
  const prepare = (ctx: InvokeContext, raw: Args): { file: string; argv: string[]; cwd: string | undefined; env: NodeJS.ProcessEnv } => {
    const program = raw['program'];
    if (typeof program !== 'string') throw new Error('invalid args `program` for command: expected a string');
    const opts = record(raw['options']);
    const sidecar = opts['sidecar'] === true;
    const entries = [...ctx.scope.allow, ...ctx.globalScope.allow] as ShellScopeEntry[];
    const argv: string[] = [];
    let file: string;
    if (sidecar) {
      const bins = config.externalBin ?? [];
      const noExt = program.replace(/\.[^./\\]+$/, '');
      const bin = bins.find((b) => b === program || b === noExt);
      if (bin === undefined) throw new Error(`sidecar not configured under \`tauri.conf.json > bundle > externalBin\`: ${program}`);
      const entry = entries.find((e) => e.name === program);
      if (entry === undefined) throw new Error(`Scoped command ${program} not found`);
      if (!entry.sidecar) throw new Error('The scoped command was called with the improper sidecar flag set');
      const why = checkArgs(entry, raw['args'], argv);
      if (why !== undefined) throw new Error(why);
      const base = path.resolve(ctx.app.config.configDir ?? process.cwd(), bin);
      const ext = process.platform === 'win32' ? '.exe' : '';
      const bundled = `${base}-${targetTriple()}${ext}`;
      file = existsSync(bundled) ? bundled : `${base}${ext}`;
    } else {
      const entry = entries.find((e) => e.name === program);
      const why =
        entry === undefined
          ? `Scoped command ${program} not found`
          : entry.sidecar
            ? 'The scoped command was called with the improper sidecar flag set'
            : checkArgs(entry, raw['args'], argv);
      // As Tauri's release builds: the reason (`why`) is not told to the page, only that the program is not allowed.
      if (why !== undefined || entry === undefined) {
        throw new Error(`program not allowed on the configured shell scope: ${program}`);
      }
      file = ctx.app.path.parseScope(entry.cmd) ?? entry.cmd;
    }
    const cwd = typeof opts['cwd'] === 'string' ? opts['cwd'] : undefined;
    const envArg = opts['env'];
    // Tauri: an absent env inherits the core's environment (plus nothing); `null` clears it.
    const env: NodeJS.ProcessEnv = envArg === null ? {} : { ...process.env, ...(record(envArg) as Record<string, string>) };
    return { file, argv, cwd, env };
  };

  return new PluginBuilder('shell')
    .invokeHandler({
      execute: (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const decode = decoder(record(args['options'])['encoding']);
        const { file, argv, cwd, env } = prepare(ctx, args);
        return new Promise((resolve, reject) => {
          const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
          const out: Buffer[] = [];
          const err: Buffer[] = [];
          child.stdout.on('data', (b: Buffer) => out.push(b));
          child.stderr.on('data', (b: Buffer) => err.push(b));
          const onAbort = (): void => {
            child.kill('SIGKILL');
          };
          ctx.signal.addEventListener('abort', onAbort, { once: true });
          child.on('error', (e) => {
            ctx.signal.removeEventListener('abort', onAbort);
            reject(new Error(e.message));
          });
          child.on('close', (code, signal) => {
            ctx.signal.removeEventListener('abort', onAbort);
            resolve({
              code,
              signal: signal === null ? null : (SIGNALS[signal] ?? null),
              stdout: decode(Buffer.concat(out)),
              stderr: decode(Buffer.concat(err)),
            });
          });
        });
      },
      spawn: command(z.looseObject({ onEvent: channel<CommandEvent>() }), (args, ctx) => {
        const decode = decoder(record(args['options'])['encoding']);
        const { file, argv, cwd, env } = prepare(ctx, args);
        const events: Channel<CommandEvent> = args.onEvent.keepOpen();
        return new Promise<number>((resolve, reject) => {
          // Its own process group (Unix), so kill() ends what it started too and the pipes close.
          const child = spawn(file, argv, {
            cwd,
            env,
            stdio: ['pipe', 'pipe', 'pipe'],
            windowsHide: true,
            detached: process.platform !== 'win32',
          });
          child.stdin.on('error', () => {});
          const send = (e: CommandEvent): void => {
            if (!events.closed) events.send(e);
          };
          child.once('error', (e) => reject(new Error(e.message)));
          child.once('spawn', () => {
            const pid = child.pid as number;
            children.set(pid, child);
            let open = 2;
            let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
            const finish = (): void => {
              if (open > 0 || exit === undefined) return;
              children.delete(pid);
              send({
                event: 'Terminated',
                payload: { code: exit.code, signal: exit.signal === null ? null : (SIGNALS[exit.signal] ?? null) },
              });
              events.close();
            };
            const ended = (): void => {
              open--;
              finish();
            };
            onLines(child.stdout, (l) => send({ event: 'Stdout', payload: decode(l) }), ended);
            onLines(child.stderr, (l) => send({ event: 'Stderr', payload: decode(l) }), ended);
            child.once('exit', (code, signal) => {
              exit = { code, signal };
              finish();
            });
            resolve(pid);
          });
        });
      }),
      stdin_write: (raw: unknown) => {
        const args = record(raw);
        const child = children.get(args['pid'] as number);
        if (child === undefined) return null; // gone already: Tauri ignores it too
        const buffer = args['buffer'];
        const bytes =
          typeof buffer === 'string' ? Buffer.from(buffer, 'utf8') : Array.isArray(buffer) ? Buffer.from(buffer as number[]) : undefined;
        if (bytes === undefined) throw new Error('invalid args `buffer` for command `stdin_write`: expected a string or bytes');
        child.stdin?.write(bytes);
        return null;
      },
      kill: (raw: unknown) => {
        const args = record(raw);
        const child = children.get(args['pid'] as number);
        if (child !== undefined) {
          children.delete(args['pid'] as number);
          killTree(child);
        }
        return null;
      },
      open: async (raw: unknown) => {
        const args = record(raw);
        const target = args['path'];
        if (typeof target !== 'string') throw new Error('invalid args `path` for command `open`: expected a string');
        if (openRegex === undefined || !openRegex.test(target)) {
          throw new Error(
            `Scoped command argument at position 0 was found, but failed regex validation ${openSource ?? 'open is disabled (plugins.shell.open = false)'}`,
          );
        }
        const withApp = typeof args['with'] === 'string' ? args['with'] : undefined;
        if (withApp !== undefined && !OPEN_PROGRAMS.includes(withApp)) throw new Error(`unknown program ${withApp}`);
        await systemOpen(target, withApp, { command: config.command });
        return null;
      },
    })
    .permissions(new URL('./permissions', import.meta.url))
    .scopeSchema(scopeEntry)
    .setup((_app, api) => {
      config = pluginConfig('shell', api.config, options, configSchema);
      const open = config.open;
      openSource = open === false ? undefined : typeof open === 'string' ? `^${open}$` : DEFAULT_OPEN_REGEX;
      openRegex = openSource === undefined ? undefined : new RegExp(openSource, 'u');
    })
    .onDrop(() => {
      for (const child of children.values()) killTree(child);
      children.clear();
    })
    .jsInitScript(globalApi('shell'))
    .build();
}
