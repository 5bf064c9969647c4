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

/** Concatenates the scope values of several entries (undefined = an entry without scope). */
export function mergeScopes(scopes: Iterable<ScopeValues | undefined>): CommandScope {
  const allow: unknown[] = [];
  const deny: unknown[] = [];
  for (const scope of scopes) {
    if (scope === undefined) continue;
    allow.push(...scope.allow);
    deny.push(...scope.deny);
  }
  return allow.length === 0 && deny.length === 0 ? EMPTY_SCOPE : commandScope(allow, deny);
}
