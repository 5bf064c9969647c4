/**
 * Explain: "may window W call command C?" answered with the reasoning, one line per rule and per entry, ending in
 * the verdict that `authorize` gives (and its message when refused). Meant for a CLI (`airlock acl explain`) and for
 * debugging a denial; it walks the same tables as `authorize` but is not on the hot path.
 */
import { CHANNEL_FETCH_COMMAND } from '../protocol/frames.js';
import { type AuthorizeRequest, authorize, isChecked } from './authorize.js';
import { contextMatches, entryMatches, labelsMatch, type Requester, remoteUrl, urlText } from './match.js';
import { entryContext } from './messages.js';
import type { ResolvedAcl, ResolvedEntry } from './resolve.js';

function checkedReason(acl: ResolvedAcl, request: AuthorizeRequest): string {
  if (request.command === CHANNEL_FETCH_COMMAND) return 'no: the channel fetch command is exempt from the ACL';
  if (request.command.startsWith('plugin:')) return 'yes: plugin commands are always checked';
  if (acl.appCommandsChecked) return 'yes: the app defines permission files, so every app command must be granted';
  if (!request.local) return 'yes: app commands called from a remote page are always checked (tauri ≥ 2.11.1)';
  return 'no: the app defines no permission files and the page is local, so app commands are not checked';
}

function describe(entry: ResolvedEntry, requester: Requester, url: URL | undefined): string {
  const head = `capability \`${entry.capability}\`, permission \`${entry.permission}\` (via \`${entry.via}\`) ${entryContext(entry)}`;
  const reasons: string[] = [];
  if (!contextMatches(entry.context, requester, url)) reasons.push(`URL ${urlText(requester, url)} is not in its context`);
  if (!labelsMatch(entry, requester))
    reasons.push(`neither window "${requester.window}" nor webview "${requester.webview}" matches its labels`);
  const scope = entry.scope === undefined ? '' : ` (scope: ${entry.scope.allow.length} allow, ${entry.scope.deny.length} deny)`;
  return `  - ${head}: ${reasons.length === 0 ? `matches${scope}` : `does not match: ${reasons.join('; ')}`}`;
}

/** A multi-line explanation of how `authorize` decides this request. */
export function explain(acl: ResolvedAcl, request: AuthorizeRequest): string {
  const url = remoteUrl(request);
  const lines = [
    `may window "${request.window}" (webview "${request.webview}", URL: ${urlText(request, url)}) call \`${request.command}\`?`,
  ];
  lines.push(`checked by the ACL: ${checkedReason(acl, request)}`);
  const denied = acl.denied.get(request.command) ?? [];
  const rule = acl.scopedDenies
    ? 'scopedDenies: only entries matching this window and URL deny'
    : 'Tauri rule: any deny entry denies everywhere';
  lines.push(denied.length === 0 ? 'deny entries: none' : `deny entries (${rule}):`);
  for (const entry of denied) {
    const line = describe(entry, request, url);
    const stillDenies = !acl.scopedDenies && !entryMatches(entry, request, url);
    lines.push(stillDenies ? `${line}; denies anyway (a deny applies everywhere)` : line);
  }
  const allowed = acl.allowed.get(request.command) ?? [];
  lines.push(allowed.length === 0 ? 'allow entries: none' : 'allow entries:');
  for (const entry of allowed) lines.push(describe(entry, request, url));
  if (acl.capabilities.length === 0) lines.push('note: no capability is in effect, so checked commands are refused');
  if (!isChecked(acl, request) && denied.length === 0 && allowed.length === 0) lines.push('note: unchecked calls pass with an empty scope');
  const verdict = authorize(acl, request);
  if (verdict.allowed) {
    lines.push(`verdict: allowed (scope: ${verdict.scope.allow.length} allow, ${verdict.scope.deny.length} deny)`);
  } else {
    lines.push('verdict: denied', ...verdict.message.split('\n').map((l) => (l === '' ? '' : `  ${l}`)));
  }
  return lines.join('\n');
}
