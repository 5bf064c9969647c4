/**
 * Event-name permissions, beyond Tauri. Tauri's capabilities decide whether a webview may call `listen` or `emit`
 * at all, never for which event. Here the scope values of the `core:event` permissions can name events:
 *
 *   { "identifier": "core:event:allow-listen", "allow": [{ "event": "progress" }, { "event": "job/*" }] }
 *   { "identifier": "core:event:allow-emit",   "deny":  [{ "event": "admin-*" }] }
 *
 * `event` is a label-style glob (`*`, `?`, `[...]`). For `plugin:event|listen`, `emit` and `emit_to`, the checked
 * name is `args.event`. Rules, over the capability entries that granted the call:
 *  1. any matching deny entry refuses the event;
 *  2. otherwise the event passes if some entry has no `event` allow entries (an unscoped grant, such as the one in
 *     `core:default`, grants every event: Tauri's behaviour) or one of its allow entries matches.
 * Scope entries without an `event` key are left alone, so other scope data can sit beside them.
 */
import { configError, isRecord } from './fields.js';
import { compileGlob, type Glob, GlobError, globMatches } from './glob.js';
import type { ScopeValues } from './model.js';

export const EVENT_COMMANDS: ReadonlySet<string> = new Set(['plugin:event|listen', 'plugin:event|emit', 'plugin:event|emit_to']);

export interface EventScope {
  readonly allow: readonly Glob[];
  readonly deny: readonly Glob[];
}

function globsOf(values: readonly unknown[], where: string): Glob[] {
  const globs: Glob[] = [];
  for (const value of values) {
    if (!isRecord(value) || !Object.hasOwn(value, 'event')) continue;
    const event = value['event'];
    if (typeof event !== 'string')
      throw configError(`${where}: an event scope entry needs a string \`event\`, got ${JSON.stringify(event)}`);
    try {
      globs.push(compileGlob(event));
    } catch (cause) {
      if (cause instanceof GlobError) throw configError(`${where}: event scope: ${cause.message}`);
      throw cause;
    }
  }
  return globs;
}

/** Compiles the `{ event }` entries of a scope; undefined when there are none. */
export function compileEventScope(scope: ScopeValues | undefined, where: string): EventScope | undefined {
  if (scope === undefined) return undefined;
  const allow = globsOf(scope.allow, where);
  const deny = globsOf(scope.deny, where);
  return allow.length === 0 && deny.length === 0 ? undefined : { allow, deny };
}

export type EventVerdict<E> =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'denied'; readonly entries: readonly E[] }
  | { readonly ok: false; readonly reason: 'not-allowed'; readonly entries: readonly E[] }
  | { readonly ok: false; readonly reason: 'no-event'; readonly entries: readonly E[] };

/** Applies the rules above to the entries that granted an event command. */
export function checkEvent<E extends { readonly events: EventScope | undefined }>(entries: readonly E[], event: unknown): EventVerdict<E> {
  const scoped = entries.filter((e) => e.events !== undefined);
  if (scoped.length === 0) return { ok: true };
  if (typeof event !== 'string') return { ok: false, reason: 'no-event', entries: scoped };
  const denying = scoped.filter((e) => e.events?.deny.some((g) => globMatches(g, event)));
  if (denying.length > 0) return { ok: false, reason: 'denied', entries: denying };
  const admitted = entries.some(
    (e) => e.events === undefined || e.events.allow.length === 0 || e.events.allow.some((g) => globMatches(g, event)),
  );
  if (admitted) return { ok: true };
  return { ok: false, reason: 'not-allowed', entries: scoped.filter((e) => (e.events?.allow.length ?? 0) > 0) };
}
