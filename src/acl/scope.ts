/**
 * The scope a command handler receives as `ctx.scope`: the `allow`/`deny` values of every capability entry that
 * granted this call, concatenated (Tauri's `CommandScope`). Deny wins: `matches` is false when any deny entry
 * matches, else true when there is no allow entry or one matches.
 */
import type { CommandScope } from '../core/commands.js';
import type { ScopeValues } from './model.js';

export type { CommandScope };

class Scope implements CommandScope {
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

/** A scope over the given values (the arrays are copied and frozen, so a handler cannot widen its own scope). */
export function commandScope(allow: readonly unknown[] = [], deny: readonly unknown[] = []): CommandScope {
  return new Scope(Object.freeze([...allow]), Object.freeze([...deny]));
}

/** The scope of a call no capability entry scoped. */
export const EMPTY_SCOPE: CommandScope = commandScope();

// Resolved scope values never change, so the scope object of one entry (or one global scope) is built once.
const cache = new WeakMap<ScopeValues, CommandScope>();

function scopeOf(values: ScopeValues): CommandScope {
  let scope = cache.get(values);
  if (scope === undefined) {
    scope = values.allow.length === 0 && values.deny.length === 0 ? EMPTY_SCOPE : commandScope(values.allow, values.deny);
    cache.set(values, scope);
  }
  return scope;
}

/** The scope of one entry's (or one global scope's) values; EMPTY_SCOPE for none. Same as `mergeScopes([values])`. */
export function scopeOfValues(values: ScopeValues | undefined): CommandScope {
  return values === undefined ? EMPTY_SCOPE : scopeOf(values);
}

/** Concatenates the scope values of several entries (undefined = an entry without scope). */
export function mergeScopes(scopes: readonly (ScopeValues | undefined)[]): CommandScope {
  const present = scopes.filter((s): s is ScopeValues => s !== undefined);
  if (present.length === 0) return EMPTY_SCOPE;
  if (present.length === 1) return scopeOf(present[0] as ScopeValues);
  return commandScope(
    present.flatMap((s) => s.allow),
    present.flatMap((s) => s.deny),
  );
}
