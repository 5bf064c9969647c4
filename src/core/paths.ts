/**
 * Tauri's path model for a Node core: `BaseDirectory` resolution as Tauri does it on Linux, macOS and Windows
 * (the `dirs` crate's rules plus the app's identifier), scope strings with `$APPDATA`-style variables, and the
 * lexical path operations of `@tauri-apps/api/path` with Rust's `std::path` semantics (which differ from
 * `node:path` in places: `normalize('../a')` is `a`, `extname` has no dot and fails when there is none).
 *
 * Pure: the environment (platform, variables, home, the `user-dirs.dirs` reader) is handed in, so every platform's
 * rules can be tested on any machine. The one resolver built from the app's config serves the `path` plugin, the
 * fs and store plugins, the asset protocol's scope and the ACL's scope variables.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** `@tauri-apps/api/path`'s `BaseDirectory`, as the page sends it (a number). */
export const BaseDirectory = {
  Audio: 1,
  Cache: 2,
  Config: 3,
  Data: 4,
  LocalData: 5,
  Document: 6,
  Download: 7,
  Picture: 8,
  Public: 9,
  Video: 10,
  Resource: 11,
  Temp: 12,
  AppConfig: 13,
  AppData: 14,
  AppLocalData: 15,
  AppCache: 16,
  AppLog: 17,
  Desktop: 18,
  Executable: 19,
  Font: 20,
  Home: 21,
  Runtime: 22,
  Template: 23,
} as const;

export type BaseDirectory = (typeof BaseDirectory)[keyof typeof BaseDirectory];

/** The scope variable of each base directory (`$APPDATA` …), as in Tauri's capability scopes. */
export const SCOPE_VARIABLES: Readonly<Record<BaseDirectory, string>> = {
  1: '$AUDIO',
  2: '$CACHE',
  3: '$CONFIG',
  4: '$DATA',
  5: '$LOCALDATA',
  6: '$DOCUMENT',
  7: '$DOWNLOAD',
  8: '$PICTURE',
  9: '$PUBLIC',
  10: '$VIDEO',
  11: '$RESOURCE',
  12: '$TEMP',
  13: '$APPCONFIG',
  14: '$APPDATA',
  15: '$APPLOCALDATA',
  16: '$APPCACHE',
  17: '$APPLOG',
  18: '$DESKTOP',
  19: '$EXE',
  20: '$FONT',
  21: '$HOME',
  22: '$RUNTIME',
  23: '$TEMPLATE',
};

const BY_VARIABLE: ReadonlyMap<string, BaseDirectory> = new Map(
  Object.entries(SCOPE_VARIABLES).map(([dir, variable]) => [variable, Number(dir) as BaseDirectory]),
);

/** Tauri's error texts for the path commands; the page's `invoke` rejects with exactly these strings. */
export const PathErrorText = {
  unknownPath: 'unknown path',
  noParent: 'path does not have a parent',
  noExtension: 'path does not have an extension',
  noBasename: 'path does not have a basename',
} as const;

export function isBaseDirectory(value: unknown): value is BaseDirectory {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 23;
}

// ── lexical operations with std::path semantics ───────────────────────────────────────────────────────────────────

export type PathFlavor = 'posix' | 'windows';

type Component =
  | { readonly kind: 'prefix'; readonly text: string }
  | { readonly kind: 'root' }
  | { readonly kind: 'cur' }
  | { readonly kind: 'parent' }
  | { readonly kind: 'normal'; readonly text: string };

const isSep = (flavor: PathFlavor, ch: string | undefined): boolean => ch === '/' || (flavor === 'windows' && ch === '\\');

/** The drive (`C:`) or UNC (`\\server\share`) prefix of a Windows path, if any. */
function windowsPrefix(path: string): string {
  const unc = /^[\\/]{2}(?![\\/?.])[^\\/]+[\\/][^\\/]+/.exec(path);
  if (unc !== null) return unc[0];
  const drive = /^[A-Za-z]:/.exec(path);
  return drive === null ? '' : drive[0];
}

