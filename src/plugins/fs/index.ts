/**
 * The `fs` plugin, for `@tauri-apps/plugin-fs` 2.x: every command the guest package sends, with Tauri's argument
 * keys, binary framing (raw request bodies with `path`/`options` headers for writeFile/writeTextFile; raw responses,
 * with the 8-byte read count after `read`'s data and the done byte after each line), `FileHandle` resources in the
 * calling webview's table, `watch`/`watchImmediate` over a Channel, `BaseDirectory` numbers resolved with `app.path`,
 * and the scope checked as Tauri's: deny first, then the command's or the global scope (capabilities, plus what was
 * allowed at run time), `..` refused before anything else, error texts as Tauri prints them.
 *
 * @example
 *   import fs from 'airlock/plugins/fs';
 *   await Builder.default().plugin(fs()).build({ config: './src-tauri/tauri.conf.json' });
 *   // page: import { readTextFile, BaseDirectory } from '@tauri-apps/plugin-fs';
 *   //       await readTextFile('notes.txt', { baseDir: BaseDirectory.AppData });
 */
import { type FSWatcher, constants, watch as fsWatch, statSync } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, copyFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { channel, type Channel } from '../../core/channels.js';
import { type CommandScope, command, type InvokeContext } from '../../core/commands.js';
import { FsScope } from '../../core/fs-scope.js';
import type { AppHandle } from '../../core/handle.js';
import { type BaseDirectory, isBaseDirectory } from '../../core/paths.js';
import { PluginBuilder } from '../../core/plugin.js';
import { globalApi } from '../shared/global-api.js';
import { pluginConfig } from '../shared/config.js';
import { ioErrorText } from '../shared/io-errors.js';

export interface FsOptions {
  /**
   * `plugins.fs.requireLiteralLeadingDot`: whether `*`, `**` and `?` skip names that start with a dot (default:
   * true on Unix, false on Windows, as Tauri).
   */
  readonly requireLiteralLeadingDot?: boolean | undefined;
}

/** A scope entry of the fs plugin, as Tauri accepts one: `{ "path": "$APPDATA/**" }` or the bare string. */
export interface FsScopeEntry {
  readonly path: string;
}

const scopeEntry = z
  .union([z.string(), z.object({ path: z.string() })])
  .transform((e): FsScopeEntry => (typeof e === 'string' ? { path: e } : { path: e.path }));

const configSchema = z.object({ requireLiteralLeadingDot: z.boolean().optional() }).strict();

/** Escapes glob characters, so a path allowed at run time matches only itself. */
export function escapeGlob(p: string): string {
  return p.replace(/[*?[\]{}()!\\]/g, (c) => (c === '\\' && path.sep === '\\' ? '\\' : `\\${c}`));
}

/**
 * Makes a path reachable by the fs plugin while the app runs (Tauri's `fs_scope().allow_file` /
 * `allow_directory`): what a dialog pick does. A directory also allows its children (`recursive`: every descendant).
 */
export function allowFsPath(app: AppHandle, target: string, options: { directory?: boolean; recursive?: boolean } = {}): void {
  const scope = app.scopeOf<FsScopeEntry>('fs');
  const escaped = escapeGlob(target);
  scope.allowEntry({ path: escaped });
  if (options.directory === true) scope.allowEntry({ path: `${escaped}/${options.recursive === true ? '**' : '*'}` });
}

/** Forbids a path (and, for a directory, everything below it) for the rest of the app's life; wins over any allow. */
export function forbidFsPath(app: AppHandle, target: string, options: { directory?: boolean } = {}): void {
  const scope = app.scopeOf<FsScopeEntry>('fs');
  const escaped = escapeGlob(target);
  scope.denyEntry({ path: escaped });
  if (options.directory === true) scope.denyEntry({ path: `${escaped}/**` });
}

type Args = Record<string, unknown>;

function record(raw: unknown): Args {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !(raw instanceof Uint8Array) ? (raw as Args) : {};
}

function invalidArgs(cmd: string, key: string, why: string): Error {
  return new Error(`invalid args \`${key}\` for command \`${cmd}\`: ${why}`);
}

function optionsOf(args: Args): Args {
  return record(args['options']);
}

function u64(cmd: string, key: string, v: unknown, fallback?: number): number {
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw invalidArgs(cmd, key, `invalid value: ${JSON.stringify(v) ?? 'undefined'}, expected u64`);
  return v;
}

