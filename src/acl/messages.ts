/**
 * Denial messages. The first paragraph is Tauri's debug-build text (Tauri's `resolve_access_message`),
 * so frontends and habits that match on it keep working; Airlock then adds who asked (window, webview, URL) where
 * Tauri's text does not say, and a hint for remote pages. One difference: `permission:` names the permission fully
 * qualified (`core:event:allow-listen`), where Tauri prints its bare name.
 */
import { APP_KEY, commandSlug, qualify } from './identifier.js';
import { contextText, originText, type Requester, urlText } from './match.js';
import type { Manifest, PermissionSet } from './model.js';
import type { ResolvedAcl, ResolvedEntry } from './resolve.js';
import { findPermission } from './traverse.js';

/** `event.listen` for `plugin:event|listen`, the bare name for an app command. */
export function prettyCommand(command: string): string {
  const parsed = splitCommand(command);
  return parsed.plugin === undefined ? command : `${parsed.plugin}.${parsed.name}`;
}

export function splitCommand(command: string): { plugin: string | undefined; name: string } {
  if (!command.startsWith('plugin:')) return { plugin: undefined, name: command };
  const rest = command.slice('plugin:'.length);
  const bar = rest.indexOf('|');
  return bar < 0 ? { plugin: rest, name: '' } : { plugin: rest.slice(0, bar), name: rest.slice(bar + 1) };
}

export function references(entries: readonly ResolvedEntry[]): string {
  return entries.map((e) => `capability: ${e.capability}, permission: ${e.permission}`).join(' || ');
}

/** `[windows: "main", webviews: "x", URL: local]` */
export function entryContext(entry: ResolvedEntry): string {
  const quoted = (globs: ResolvedEntry['windows']): string => globs.map((g) => `"${g.source}"`).join(', ');
  let s = '[';
  if (entry.windows.length > 0) s += `windows: ${quoted(entry.windows)}, `;
  if (entry.webviews.length > 0) s += `webviews: ${quoted(entry.webviews)}, `;
  return `${s}URL: ${contextText(entry.context)}]`;
}

export function requestedBy(requester: Requester, url: URL | undefined): string {
  return `requested by: window "${requester.window}", webview "${requester.webview}", URL: ${urlText(requester, url)}`;
}

/** The manifest whose permissions govern a command: the plugin's, `core:<plugin>`'s, or the app's. */
export function manifestFor(acl: ResolvedAcl, command: string): Manifest | undefined {
  const { plugin } = splitCommand(command);
  if (plugin === undefined) return acl.manifests.get(APP_KEY);
  return acl.manifests.get(plugin) ?? acl.manifests.get(`core:${plugin}`);
}

function setAllows(manifest: Manifest, set: PermissionSet, command: string, seen: Set<string>): boolean {
  for (const member of set.permissions) {
    if (seen.has(member)) continue;
    seen.add(member);
    const nested = member === 'default' ? manifest.default : manifest.sets.get(member);
    if (
      nested !== undefined ? setAllows(manifest, nested, command, seen) : findPermission(manifest, member)?.commands.allow.includes(command)
    ) {
      return true;
    }
  }
  return false;
}

/** Sorted, qualified identifiers of the permissions and sets of the command's manifest that allow it. */
export function permissionsAllowing(manifest: Manifest, command: string): string[] {
  const names: string[] = [];
  if (manifest.default !== undefined && setAllows(manifest, manifest.default, command, new Set())) names.push('default');
  for (const set of manifest.sets.values()) if (setAllows(manifest, set, command, new Set())) names.push(set.identifier);
  for (const p of manifest.permissions.values()) if (p.commands.allow.includes(command)) names.push(p.identifier);
  // Generated `allow-<cmd>` of app and plugin commands (Tauri writes core ones as files, so they are in `permissions`).
  const generated = `allow-${commandSlug(command)}`;
  if (manifest.commands.includes(command) && !manifest.permissions.has(generated)) names.push(generated);
  return names.sort().map((n) => qualify(manifest.key, n));
}

/** Tauri's `<detail>`: which permissions would allow the command, or why there are none. */
export function detail(acl: ResolvedAcl, command: string): string {
  const manifest = manifestFor(acl, command);
  if (manifest === undefined) return 'Plugin not found';
  const names = permissionsAllowing(manifest, splitCommand(command).name);
  return names.length === 0 ? 'Command not found' : `Permissions associated with this command: ${names.join(', ')}`;
}

function remoteHint(requester: Requester): string {
  return requester.local ? '' : '\n\nhint: a remote page needs a capability whose `remote.urls` matches its URL';
}

const QUIRK_NOTE =
  '\n\nnote: as in Tauri, a deny in any capability applies to every window and origin; ' +
  'build the app with `Builder.scopedDenies()` to limit it to the windows and origins of its capability';

/** `elsewhere`: none of the deny entries matches the requester, so only Tauri's deny-everywhere rule applies. */
export function explicitDenyMessage(
  command: string,
  requester: Requester,
  url: URL | undefined,
  entries: readonly ResolvedEntry[],
  elsewhere: boolean,
): string {
  const head = `${prettyCommand(command)} explicitly denied on origin ${originText(requester, url)}`;
  return `${head}\n\nreferenced by: ${references(entries)}\n\n${requestedBy(requester, url)}${elsewhere ? QUIRK_NOTE : ''}`;
}

export function notAllowedMessage(
  acl: ResolvedAcl,
  command: string,
  requester: Requester,
  url: URL | undefined,
  entries: readonly ResolvedEntry[] | undefined,
): string {
  const pretty = prettyCommand(command);
  if (entries === undefined || entries.length === 0) {
    return `${pretty} not allowed. ${detail(acl, command)}\n\n${requestedBy(requester, url)}${remoteHint(requester)}`;
  }
  const hint = entries.some((e) => e.context.kind === 'remote') ? '' : remoteHint(requester);
  return (
    `${pretty} not allowed on window "${requester.window}", webview "${requester.webview}", URL: ${urlText(requester, url)}\n\n` +
    `allowed on: ${entries.map(entryContext).join(', ')}\n\nreferenced by: ${references(entries)}${hint}`
  );
}