/** Rust's `Path::components()`: `.` is kept only at the start, empty parts and trailing separators vanish. */
function components(path: string, flavor: PathFlavor): Component[] {
  const out: Component[] = [];
  let rest = path;
  if (flavor === 'windows') {
    const prefix = windowsPrefix(path);
    if (prefix !== '') {
      out.push({ kind: 'prefix', text: prefix });
      rest = path.slice(prefix.length);
    }
  }
  if (isSep(flavor, rest[0])) out.push({ kind: 'root' });
  const parts = rest.split(flavor === 'windows' ? /[\\/]/ : '/');
  parts.forEach((part, i) => {
    if (part === '') return;
    if (part === '.') {
      if (i === 0 && out.length === 0) out.push({ kind: 'cur' });
      return;
    }
    out.push(part === '..' ? { kind: 'parent' } : { kind: 'normal', text: part });
  });
  return out;
}

/** A path being built, as a `PathBuf`: its components, whether it ends in a separator. */
class PathBuf {
  readonly #flavor: PathFlavor;
  #parts: Component[] = [];

  constructor(flavor: PathFlavor, start?: string | readonly Component[]) {
    this.#flavor = flavor;
    if (start !== undefined) this.#parts = typeof start === 'string' ? components(start, flavor) : [...start];
  }

