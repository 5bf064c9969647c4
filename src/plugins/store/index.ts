/**
 * The `store` plugin, for `@tauri-apps/plugin-store` 2.x: key-value stores kept in memory and saved as pretty JSON
 * files under the app data directory. A store lives in the app's resource table (one rid for every webview, across
 * reloads); `load` of a loaded path answers the same rid. Changes emit `store://change` to every page (`onChange`,
 * `onKeyChange`), autoSave debounces saves (100 ms unless told otherwise), every store is saved when the app closes,
 * and a save writes a temporary file and renames it over the old one, so a crash mid-save leaves the previous file.
 *
 * @example
 *   import store from 'airlock/plugins/store';
 *   await Builder.default().plugin(store()).build();
 *   // page: const s = await load('settings.json'); await s.set('theme', 'dark');
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { InvokeContext } from '../../core/commands.js';
import type { AppHandle } from '../../core/handle.js';
import { BaseDirectory } from '../../core/paths.js';
import { PluginBuilder } from '../../core/plugin.js';
import { globalApi } from '../shared/global-api.js';

type Json = unknown;
type Entries = Map<string, Json>;

export interface StoreOptions {
  /** Named (de)serializers a page may ask for with `serializeFnName`/`deserializeFnName` (Tauri's `register_serialize_fn`). */
  readonly serializers?: Readonly<Record<string, (entries: Record<string, Json>) => Uint8Array | string>>;
  readonly deserializers?: Readonly<Record<string, (bytes: Uint8Array) => Record<string, Json>>>;
  /** The autoSave debounce when a page does not give one (default 100 ms). */
  readonly defaultAutoSaveMs?: number;
}

/**
 * Writes `bytes` to `file` so that a crash at any point leaves either the old file or the new one: a temporary
 * file beside it, flushed to disk, then renamed over it (creating the parent directories first).
 */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** serde_json's `to_vec_pretty`: two-space indentation. */
function prettyJson(entries: Entries): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(Object.fromEntries(entries), null, 2));
}

type Args = Record<string, unknown>;

function record(raw: unknown): Args {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !(raw instanceof Uint8Array) ? (raw as Args) : {};
}

function invalidArgs(cmd: string, key: string, why: string): Error {
  return new Error(`invalid args \`${key}\` for command \`${cmd}\`: ${why}`);
}

function requiredKey(cmd: string, args: Args, key: string): unknown {
  const v = args[key];
  if (v === undefined) throw invalidArgs(cmd, key, `command ${cmd} missing required key ${key}`);
  return v;
}

function stringArg(cmd: string, args: Args, key: string): string {
  const v = requiredKey(cmd, args, key);
  if (typeof v !== 'string') throw invalidArgs(cmd, key, `invalid type: ${v === null ? 'null' : typeof v}, expected a string`);
  return v;
}

function ridArg(cmd: string, args: Args): number {
  const v = requiredKey(cmd, args, 'rid');
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff)
    throw invalidArgs(cmd, 'rid', `invalid value: ${JSON.stringify(v)}, expected u32`);
  return v;
}

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One store: its entries, its file, and its pending save. */
export class Store {
  rid = 0;
  entries: Entries;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;

  constructor(
    readonly file: string,
    readonly defaults: Entries,
    readonly autoSaveMs: number | undefined,
    readonly serialize: (entries: Entries) => Uint8Array,
    readonly deserialize: (bytes: Uint8Array) => Record<string, Json>,
    readonly onClose: (store: Store) => void,
  ) {
    this.entries = new Map(defaults);
  }

  /** Reads the file into the entries (disk wins per key; `replace`: the file's entries alone). */
  loadFromDisk(replace: boolean): void {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    let parsed: Record<string, Json>;
    try {
      parsed = this.deserialize(bytes);
    } catch (e) {
      throw new Error(`Failed to deserialize store. ${(e as Error).message}`);
    }
    if (!isObject(parsed)) throw new Error('Failed to deserialize store. expected a JSON object');
    if (replace) this.entries = new Map(Object.entries(parsed));
    else for (const [k, v] of Object.entries(parsed)) this.entries.set(k, v);
  }