function ridOf(cmd: string, args: Args): number {
  const v = args['rid'];
  if (v === undefined || v === null) throw invalidArgs(cmd, 'rid', `command ${cmd} missing required key rid`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff)
    throw invalidArgs(cmd, 'rid', `invalid value: ${JSON.stringify(v)}, expected u32`);
  return v;
}

function flag(options: Args, key: string): boolean | undefined {
  const v = options[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** The parts of the fs plugin that depend on the app: its scope settings and path resolver. */
class Fs {
  readonly #literalDot: boolean | undefined;
  readonly #scopes = new Map<string, FsScope>();

  constructor(literalDot: boolean | undefined) {
    this.#literalDot = literalDot;
  }

  /** The call's scope: command and global entries (run-time ones included) in one FsScope, deny winning. */
  scope(ctx: InvokeContext): FsScope {
    const paths = (s: CommandScope, key: 'allow' | 'deny') => (s[key] as FsScopeEntry[]).map((e) => e.path);
    const allow = [...paths(ctx.scope, 'allow'), ...paths(ctx.globalScope, 'allow')];
    const deny = [...paths(ctx.scope, 'deny'), ...paths(ctx.globalScope, 'deny')];
    const key = JSON.stringify([allow, deny]);
    let scope = this.#scopes.get(key);
    if (scope === undefined) {
      scope = new FsScope(
        { allow, deny, ...(this.#literalDot === undefined ? {} : { requireLiteralLeadingDot: this.#literalDot }) },
        ctx.app.path,
      );
      if (this.#scopes.size >= 64) this.#scopes.delete(this.#scopes.keys().next().value as string);
      this.#scopes.set(key, scope);
    }
    return scope;
  }

  /**
   * Tauri's `resolve_path`: a `file:` URL or a path without `..`, joined onto `baseDir`, that the scope allows.
   * Returns the absolute path.
   */
  resolve(ctx: InvokeContext, cmd: string, key: string, raw: unknown, baseDir: unknown): string {
    if (raw === undefined || raw === null) throw invalidArgs(cmd, key, `command ${cmd} missing required key ${key}`);
    if (typeof raw !== 'string') throw invalidArgs(cmd, key, `invalid type: ${typeof raw}, expected a string`);
    let p = raw;
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw)?.[1];
    if (scheme !== undefined && scheme.length > 1) {
      let url: URL | undefined;
      try {
        url = new URL(raw);
      } catch {
        url = undefined;
      }
      if (url?.protocol !== 'file:') throw new Error('URL is not a valid path');
      p = fileURLToPath(url);
    } else if (ctx.app.path.ops.hasParentComponent(raw)) {
      throw invalidArgs(
        cmd,
        key,
        `invalid value: string ${JSON.stringify(raw)}, expected Unsafe PathBuf: cannot traverse directory, rewrite the path without the use of \`../\``,
      );
    }
    let resolved = p;
    if (baseDir !== undefined && baseDir !== null) {
      if (!isBaseDirectory(baseDir))
        throw invalidArgs(cmd, 'options', `invalid value: ${JSON.stringify(baseDir)}, expected a BaseDirectory`);
      const joined = ctx.app.path.resolve(baseDir as BaseDirectory, p);
      if (joined === undefined) throw new Error('unknown path');
      resolved = joined;
    }
    if (!this.scope(ctx).isAllowed(resolved)) throw new Error(`forbidden path: ${resolved}`);
    return resolved;
  }
}

/** An open file (`FileHandle` in the guest), in the webview's resource table. */
class FsFile {
  position = 0;
  constructor(
    readonly handle: FileHandle,
    readonly append: boolean,
  ) {}
  close(): Promise<void> {
    return this.handle.close();
  }
}

/** `readTextFileLines`' reader. */
class LineReader {
  #buffered = Buffer.alloc(0);
  #position = 0;
  #eof = false;
  constructor(readonly handle: FileHandle) {}

  /** The next line without its `\n` / `\r\n`, or undefined at the end. */
  async next(): Promise<Buffer | undefined> {
    for (;;) {
      const nl = this.#buffered.indexOf(0x0a);
      if (nl >= 0) {
        const line = this.#buffered.subarray(0, nl);
        this.#buffered = this.#buffered.subarray(nl + 1);
        return line.at(-1) === 0x0d ? line.subarray(0, -1) : line;
      }
      if (this.#eof) {
        if (this.#buffered.length === 0) return undefined;
        const last = this.#buffered;
        this.#buffered = Buffer.alloc(0);
        return last.at(-1) === 0x0d ? last.subarray(0, -1) : last;
      }
      const chunk = Buffer.alloc(64 * 1024);
      const { bytesRead } = await this.handle.read(chunk, 0, chunk.length, this.#position);
      this.#position += bytesRead;
      if (bytesRead === 0) this.#eof = true;
      else this.#buffered = Buffer.concat([this.#buffered, chunk.subarray(0, bytesRead)]);
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** A running `watch`, in the webview's resource table; closing it stops the watchers. */
class Watcher {
  readonly #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #pending = new Map<string, WatchEvent>();

  constructor(
    readonly channel: Channel<WatchEvent>,
    readonly delayMs: number | undefined,
  ) {}

  add(w: FSWatcher): void {
    this.#watchers.push(w);
    w.on('error', () => {});
  }

  emit(event: WatchEvent): void {
    if (this.channel.closed) return;
    if (this.delayMs === undefined) {
      this.channel.send(event);
      return;
    }
    this.#pending.set(`${JSON.stringify(event.type)}|${event.paths.join('\n')}`, event);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const events = [...this.#pending.values()];
      this.#pending.clear();
      for (const e of events) if (!this.channel.closed) this.channel.send(e);
    }, this.delayMs);
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const w of this.#watchers) w.close();
    this.channel.close();
  }
}

/** The `notify` crate's event, as the guest's `watch` callback receives it. */
export interface WatchEvent {
  readonly type: unknown;
  readonly paths: readonly string[];
  readonly attrs: Record<string, never>;
}

function fileInfo(s: Stats): Record<string, unknown> {
  return {
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isSymlink: s.isSymbolicLink(),
    size: s.size,
    mtime: s.mtimeMs,
    atime: s.atimeMs,
    birthtime: s.birthtimeMs > 0 ? s.birthtimeMs : null,
    readonly: (s.mode & 0o222) === 0,
    fileAttributes: null,
    dev: s.dev,
    ino: s.ino,
    mode: s.mode,
    nlink: s.nlink,
    uid: s.uid,
    gid: s.gid,
    rdev: s.rdev,
    blksize: s.blksize,
    blocks: s.blocks,
  };
}

/** `open` flags from the guest's options, as Rust's `OpenOptions` (read defaults to true). */
function openFlags(options: Args): { flags: number; append: boolean; mode: number } {
  const read = flag(options, 'read') ?? true;
  const append = flag(options, 'append') ?? false;
  const write = (flag(options, 'write') ?? false) || append;
  const truncate = flag(options, 'truncate') ?? false;
  const create = flag(options, 'create') ?? false;
  const createNew = flag(options, 'createNew') ?? false;
  if ((truncate || create || createNew) && !write) throw Object.assign(new Error('Invalid argument'), { code: 'EINVAL' });
  let flags = read && write ? constants.O_RDWR : write ? constants.O_WRONLY : constants.O_RDONLY;
  if (append) flags |= constants.O_APPEND;
  if (truncate) flags |= constants.O_TRUNC;
  if (createNew) flags |= constants.O_CREAT | constants.O_EXCL;
  else if (create) flags |= constants.O_CREAT;
  const mode = typeof options['mode'] === 'number' ? options['mode'] : 0o666;
  return { flags, append, mode };
}

async function dirSize(p: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(p, { withFileTypes: true })) {
    const child = path.join(p, entry.name);
    if (entry.isDirectory()) total += await dirSize(child);
    else if (entry.isFile()) total += (await lstat(child)).size;
  }
  return total;
}

/** The bytes of a write_file/write_text_file body: raw bytes, or the number array the postMessage path sends. */
function bodyBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (Array.isArray(body) && body.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 255))
    return Uint8Array.from(body);
  throw new Error('unexpected invoke body');
}

function headerPath(headers: Readonly<Record<string, string>>): string {
  const raw = headers['path'];
  if (raw === undefined) throw new Error('missing file path');
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new Error('path is not a valid UTF-8');
  }
}

function headerOptions(headers: Readonly<Record<string, string>>): Args {
  try {
    return record(JSON.parse(headers['options'] ?? 'null'));
  } catch {
    return {}; // Tauri parses the header with .ok(): `undefined` (no options given) and junk mean none
  }
}

const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (e) {
    throw new Error(`${what} with error: ${ioErrorText(e)}`);
  }
};

const watchSchema = z.looseObject({ onEvent: channel<WatchEvent>() });

export default function fs(options: FsOptions = {}) {
  let state: Fs | undefined;
  const fsOf = (): Fs => {
    if (state === undefined) throw new Error('the fs plugin is not set up');
    return state;
  };

  async function writeBytes(ctx: InvokeContext, cmd: string): Promise<null> {
    const raw = headerPath(ctx.headers);
    const opts = headerOptions(ctx.headers);
    const p = fsOf().resolve(ctx, cmd, 'path', raw, opts['baseDir']);
    const data = bodyBytes(ctx.body);
    const append = flag(opts, 'append') ?? false;
    const createNew = flag(opts, 'createNew') ?? false;
    const create = flag(opts, 'create') ?? true;
    let flags = constants.O_WRONLY | (append ? constants.O_APPEND : constants.O_TRUNC);
    if (createNew) flags |= constants.O_CREAT | constants.O_EXCL;
    else if (create) flags |= constants.O_CREAT;
    const mode = typeof opts['mode'] === 'number' ? opts['mode'] : 0o666;
    const handle = await wrap(`failed to open file at path: ${p}`, () => open(p, flags, mode));
    try {
      await wrap(`failed to write bytes to file at path: ${p}`, () => handle.writeFile(data));
    } finally {
      await handle.close();
    }
    return null;
  }

  const pathCommand =
    <T>(cmd: string, fn: (p: string, opts: Args, ctx: InvokeContext) => Promise<T>) =>
    (raw: unknown, ctx: InvokeContext): Promise<T> => {
      const args = record(raw);
      const opts = optionsOf(args);
      return fn(fsOf().resolve(ctx, cmd, 'path', args['path'], opts['baseDir']), opts, ctx);
    };

  return new PluginBuilder('fs')
    .invokeHandler({
      create: pathCommand('create', async (p, _o, ctx) => {
        const handle = await wrap(`failed to create file at path: ${p}`, () => open(p, 'w+'));
        return ctx.resources.add(new FsFile(handle, false));
      }),
      open: pathCommand('open', async (p, opts, ctx) => {
        const handle = await wrap(`failed to open file at path: ${p}`, async () => {
          const { flags, mode } = openFlags(opts);
          return open(p, flags, mode);
        });
        return ctx.resources.add(new FsFile(handle, flag(opts, 'append') ?? false));
      }),
      copy_file: (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const opts = optionsOf(args);
        const from = fsOf().resolve(ctx, 'copy_file', 'fromPath', args['fromPath'], opts['fromPathBaseDir']);
        const to = fsOf().resolve(ctx, 'copy_file', 'toPath', args['toPath'], opts['toPathBaseDir']);
        return wrap(`failed to copy file from path: ${from}, to path: ${to}`, () => copyFile(from, to)).then(() => null);
      },
      mkdir: pathCommand('mkdir', async (p, opts) => {
        const mode = typeof opts['mode'] === 'number' ? opts['mode'] & 0o777 : 0o777;
        await wrap(`failed to create directory at path: ${p}`, () => mkdir(p, { recursive: flag(opts, 'recursive') ?? false, mode }));
        return null;
      }),
      read_dir: pathCommand('read_dir', async (p) => {
        const entries = await wrap(`failed to read directory at path: ${p}`, () => readdir(p, { withFileTypes: true, encoding: 'buffer' }));
        const out: { name: string; isDirectory: boolean; isFile: boolean; isSymlink: boolean }[] = [];
        const decoder = new TextDecoder('utf-8', { fatal: true });
        for (const e of entries) {
          let name: string;
          try {
            name = decoder.decode(e.name);
          } catch {
            continue; // not UTF-8: skipped, as Tauri does
          }
          out.push({ name, isDirectory: e.isDirectory(), isFile: e.isFile(), isSymlink: e.isSymbolicLink() });
        }
        return out;
      }),
      read_file: pathCommand('read_file', (p) =>
        wrap(`failed to open file at path: ${p}`, () => readFile(p)).then((b) => new Uint8Array(b)),
      ),
      read_text_file: pathCommand('read_text_file', (p) =>
        wrap(`failed to open file at path: ${p}`, () => readFile(p)).then((b) => new Uint8Array(b)),
      ),
      read_text_file_lines: pathCommand('read_text_file_lines', async (p, _o, ctx) => {
        const handle = await wrap(`failed to open file at path: ${p}`, () => open(p, 'r'));
        return ctx.resources.add(new LineReader(handle));
      }),
      read_text_file_lines_next: async (raw: unknown, ctx: InvokeContext) => {
        const rid = ridOf('read_text_file_lines_next', record(raw));
        const reader = ctx.resources.get(rid, LineReader);
        let line: Buffer | undefined;
        try {
          line = await reader.next();
        } catch {
          return new Uint8Array([0]); // an I/O error mid-file: an empty line, not finished (as Tauri)
        }
        if (line === undefined) {
          ctx.resources.close(rid);
          return new Uint8Array([1]);
        }
        const out = new Uint8Array(line.length + 1);
        out.set(line);
        return out;
      },
      remove: pathCommand('remove', async (p, opts) => {
        const s = await wrap(`failed to get metadata of path: ${p}`, () => lstat(p));
        const recursive = flag(opts, 'recursive') ?? false;
        await wrap(`failed to remove path: ${p}`, () =>
          s.isDirectory() ? (recursive ? rm(p, { recursive: true }) : rmdir(p)) : unlink(p),
        );
        return null;
      }),
      rename: (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const opts = optionsOf(args);
        const from = fsOf().resolve(ctx, 'rename', 'oldPath', args['oldPath'], opts['oldPathBaseDir']);
        const to = fsOf().resolve(ctx, 'rename', 'newPath', args['newPath'], opts['newPathBaseDir']);
        return wrap(`failed to rename old path: ${from} to new path: ${to}`, () => rename(from, to)).then(() => null);
      },
      seek: async (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const file = ctx.resources.get(ridOf('seek', args), FsFile);
        const offset = args['offset'];
        const whence = args['whence'];
        if (typeof offset !== 'number' || !Number.isSafeInteger(offset))
          throw invalidArgs('seek', 'offset', `invalid value: ${JSON.stringify(offset)}, expected i64`);
        let base: number;
        if (whence === 0) {
          if (offset < 0) throw invalidArgs('seek', 'offset', `invalid value: ${offset}, expected u64`);
          base = 0;
        } else if (whence === 1) base = file.position;
        else if (whence === 2) base = (await wrap('failed to seek file', () => file.handle.stat())).size;
        else throw invalidArgs('seek', 'whence', `invalid value: ${JSON.stringify(whence)}, expected 0, 1 or 2`);
        const next = base + offset;
        if (next < 0) throw new Error('failed to seek file with error: Invalid argument (os error 22)');
        file.position = next;
        return next;
      },
      stat: pathCommand('stat', (p) => wrap(`failed to get metadata of path: ${p}`, () => stat(p)).then(fileInfo)),
      lstat: pathCommand('lstat', (p) => wrap(`failed to get metadata of path: ${p}`, () => lstat(p)).then(fileInfo)),
      fstat: (raw: unknown, ctx: InvokeContext) => {
        const file = ctx.resources.get(ridOf('fstat', record(raw)), FsFile);
        return wrap('failed to get metadata of file', () => file.handle.stat()).then(fileInfo);
      },
      truncate: (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const opts = optionsOf(args);
        const p = fsOf().resolve(ctx, 'truncate', 'path', args['path'], opts['baseDir']);
        const len = u64('truncate', 'len', args['len'], 0);
        return (async () => {
          const handle = await wrap(`failed to open file at path: ${p}`, () => open(p, 'r+'));
          try {
            await wrap(`failed to truncate file at path: ${p}`, () => handle.truncate(len));
          } finally {
            await handle.close();
          }
          return null;
        })();
      },
      ftruncate: async (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const file = ctx.resources.get(ridOf('ftruncate', args), FsFile);
        const len = u64('ftruncate', 'len', args['len'], 0);
        await wrap('failed to truncate file', () => file.handle.truncate(len));
        return null;
      },
      read: async (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const file = ctx.resources.get(ridOf('read', args), FsFile);
        const len = u64('read', 'len', args['len']);
        if (len > 256 * 1024 * 1024) throw invalidArgs('read', 'len', `${len} bytes is more than one read may ask for (256 MiB)`);
        const out = new Uint8Array(len + 8);
        const { bytesRead } = await wrap('faied to read bytes from file', () => file.handle.read(out, 0, len, file.position));
        file.position += bytesRead;
        new DataView(out.buffer).setBigUint64(len, BigInt(bytesRead), false);
        return out;
      },
      write: async (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const file = ctx.resources.get(ridOf('write', args), FsFile);
        const data = args['data'];
        const bytes = data instanceof Uint8Array ? data : Array.isArray(data) ? bodyBytesOr(data) : undefined;
        if (bytes === undefined) throw invalidArgs('write', 'data', 'invalid type: expected a sequence of bytes');
        const { bytesWritten } = await wrap('failed to write bytes to file', () =>
          file.handle.write(bytes, 0, bytes.length, file.append ? null : file.position),
        );
        file.position = file.append ? (await file.handle.stat()).size : file.position + bytesWritten;
        return bytesWritten;
      },
      write_file: (_raw: unknown, ctx: InvokeContext) => writeBytes(ctx, 'write_file'),
      write_text_file: (_raw: unknown, ctx: InvokeContext) => writeBytes(ctx, 'write_text_file'),
      exists: pathCommand('exists', async (p) => {
        try {
          await stat(p);
          return true;
        } catch {
          return false;
        }
      }),
      size: pathCommand('size', async (p) => {
        try {
          const s = await stat(p);
          return s.isDirectory() ? await dirSize(p) : s.size;
        } catch (e) {
          throw new Error(ioErrorText(e));
        }
      }),
      watch: command(watchSchema, (args, ctx) => {
        const opts = record(args['options']);
        const rawPaths = args['paths'];
        if (!Array.isArray(rawPaths)) throw invalidArgs('watch', 'paths', 'invalid type: expected a sequence of paths');
        const paths = rawPaths.map((p) => fsOf().resolve(ctx, 'watch', 'paths', p, opts['baseDir']));
        const delay = opts['delayMs'];
        const watcher = new Watcher(args.onEvent.keepOpen(), typeof delay === 'number' && delay >= 0 ? delay : undefined);
        const recursive = flag(opts, 'recursive') ?? false;
        try {
          for (const p of paths) watchPath(watcher, p, recursive);
        } catch (e) {
          watcher.close();
          throw new Error(ioErrorText(e));
        }
        return ctx.resources.add(watcher);
      }),
      unwatch: (raw: unknown, ctx: InvokeContext) => {
        const rid = ridOf('unwatch', record(raw));
        ctx.resources.get(rid, Watcher);
        ctx.resources.close(rid);
        return null;
      },
      // iOS/macOS sandboxing: nothing to do on a Node core.
      start_accessing_security_scoped_resource: () => null,
      stop_accessing_security_scoped_resource: () => null,
    })
    .permissions(new URL('./permissions', import.meta.url))
    .scopeSchema(scopeEntry)
    .setup((_app, api) => {
      const config = pluginConfig('fs', api.config, options, configSchema);
      state = new Fs(config.requireLiteralLeadingDot);
    })
    .jsInitScript(globalApi('fs'))
    .build();
}

function bodyBytesOr(data: unknown[]): Uint8Array | undefined {
  try {
    return bodyBytes(data);
  } catch {
    return undefined;
  }
}

/** Starts one `fs.watch`, turning Node's `rename`/`change` into the `notify` kinds the guest expects. */
function watchPath(watcher: Watcher, target: string, recursive: boolean): void {
  const isDir = statSync(target).isDirectory();
  let order: Promise<void> = Promise.resolve();
  const w = fsWatch(target, { recursive: isDir && recursive, persistent: false }, (kind, name) => {
    const changed = isDir && name !== null ? path.join(target, name.toString()) : target;
    // In arrival order: a rename's kind (created or removed) needs a stat, so every event waits for the one before.
    order = order.then(async () => {
      if (kind === 'change') {
        watcher.emit({ type: { modify: { kind: 'data', mode: 'any' } }, paths: [changed], attrs: {} });
        return;
      }
      try {
        const s = await stat(changed);
        watcher.emit({ type: { create: { kind: s.isDirectory() ? 'folder' : 'file' } }, paths: [changed], attrs: {} });
      } catch {
        watcher.emit({ type: { remove: { kind: 'any' } }, paths: [changed], attrs: {} });
      }
    });
  });
  watcher.add(w);
}