  get isAbsolute(): boolean {
    const [first, second] = this.#parts;
    if (this.#flavor === 'posix') return first?.kind === 'root';
    if (first?.kind !== 'prefix') return false;
    return first.text.length > 2 || second?.kind === 'root';
  }

  /** `PathBuf::push`: an absolute path (or, on Windows, one with a prefix or a root) replaces what is there. */
  push(path: string): void {
    const next = components(path, this.#flavor);
    const head = next[0];
    if (head?.kind === 'root' && this.#flavor === 'windows' && this.#parts[0]?.kind === 'prefix') {
      this.#parts = [this.#parts[0], ...next];
    } else if (head?.kind === 'root' || head?.kind === 'prefix') {
      this.#parts = next;
    } else {
      this.#parts.push(...next);
    }
  }

  /** `PathBuf::pop`: drops the last component unless only the root (or prefix) is left. */
  pop(): void {
    const last = this.#parts.at(-1);
    if (last !== undefined && last.kind !== 'root' && last.kind !== 'prefix') this.#parts.pop();
  }

  /** Lexical normalisation as Tauri's `normalize_path`: `.` dropped, `..` pops (never above the root). */
  normalized(): PathBuf {
    const out = new PathBuf(this.#flavor);
    for (const c of this.#parts) {
      if (c.kind === 'cur') continue;
      if (c.kind === 'parent') out.pop();
      else out.#parts.push(c);
    }
    return out;
  }

  components(): readonly Component[] {
    return this.#parts;
  }

  toString(): string {
    const sep = this.#flavor === 'windows' ? '\\' : '/';
    let text = '';
    for (const c of this.#parts) {
      if (c.kind === 'prefix') text += c.text;
      else if (c.kind === 'root') text += sep;
      else {
        if (text !== '' && !isSep(this.#flavor, text.at(-1))) text += sep;
        text += c.kind === 'cur' ? '.' : c.kind === 'parent' ? '..' : c.text;
      }
    }
    return text;
  }
}

/**
 * The path operations of `@tauri-apps/api/path`, with Tauri's semantics. Operations Tauri can fail return
 * `undefined`; the caller rejects with the matching `PathErrorText`.
 */
export class PathOps {
  readonly flavor: PathFlavor;
  readonly sep: string;
  readonly delimiter: string;

  constructor(flavor: PathFlavor) {
    this.flavor = flavor;
    this.sep = flavor === 'windows' ? '\\' : '/';
    this.delimiter = flavor === 'windows' ? ';' : ':';
  }

  /** `resolve(...paths)`: from `cwd`, each part pushed (an absolute one restarts), then normalised. */
  resolve(paths: readonly string[], cwd: string): string {
    const p = new PathBuf(this.flavor, cwd);
    for (const part of paths) p.push(part);
    return p.normalized().toString();
  }

  /** `normalize(path)`: lexical, never against the cwd; `..` above the start is dropped; a trailing separator stays. */
  normalize(path: string): string {
    const p = new PathBuf(this.flavor, path).normalized().toString();
    if (p === '' && (path === '..' || path === '.' || path === '')) return path === '..' ? '..' : '.';
    return isSep(this.flavor, path.at(-1)) && !isSep(this.flavor, p.at(-1)) ? p + this.sep : p;
  }

  /** `join(...paths)`: the parts joined with separators and normalised; `.` when nothing is left. */
  join(paths: readonly string[]): string {
    const joined = paths.map((p) => (isSep(this.flavor, p.at(-1)) ? p : p + this.sep)).join('');
    const p = new PathBuf(this.flavor, joined).normalized().toString();
    return p === '' ? '.' : p;
  }

  /** `dirname(path)`: Rust's `Path::parent`; `undefined` for a root or an empty path. */
  dirname(path: string): string | undefined {
    const parts = new PathBuf(this.flavor, path).components();
    const last = parts.at(-1);
    if (last === undefined || last.kind === 'root' || last.kind === 'prefix') return undefined;
    return new PathBuf(this.flavor, parts.slice(0, -1)).toString();
  }

  /** The last component when it is a name (Rust's `Path::file_name`). */
  fileName(path: string): string | undefined {
    const last = new PathBuf(this.flavor, path).components().at(-1);
    return last?.kind === 'normal' ? last.text : undefined;
  }

  /** `extname(path)`: the extension without its dot (`''` for `a.`); `undefined` for none or a dot-file. */
  extname(path: string): string | undefined {
    const name = this.fileName(path);
    if (name === undefined || name === '..') return undefined;
    const dot = name.lastIndexOf('.');
    return dot <= 0 ? undefined : name.slice(dot + 1);
  }

  /** `basename(path, ext?)`: the file name, with `ext` removed as a literal suffix when it ends with it. */
  basename(path: string, ext?: string): string | undefined {
    const name = this.fileName(path);
    if (name === undefined) return undefined;
    return ext !== undefined && ext !== '' && name.endsWith(ext) ? name.slice(0, -ext.length) : name;
  }

  isAbsolute(path: string): boolean {
    return new PathBuf(this.flavor, path).isAbsolute;
  }

  /** `base` with `path` pushed onto it: an absolute `path` replaces the base, as in Tauri. */
  push(base: string, path: string): string {
    const p = new PathBuf(this.flavor, base);
    p.push(path);
    return p.toString();
  }

  /** Whether any component is `..` (Tauri's `SafePathBuf` refuses those). */
  hasParentComponent(path: string): boolean {
    return new PathBuf(this.flavor, path).components().some((c) => c.kind === 'parent');
  }

  /** The bundler's layout for resources: `..` becomes `_up_`, a root `_root_`, a prefix is dropped. */
  resourcePath(path: string): string {
    const out = new PathBuf(this.flavor);
    for (const c of new PathBuf(this.flavor, path).components()) {
      if (c.kind === 'root') out.push('_root_');
      else if (c.kind === 'parent') out.push('_up_');
      else if (c.kind === 'normal') out.push(c.text);
    }
    return out.toString();
  }
}

// ── base directories ──────────────────────────────────────────────────────────────────────────────────────────────

/** What resolution reads from the machine; `fromProcess()` gives the real one. */
export interface PathEnvironment {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory; `undefined` where it cannot be found. */
  readonly home: string | undefined;
  /** Reads a text file, `undefined` when it cannot (used for `user-dirs.dirs` on Linux). */
  readonly readText: (path: string) => string | undefined;
}

export function processEnvironment(): PathEnvironment {
  let home: string | undefined;
  try {
    home = os.homedir() || undefined;
  } catch {
    home = undefined;
  }
  return {
    platform: process.platform,
    env: process.env,
    home,
    readText: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

export interface PathResolverOptions {
  /** `tauri.conf.json > identifier`: the `App*` directories are `<base>/<identifier>`. */
  readonly identifier: string;
  /** Where `BaseDirectory.Resource` points: the app's resources (by default the directory of tauri.conf.json). */
  readonly resourceDir: string | undefined;
  readonly environment?: PathEnvironment;
}

type DirName =
  | 'home'
  | 'cache'
  | 'config'
  | 'data'
  | 'localData'
  | 'executable'
  | 'font'
  | 'runtime'
  | 'audio'
  | 'desktop'
  | 'document'
  | 'download'
  | 'picture'
  | 'public'
  | 'video'
  | 'template';

/** The platform's directories; a missing or `undefined` one is `unknown path`. */
type Dirs = { readonly [K in DirName]?: string | undefined };

/** An absolute path from an environment variable, as the `dirs` crate accepts them (relative values are ignored). */
function absoluteVar(env: PathEnvironment['env'], name: string, ops: PathOps): string | undefined {
  const v = env[name];
  return v !== undefined && v !== '' && ops.isAbsolute(v) ? v : undefined;
}

/** `XDG_*_DIR` entries of `user-dirs.dirs`: double-quoted, `$HOME/…` or absolute; `"$HOME/"` means disabled. */
export function parseUserDirs(text: string, home: string): Map<string, string> {
  const dirs = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^XDG_([A-Z]+)_DIR\s*=\s*"(.*)"$/.exec(line);
    if (m === null) continue;
    const [, key = '', value = ''] = m;
    if (value === '$HOME/' || value === '$HOME') continue;
    if (value.startsWith('$HOME/')) dirs.set(key, `${home.replace(/\/+$/, '')}/${value.slice('$HOME/'.length)}`);
    else if (value.startsWith('/')) dirs.set(key, value);
  }
  return dirs;
}

function linuxDirs(environment: PathEnvironment, ops: PathOps): Dirs {
  const { env, home } = environment;
  const under = (rel: string): string | undefined => (home === undefined ? undefined : ops.push(home, rel));
  const data = absoluteVar(env, 'XDG_DATA_HOME', ops) ?? under('.local/share');
  const config = absoluteVar(env, 'XDG_CONFIG_HOME', ops) ?? under('.config');
  const user =
    home === undefined || config === undefined
      ? new Map<string, string>()
      : parseUserDirs(environment.readText(ops.push(config, 'user-dirs.dirs')) ?? '', home);
  const xdgData = absoluteVar(env, 'XDG_DATA_HOME', ops);
  return {
    home,
    cache: absoluteVar(env, 'XDG_CACHE_HOME', ops) ?? under('.cache'),
    config,
    data,
    localData: data,
    executable: absoluteVar(env, 'XDG_BIN_HOME', ops) ?? (xdgData === undefined ? under('.local/bin') : ops.join([xdgData, '../bin'])),
    font: data === undefined ? undefined : ops.push(data, 'fonts'),
    runtime: absoluteVar(env, 'XDG_RUNTIME_DIR', ops),
    audio: user.get('MUSIC'),
    desktop: user.get('DESKTOP'),
    document: user.get('DOCUMENTS'),
    download: user.get('DOWNLOAD'),
    picture: user.get('PICTURES'),
    public: user.get('PUBLICSHARE'),
    video: user.get('VIDEOS'),
    template: user.get('TEMPLATES'),
  };
}

function macDirs(environment: PathEnvironment, ops: PathOps): Dirs {
  const { home } = environment;
  if (home === undefined) return {};
  const at = (rel: string): string => ops.push(home, rel);
  const support = at('Library/Application Support');
  return {
    home,
    cache: at('Library/Caches'),
    config: support,
    data: support,
    localData: support,
    font: at('Library/Fonts'),
    audio: at('Music'),
    desktop: at('Desktop'),
    document: at('Documents'),
    download: at('Downloads'),
    picture: at('Pictures'),
    public: at('Public'),
    video: at('Movies'),
  };
}

/** Windows known folders, read from the variables Windows sets for them (a redirected folder follows its variable). */
function windowsDirs(environment: PathEnvironment, ops: PathOps): Dirs {
  const { env } = environment;
  const home = absoluteVar(env, 'USERPROFILE', ops) ?? environment.home;
  const roaming = absoluteVar(env, 'APPDATA', ops);
  const local = absoluteVar(env, 'LOCALAPPDATA', ops);
  const at = (rel: string): string | undefined => (home === undefined ? undefined : ops.push(home, rel));
  return {
    home,
    cache: local,
    config: roaming,
    data: roaming,
    localData: local,
    audio: at('Music'),
    desktop: at('Desktop'),
    document: at('Documents'),
    download: at('Downloads'),
    picture: at('Pictures'),
    public: absoluteVar(env, 'PUBLIC', ops),
    video: at('Videos'),
    template: roaming === undefined ? undefined : ops.push(roaming, 'Microsoft\\Windows\\Templates'),
  };
}

/**
 * Resolves base directories, base-relative paths and scope strings for one app. Built once from the app's config;
 * every plugin that takes a `baseDir` uses the same one.
 */
export class PathResolver {
  readonly ops: PathOps;
  readonly #identifier: string;
  readonly #resourceDir: string | undefined;
  readonly #environment: PathEnvironment;
  readonly #dirs: Dirs;

  constructor(options: PathResolverOptions) {
    this.#environment = options.environment ?? processEnvironment();
    this.ops = new PathOps(this.#environment.platform === 'win32' ? 'windows' : 'posix');
    this.#identifier = options.identifier;
    this.#resourceDir = options.resourceDir;
    const p = this.#environment.platform;
    this.#dirs =
      p === 'win32'
        ? windowsDirs(this.#environment, this.ops)
        : p === 'darwin'
          ? macDirs(this.#environment, this.ops)
          : linuxDirs(this.#environment, this.ops);
  }

  /** The directory a `BaseDirectory` names, or `undefined` where Tauri answers `unknown path`. */
  baseDirectory(directory: BaseDirectory): string | undefined {
    const d = this.#dirs;
    const app = (base: string | undefined): string | undefined => (base === undefined ? undefined : this.ops.push(base, this.#identifier));
    switch (directory) {
      case BaseDirectory.Audio:
        return d.audio;
      case BaseDirectory.Cache:
        return d.cache;
      case BaseDirectory.Config:
        return d.config;
      case BaseDirectory.Data:
        return d.data;
      case BaseDirectory.LocalData:
        return d.localData;
      case BaseDirectory.Document:
        return d.document;
      case BaseDirectory.Download:
        return d.download;
      case BaseDirectory.Picture:
        return d.picture;
      case BaseDirectory.Public:
        return d.public;
      case BaseDirectory.Video:
        return d.video;
      case BaseDirectory.Resource:
        return this.#resourceDir;
      case BaseDirectory.Temp:
        return this.#tempDir();
      case BaseDirectory.AppConfig:
        return app(d.config);
      case BaseDirectory.AppData:
        return app(d.data);
      case BaseDirectory.AppLocalData:
        return app(d.localData);
      case BaseDirectory.AppCache:
        return app(d.cache);
      case BaseDirectory.AppLog: {
        if (this.#environment.platform === 'darwin')
          return d.home === undefined ? undefined : this.ops.push(d.home, `Library/Logs/${this.#identifier}`);
        const appLocal = app(d.localData);
        return appLocal === undefined ? undefined : this.ops.push(appLocal, 'logs');
      }
      case BaseDirectory.Desktop:
        return d.desktop;
      case BaseDirectory.Executable:
        return d.executable;
      case BaseDirectory.Font:
        return d.font;
      case BaseDirectory.Home:
        return d.home;
      case BaseDirectory.Runtime:
        return d.runtime;
      case BaseDirectory.Template:
        return d.template;
    }
  }

  /**
   * `resolve_directory`: the base directory with `path` pushed onto it (an absolute `path` replaces the base); under
   * `Resource`, `..` and a root are rewritten as the bundler lays resources out. `undefined`: `unknown path`.
   */
  resolve(directory: BaseDirectory, path?: string): string | undefined {
    const base = this.baseDirectory(directory);
    if (base === undefined) return undefined;
    if (path === undefined) return base;
    return this.ops.push(base, directory === BaseDirectory.Resource ? this.ops.resourcePath(path) : path);
  }

  /**
   * A scope entry (`$APPDATA/notes/**`): only the first component may be a variable, an unknown variable is kept
   * literally (so it matches nothing), `..` components are dropped. `undefined` when the variable's directory cannot
   * be resolved: Tauri skips such an entry rather than failing.
   */
  parseScope(entry: string): string | undefined {
    const [head, ...rest] = components(entry, this.ops.flavor);
    const kept = rest.filter((c) => c.kind !== 'parent');
    const variable = head?.kind === 'normal' ? BY_VARIABLE.get(head.text) : undefined;
    if (variable === undefined) return new PathBuf(this.ops.flavor, head === undefined ? kept : [head, ...kept]).toString();
    const base = this.baseDirectory(variable);
    return base === undefined ? undefined : new PathBuf(this.ops.flavor, [...components(base, this.ops.flavor), ...kept]).toString();
  }

  #tempDir(): string {
    const { env, platform } = this.#environment;
    if (platform === 'win32') return env['TMP'] || env['TEMP'] || env['USERPROFILE'] || 'C:\\Windows\\Temp';
    return env['TMPDIR'] || '/tmp';
  }
}
