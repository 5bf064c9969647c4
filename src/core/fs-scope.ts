/**
 * A filesystem scope as Tauri keeps one (the asset protocol's, and the fs-like plugins'): glob patterns allowed and
 * forbidden by the configuration (scope variables such as `$APPDATA` resolved by the app's `PathResolver`), plus files
 * and directories allowed or forbidden while the app runs — a dialog pick makes the picked file reachable.
 *
 * Matching follows Tauri: a forbidden match wins; `*`, `?` and `[…]` never cross a separator (so `/dir/*` does not
 * reach `/dir/sub/file`); on Unix a leading dot must be written literally (neither `*` nor `**` exposes dotfiles)
 * unless `requireLiteralLeadingDot` is false; a path is canonicalized before it is matched (symlinks followed), and
 * each pattern is also kept in canonical form so a symlinked base directory still matches. A path with a `..`
 * component is never allowed.
 */
import { realpathSync } from 'node:fs';
import picomatch from 'picomatch';
import type { PathResolver } from './paths.js';

export interface FsScopeConfig {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  /** Default: true on Unix, false on Windows (as Tauri). */
  readonly requireLiteralLeadingDot?: boolean;
}

export type FsScopeChange = { readonly kind: 'allowed' | 'forbidden'; readonly path: string };

type Matcher = (path: string) => boolean;

/** Resolves the longest existing prefix of `path` to its real location and appends the rest, or `undefined`. */
function canonicalParent(path: string, sep: string): string | undefined {
  const parts = path.split(sep);
  for (let keep = parts.length; keep > 0; keep--) {
    const head = parts.slice(0, keep).join(sep) || sep;
    try {
      const real = realpathSync(head);
      const rest = parts.slice(keep);
      return rest.length === 0 ? real : [real.endsWith(sep) ? real.slice(0, -1) : real, ...rest].join(sep);
    } catch {
      // not there (yet): try its parent
    }
  }
  return undefined;
}

class PatternList {
  readonly #matchers: Matcher[] = [];
  readonly #files = new Set<string>();
  /** Directories whose direct children (false) or all descendants (true) are in the list. */
  readonly #dirs = new Map<string, boolean>();

  constructor(
    readonly literalDot: boolean,
    readonly windows: boolean,
  ) {}

  addPattern(pattern: string): void {
    this.#matchers.push(
      picomatch(this.#slashes(pattern), { dot: !this.literalDot, nobrace: true, noextglob: true, nonegate: true, windows: false }),
    );
  }

  addFile(path: string): void {
    this.#files.add(this.#slashes(path));
  }

  addDirectory(path: string, recursive: boolean): void {
    const dir = this.#slashes(path).replace(/\/+$/, '');
    this.#files.add(dir);
    this.#dirs.set(dir, recursive || this.#dirs.get(dir) === true);
  }

  matches(path: string): boolean {
    const p = this.#slashes(path);
    if (this.#files.has(p)) return true;
    for (const [dir, recursive] of this.#dirs) {
      if (!p.startsWith(`${dir}/`)) continue;
      const rest = p.slice(dir.length + 1).split('/');
      if (!recursive && rest.length > 1) continue;
      if (this.literalDot && rest.some((part) => part.startsWith('.'))) continue;
      return true;
    }
    return this.#matchers.some((m) => m(p));
  }

  /** Patterns and paths are matched with `/` separators (Windows paths included). */
  #slashes(path: string): string {
    return this.windows ? path.replaceAll('\\', '/') : path;
  }
}

export class FsScope {
  readonly #resolver: PathResolver;
  readonly #allowed: PatternList;
  readonly #forbidden: PatternList;
  readonly #listeners = new Set<(change: FsScopeChange) => void>();

  constructor(config: FsScopeConfig, resolver: PathResolver) {
    this.#resolver = resolver;
    const windows = resolver.ops.flavor === 'windows';
    const literalDot = config.requireLiteralLeadingDot ?? !windows;
    this.#allowed = new PatternList(literalDot, windows);
    this.#forbidden = new PatternList(literalDot, windows);
    for (const entry of config.allow) this.#addPattern(this.#allowed, entry);
    for (const entry of config.deny) this.#addPattern(this.#forbidden, entry);
  }

  /** Makes one file reachable (Tauri's `allow_file`). */
  allowFile(path: string): void {
    this.#each(path, (p) => this.#allowed.addFile(p));
    this.#emit({ kind: 'allowed', path });
  }

  /** Makes a directory and its children (every descendant when `recursive`) reachable. */
  allowDirectory(path: string, recursive = true): void {
    this.#each(path, (p) => this.#allowed.addDirectory(p, recursive));
    this.#emit({ kind: 'allowed', path });
  }

  forbidFile(path: string): void {
    this.#each(path, (p) => this.#forbidden.addFile(p));
    this.#emit({ kind: 'forbidden', path });
  }

  forbidDirectory(path: string, recursive = true): void {
    this.#each(path, (p) => this.#forbidden.addDirectory(p, recursive));
    this.#emit({ kind: 'forbidden', path });
  }

  /** Whether `path` (absolute) may be reached: canonicalized, not forbidden, and allowed. */
  isAllowed(path: string): boolean {
    const ops = this.#resolver.ops;
    if (!ops.isAbsolute(path) || ops.hasParentComponent(path)) return false;
    const lexical = ops.normalize(path);
    const candidate = canonicalParent(lexical, ops.sep) ?? lexical;
    if (this.#forbidden.matches(candidate) || this.#forbidden.matches(lexical)) return false;
    return this.#allowed.matches(candidate);
  }

  /** Called on every runtime change (Tauri's scope events). Returns the unsubscribe function. */
  onChange(listener: (change: FsScopeChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #addPattern(list: PatternList, entry: string): void {
    const parsed = this.#resolver.parseScope(entry);
    if (parsed === undefined) return; // its base directory cannot be resolved here: skipped, as in Tauri
    this.#each(parsed, (p) => list.addPattern(p));
  }

  /** Runs `add` for the path as given and for its canonical form, when that differs. */
  #each(path: string, add: (path: string) => void): void {
    add(path);
    const canonical = canonicalParent(path, this.#resolver.ops.sep);
    if (canonical !== undefined && canonical !== path) add(canonical);
  }

  #emit(change: FsScopeChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
