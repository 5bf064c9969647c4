/**
 * Scope entries parsed by a plugin's schema (Tauri's `ScopeObject::deserialize`): once at start-up, every scope
 * value the capabilities and the plugin's permissions give its commands (and its global scope) passes the parser,
 * and what the handlers receive as `ctx.scope` / `ctx.globalScope` is the parser's output. A value the parser
 * refuses stops start-up, naming the capability and the permission it came from.
 */
import { configError } from './fields.js';
import type { ScopeValues } from './model.js';
import type { ResolvedAcl, ResolvedEntry } from './resolve.js';

/** Returns the parsed entry, or throws an Error whose message says what is wrong with it. */
export type ScopeParser = (entry: unknown) => unknown;

function parseValues(values: ScopeValues, parse: ScopeParser, where: string): ScopeValues {
  const one = (entry: unknown, kind: 'allow' | 'deny'): unknown => {
    try {
      return parse(entry);
    } catch (cause) {
      throw configError(`${where}: ${kind} scope entry ${JSON.stringify(entry)} is invalid: ${(cause as Error).message}`);
    }
  };
  return Object.freeze({
    allow: Object.freeze(values.allow.map((e) => one(e, 'allow'))),
    deny: Object.freeze(values.deny.map((e) => one(e, 'deny'))),
  });
}

/** The ACL with every scope value of plugin `name` replaced by `parse(value)`. */
export function parsePluginScopes(acl: ResolvedAcl, name: string, parse: ScopeParser): ResolvedAcl {
  const prefix = `plugin:${name}|`;
  const cache = new Map<ScopeValues, ScopeValues>();
  const table = (source: ReadonlyMap<string, readonly ResolvedEntry[]>): Map<string, readonly ResolvedEntry[]> => {
    const out = new Map<string, readonly ResolvedEntry[]>();
    for (const [command, entries] of source) {
      if (!command.startsWith(prefix)) {
        out.set(command, entries);
        continue;
      }
      out.set(
        command,
        entries.map((e) => {
          if (e.scope === undefined) return e;
          let parsed = cache.get(e.scope);
          if (parsed === undefined) {
            parsed = parseValues(e.scope, parse, `capability \`${e.capability}\`: \`${e.via}\` (permission \`${e.permission}\`)`);
            cache.set(e.scope, parsed);
          }
          return Object.freeze({ ...e, scope: parsed });
        }),
      );
    }
    return out;
  };
  const globalScopes = new Map(acl.globalScopes);
  const global = acl.globalScopes.get(name);
  if (global !== undefined) globalScopes.set(name, parseValues(global, parse, `the global scope of plugin \`${name}\``));
  return { ...acl, allowed: table(acl.allowed), denied: table(acl.denied), globalScopes };
}
