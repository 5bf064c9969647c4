/**
 * Run-time scopes: entries a plugin adds to (or forbids in) its own scope while the app runs, on top of what the
 * capabilities granted at start-up. Tauri's example is fs: a file the user picks in a dialog becomes reachable by
 * fs commands and the asset protocol (`app.fs_scope().allow_file(path)`).
 */
import type { CommandScope } from './commands.js';
import type { RuntimeScope } from './plugin.js';

class MergedScope implements CommandScope {
  constructor(
    readonly allow: readonly unknown[],
    readonly deny: readonly unknown[],
  ) {
    Object.freeze(this);
  }

  matches(predicate: (entry: unknown) => boolean): boolean {
    if (this.deny.some(predicate)) return false;
    return this.allow.length === 0 || this.allow.some(predicate);
  }
}

export class PluginScope<Entry = unknown> implements RuntimeScope<Entry> {
  readonly #allow: Entry[] = [];
  readonly #deny: Entry[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #report: (message: string, error: unknown) => void;

  constructor(report: (message: string, error: unknown) => void) {
    this.#report = report;
  }

  get allow(): readonly Entry[] {
    return Object.freeze([...this.#allow]);
  }

  get deny(): readonly Entry[] {
    return Object.freeze([...this.#deny]);
  }

  allowEntry(entry: Entry): void {
    this.#allow.push(entry);
    this.#changed();
  }

  denyEntry(entry: Entry): void {
    this.#deny.push(entry);
    this.#changed();
  }

  merged(granted: CommandScope): CommandScope {
    if (this.#allow.length === 0 && this.#deny.length === 0) return granted;
    return new MergedScope(Object.freeze([...granted.allow, ...this.#allow]), Object.freeze([...granted.deny, ...this.#deny]));
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch (error) {
        this.#report('a scope change listener threw', error);
      }
    }
  }
}