  changed(): void {
    this.#dirty = true;
    if (this.autoSaveMs === undefined) return;
    clearTimeout(this.#timer);
    if (this.autoSaveMs === 0) {
      this.save();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      try {
        this.save();
      } catch {
        // kept dirty: the next save, or the one at exit, tries again
      }
    }, this.autoSaveMs);
    this.#timer.unref();
  }

  save(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let bytes: Uint8Array;
    try {
      bytes = this.serialize(this.entries);
    } catch (e) {
      throw new Error(`Failed to serialize store. ${(e as Error).message}`);
    }
    writeFileAtomic(this.file, bytes);
    this.#dirty = false;
  }

  /** Saves what is pending (the app is closing, or the page closed the store). */
  flush(): void {
    if (this.#dirty) this.save();
  }

  close(): void {
    try {
      this.flush();
    } finally {
      this.onClose(this);
    }
  }
}

export default function store(options: StoreOptions = {}) {
  const byPath = new Map<string, Store>();
  const defaultAutoSave = options.defaultAutoSaveMs ?? 100;

  const resolveFile = (ctx: InvokeContext, cmd: string, raw: string): string => {
    const base = ctx.app.path.baseDirectory(BaseDirectory.AppData);
    if (base === undefined) throw new Error('unknown path');
    const ops = ctx.app.path.ops;
    if (ops.hasParentComponent(raw)) throw invalidArgs(cmd, 'path', `the store path ${JSON.stringify(raw)} may not contain \`..\``);
    const file = ops.normalize(ops.push(base, raw));
    if (file !== base && !file.startsWith(base.endsWith(ops.sep) ? base : base + ops.sep)) {
      throw invalidArgs(cmd, 'path', `the store path ${JSON.stringify(raw)} is outside the app data directory ${base}`);
    }
    if (file === base) throw invalidArgs(cmd, 'path', 'the store path is empty');
    return file;
  };

  const storeOf = (ctx: InvokeContext, cmd: string, args: Args): Store => ctx.app.resources.get(ridArg(cmd, args), Store);

  const emit = (app: AppHandle, s: Store, key: string, value: Json, exists: boolean): void => {
    app.emit('store://change', { path: s.file, resourceId: s.rid, key, value: exists ? value : null, exists });
  };

  const serializer = (name: unknown): ((entries: Entries) => Uint8Array) => {
    if (name === undefined || name === null) return prettyJson;
    const fn = typeof name === 'string' ? options.serializers?.[name] : undefined;
    if (fn === undefined) throw new Error(`Serialize Function "${String(name)}" not found`);
    return (entries) => {
      const out = fn(Object.fromEntries(entries));
      return typeof out === 'string' ? new TextEncoder().encode(out) : out;
    };
  };
  const deserializer = (name: unknown): ((bytes: Uint8Array) => Record<string, Json>) => {
    if (name === undefined || name === null) return (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, Json>;
    const fn = typeof name === 'string' ? options.deserializers?.[name] : undefined;
    if (fn === undefined) throw new Error(`Deserialize Function "${String(name)}" not found`);
    return fn;
  };

  return new PluginBuilder('store')
    .invokeHandler({
      load: (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        // 2.4 guests nest the options; older ones spread them beside `path`.
        const opts = isObject(args['options']) ? args['options'] : args;
        const file = resolveFile(ctx, 'load', stringArg('load', args, 'path'));
        const existing = byPath.get(file);
        if (existing !== undefined && opts['createNew'] !== true) return existing.rid;
        const auto = opts['autoSave'];
        let autoSaveMs: number | undefined;
        if (auto === false) autoSaveMs = undefined;
        else if (typeof auto === 'number' && Number.isInteger(auto) && auto >= 0) autoSaveMs = auto;
        else if (auto === undefined || auto === null || auto === true) autoSaveMs = defaultAutoSave;
        else throw invalidArgs('load', 'options', `invalid value: ${JSON.stringify(auto)}, expected a boolean or a number of milliseconds`);
        const defaults = opts['defaults'];
        if (defaults !== undefined && defaults !== null && !isObject(defaults))
          throw invalidArgs('load', 'options', 'defaults: expected a JSON object');
        const s = new Store(
          file,
          new Map(Object.entries(defaults ?? {})),
          autoSaveMs,
          serializer(opts['serializeFnName']),
          deserializer(opts['deserializeFnName']),
          (closed) => {
            if (byPath.get(closed.file) === closed) byPath.delete(closed.file);
          },
        );
        if (opts['createNew'] !== true) {
          try {
            s.loadFromDisk(opts['overrideDefaults'] === true);
          } catch {
            // a corrupt file on first load is skipped, as Tauri does (reload reports it)
          }
        }
        if (existing !== undefined) ctx.app.resources.close(existing.rid);
        s.rid = ctx.app.resources.add(s);
        byPath.set(file, s);
        return s.rid;
      },
      get_store: (raw: unknown, ctx: InvokeContext) => {
        const file = resolveFile(ctx, 'get_store', stringArg('get_store', record(raw), 'path'));
        return byPath.get(file)?.rid ?? null;
      },
      set: (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const s = storeOf(ctx, 'set', args);
        const key = stringArg('set', args, 'key');
        const value = requiredKey('set', args, 'value');
        s.entries.set(key, value);
        emit(ctx.app, s, key, value, true);
        s.changed();
        return null;
      },
      get: (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const s = storeOf(ctx, 'get', args);
        const key = stringArg('get', args, 'key');
        return s.entries.has(key) ? [s.entries.get(key), true] : [null, false];
      },
      has: (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        return storeOf(ctx, 'has', args).entries.has(stringArg('has', args, 'key'));
      },
      delete: (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const s = storeOf(ctx, 'delete', args);
        const key = stringArg('delete', args, 'key');
        const existed = s.entries.delete(key);
        if (existed) {
          emit(ctx.app, s, key, null, false);
          s.changed();
        }
        return existed;
      },
      clear: (raw: unknown, ctx: InvokeContext) => {
        const s = storeOf(ctx, 'clear', record(raw));
        const keys = [...s.entries.keys()];
        s.entries.clear();
        for (const key of keys) emit(ctx.app, s, key, null, false);
        if (keys.length > 0) s.changed();
        return null;
      },
      reset: (raw: unknown, ctx: InvokeContext) => {
        const s = storeOf(ctx, 'reset', record(raw));
        const before = s.entries;
        s.entries = new Map(s.defaults);
        let changed = false;
        for (const [key, value] of before) {
          if (!s.entries.has(key)) {
            emit(ctx.app, s, key, null, false);
            changed = true;
          } else if (JSON.stringify(s.entries.get(key)) !== JSON.stringify(value)) {
            emit(ctx.app, s, key, s.entries.get(key), true);
            changed = true;
          }
        }
        for (const [key, value] of s.entries) {
          if (!before.has(key)) {
            emit(ctx.app, s, key, value, true);
            changed = true;
          }
        }
        if (changed) s.changed();
        return null;
      },
      keys: (raw: unknown, ctx: InvokeContext) => [...storeOf(ctx, 'keys', record(raw)).entries.keys()],
      values: (raw: unknown, ctx: InvokeContext) => [...storeOf(ctx, 'values', record(raw)).entries.values()],
      entries: (raw: unknown, ctx: InvokeContext) => [...storeOf(ctx, 'entries', record(raw)).entries.entries()],
      length: (raw: unknown, ctx: InvokeContext) => storeOf(ctx, 'length', record(raw)).entries.size,
      reload: (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const s = storeOf(ctx, 'reload', args);
        if (args['ignoreDefaults'] !== true) for (const [k, v] of s.defaults) if (!s.entries.has(k)) s.entries.set(k, v);
        s.loadFromDisk(args['ignoreDefaults'] === true);
        return null;
      },
      save: (raw: unknown, ctx: InvokeContext) => {
        storeOf(ctx, 'save', record(raw)).save();
        return null;
      },
    })
    .permissions(new URL('./permissions', import.meta.url))
    .onEvent((_app, event) => {
      // Every store is saved when the app exits, as Tauri's plugin does.
      if (event.type !== 'ExitRequested') return;
      for (const s of byPath.values()) {
        try {
          s.flush();
        } catch {
          // reported by nothing: the app is going; the previous file is intact (atomic writes)
        }
      }
    })
    .jsInitScript(globalApi('store'))
    .build();
}
