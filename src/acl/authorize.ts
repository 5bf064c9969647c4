/**
 * Authorize: the per-invoke check (Tauri's gate in `Webview::on_message` plus `resolve_access`), a pure function of
 * the resolved tables and the request. It costs two Map lookups and a scan of the few entries naming the command.
 *
 * Rules, in order:
 *  1. `plugin:__TAURI_CHANNEL__|fetch` is always allowed (Tauri exempts it from the gate).
 *  2. A deny entry for the command refuses it. By default any deny entry does, whatever its capability's windows
 *     or origins: Tauri's `resolve_access` checks `.map(..).is_some()`, so one deny denies everywhere.
 *     With `scopedDenies`, only deny entries that match the requester count. Denies also bind app commands that are
 *     otherwise unchecked (Tauri would ignore them there; an explicit deny is never what a user wants ignored).
 *  3. Allow entries matching the requester's origin and window/webview labels grant the call with their scopes.
 *  4. Without one, the call is refused if it is checked: plugin commands always are; app commands when the app has
 *     permission files (`appCommandsChecked`) or the page is remote (tauri ≥ 2.11.1). Unchecked calls pass with an
 *     empty scope.
 *  5. For `plugin:event|listen`/`emit`/`emit_to`, event-name scopes apply to `args.event` (event-scope.ts).
 */
import type { CommandScope } from '../core/commands.js';
import { CHANNEL_FETCH_COMMAND } from '../protocol/frames.js';
import { checkEvent, EVENT_COMMANDS } from './event-scope.js';
import { APP_KEY } from './identifier.js';
import { entryMatches, originText, type Requester, remoteUrl } from './match.js';
import { explicitDenyMessage, notAllowedMessage, prettyCommand, references, requestedBy, splitCommand } from './messages.js';
import type { ResolvedAcl, ResolvedEntry } from './resolve.js';
import { EMPTY_SCOPE, mergeScopes, scopeOfValues } from './scope.js';

export interface AuthorizeRequest extends Requester {
  /** The invoked command: `greet`, `plugin:event|listen`, `plugin:fs|read_dir`. */
  readonly command: string;
  /** The invoke args; only read for event-name scopes (`args.event`). */
  readonly args?: unknown;
}

export type Authorization =
  | {
      readonly allowed: true;
      /** Scope values of the entries that granted the call (empty when none did, e.g. an unchecked app command). */
      readonly scope: CommandScope;
      /** The global scope of the command's plugin (or of the app). */
      readonly globalScope: CommandScope;
      /** Whether the ACL applied to this call at all (false for unchecked app commands). */
      readonly checked: boolean;
    }
  | {
      readonly allowed: false;
      /** Tauri's debug-build text plus who asked; what `invoke` rejects with. */
      readonly message: string;
      /** Tauri's release-build text: `Command <cmd> not allowed by ACL`. */
      readonly releaseMessage: string;
    };

const NO_ENTRIES: readonly ResolvedEntry[] = Object.freeze([]);

function refuse(command: string, message: string): Authorization {
  return { allowed: false, message, releaseMessage: `Command ${command} not allowed by ACL` };
}

/** Whether the gate applies to this call (Tauri ≥ 2.11.1). */
export function isChecked(acl: ResolvedAcl, request: AuthorizeRequest): boolean {
  return request.command.startsWith('plugin:') || acl.appCommandsChecked || !request.local;
}

/** The deny entries that refuse this request (all of them, unless `scopedDenies`). */
export function denyingEntries(acl: ResolvedAcl, request: AuthorizeRequest, url: URL | undefined): readonly ResolvedEntry[] {
  const denied = acl.denied.get(request.command);
  if (denied === undefined) return NO_ENTRIES;
  return acl.scopedDenies ? denied.filter((e) => entryMatches(e, request, url)) : denied;
}

export function globalScopeFor(acl: ResolvedAcl, command: string): CommandScope {
  // An app command (no `plugin:` prefix) has the app's global scope: no split, no arrays on the per-call path.
  if (!command.startsWith('plugin:')) return scopeOfValues(acl.globalScopes.get(APP_KEY));
  const { plugin } = splitCommand(command);
  const key = plugin === undefined ? APP_KEY : acl.manifests.has(plugin) ? plugin : `core:${plugin}`;
  return scopeOfValues(acl.globalScopes.get(key));
}

function eventOf(args: unknown): unknown {
  return typeof args === 'object' && args !== null && Object.hasOwn(args, 'event') ? (args as { event: unknown }).event : undefined;
}

function eventRefusal(request: AuthorizeRequest, url: URL | undefined, matched: readonly ResolvedEntry[]): string | undefined {
  const verdict = checkEvent(matched, eventOf(request.args));
  if (verdict.ok) return undefined;
  const pretty = prettyCommand(request.command);
  const event = JSON.stringify(eventOf(request.args));
  const refs = `referenced by: ${references(verdict.entries)}\n\n${requestedBy(request, url)}`;
  if (verdict.reason === 'no-event') return `${pretty} needs a string \`event\` argument to check against its event scope\n\n${refs}`;
  if (verdict.reason === 'denied') return `${pretty} of event ${event} explicitly denied on origin ${originText(request, url)}\n\n${refs}`;
  const allowedEvents = [...new Set(verdict.entries.flatMap((e) => e.events?.allow.map((g) => `"${g.source}"`) ?? []))];
  return `${pretty} of event ${event} not allowed; allowed events: ${allowedEvents.join(', ')}\n\n${refs}`;
}

/** Decides one invoke. Pure and synchronous; call it before validating args. */
export function authorize(acl: ResolvedAcl, request: AuthorizeRequest): Authorization {
  if (request.command === CHANNEL_FETCH_COMMAND) return { allowed: true, scope: EMPTY_SCOPE, globalScope: EMPTY_SCOPE, checked: false };
  const url = remoteUrl(request);
  const denying = denyingEntries(acl, request, url);
  if (denying.length > 0) {
    const elsewhere = !acl.scopedDenies && !denying.some((e) => entryMatches(e, request, url));
    return refuse(request.command, explicitDenyMessage(request.command, request, url, denying, elsewhere));
  }

  const entries = acl.allowed.get(request.command);
  const matched = entries === undefined ? NO_ENTRIES : entries.filter((e) => entryMatches(e, request, url));
  const checked = isChecked(acl, request);
  if (matched.length === 0) {
    if (!checked) return { allowed: true, scope: EMPTY_SCOPE, globalScope: globalScopeFor(acl, request.command), checked };
    return refuse(request.command, notAllowedMessage(acl, request.command, request, url, entries));
  }
  if (EVENT_COMMANDS.has(request.command)) {
    const refusal = eventRefusal(request, url, matched);
    if (refusal !== undefined) return refuse(request.command, refusal);
  }
  return { allowed: true, scope: mergeScopes(matched.map((e) => e.scope)), globalScope: globalScopeFor(acl, request.command), checked };
}
