/**
 * Whether one resolved entry applies to a request: its execution context matches the origin (local ↔ local, or the
 * remote URL passes the entry's URL pattern), and some webview glob matches the webview label or some window glob
 * matches the window label (Tauri's `resolve_access`).
 */
import { globMatches } from './glob.js';
import type { ExecutionContext, ResolvedEntry } from './resolve.js';
import { urlPatternMatches } from './url-pattern.js';

/** Who asks: the fields of an authorization request that matching needs. */
export interface Requester {
  readonly window: string;
  readonly webview: string;
  /** Whether the page is the app's own (Tauri's `Origin::Local`). */
  readonly local: boolean;
  /** The page's origin or URL (`http://127.0.0.1:1420`, `https://tauri.app/x`); matched against `remote.urls`. */
  readonly origin: string;
}

/** The requester's URL when it is remote and parses; undefined otherwise (then no remote pattern matches). */
export function remoteUrl(requester: Requester): URL | undefined {
  if (requester.local) return undefined;
  try {
    return new URL(requester.origin);
  } catch {
    return undefined;
  }
}

export function contextMatches(context: ExecutionContext, requester: Requester, url: URL | undefined): boolean {
  if (context.kind === 'local') return requester.local;
  return url !== undefined && urlPatternMatches(context.pattern, url);
}

export function labelsMatch(entry: ResolvedEntry, requester: Requester): boolean {
  return entry.webviews.some((g) => globMatches(g, requester.webview)) || entry.windows.some((g) => globMatches(g, requester.window));
}

export function entryMatches(entry: ResolvedEntry, requester: Requester, url: URL | undefined): boolean {
  return contextMatches(entry.context, requester, url) && labelsMatch(entry, requester);
}

/** `local`, or the remote URL as Tauri prints it (normalized, e.g. with a trailing `/`). */
export function urlText(requester: Requester, url: URL | undefined): string {
  if (requester.local) return 'local';
  return url?.href ?? requester.origin;
}

/** Tauri's `Display` of an origin: `local` or `remote: <url>`. */
export function originText(requester: Requester, url: URL | undefined): string {
  return requester.local ? 'local' : `remote: ${urlText(requester, url)}`;
}

/** How an entry's context is printed: `local` or its URL pattern as written. */
export function contextText(context: ExecutionContext): string {
  return context.kind === 'local' ? 'local' : context.pattern.source;
}
