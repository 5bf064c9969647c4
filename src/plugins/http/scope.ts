/**
 * The http plugin's URL scope, as Tauri's http plugin defines it: an entry is a URL pattern string or
 * `{ url }`, compiled as a WHATWG URLPattern where an empty search or hash, and an empty or `/` path, match
 * anything. A URL is allowed when no deny entry matches and an allow entry does; with no allow entry, nothing is.
 */
import { URLPattern } from 'urlpattern-polyfill/urlpattern';
import { z } from 'zod';
import type { CommandScope } from '../../core/commands.js';

/** A compiled scope entry. */
export interface UrlScopeEntry {
  readonly url: string;
  readonly pattern: URLPattern;
}

/** Compiles one pattern as Tauri does, or throws with the text Tauri's deserializer gives. */
export function compileUrlPattern(source: string): URLPattern {
  let parsed: URLPattern;
  try {
    parsed = new URLPattern(source);
  } catch (cause) {
    throw new Error(`\`${source}\` is not a valid URL pattern: ${(cause as Error).message}`);
  }
  const wild = (v: string): string => (v === '' ? '*' : v);
  return new URLPattern({
    protocol: parsed.protocol,
    username: parsed.username,
    password: parsed.password,
    hostname: parsed.hostname,
    port: parsed.port,
    pathname: parsed.pathname === '' || parsed.pathname === '/' ? '*' : parsed.pathname,
    search: wild(parsed.search),
    hash: wild(parsed.hash),
  });
}

function toEntry(raw: unknown): UrlScopeEntry | undefined {
  if (typeof raw === 'object' && raw !== null && (raw as UrlScopeEntry).pattern instanceof URLPattern) return raw as UrlScopeEntry;
  const url = typeof raw === 'string' ? raw : typeof raw === 'object' && raw !== null ? (raw as { url?: unknown }).url : undefined;
  if (typeof url !== 'string') return undefined;
  try {
    return { url, pattern: compileUrlPattern(url) };
  } catch {
    return undefined;
  }
}

/** What `scopeSchema` parses every entry of the plugin's permissions and capabilities with. */
export const urlScopeSchema = z.union([z.string(), z.object({ url: z.string() })]).transform((raw, ctx) => {
  const url = typeof raw === 'string' ? raw : raw.url;
  try {
    return { url, pattern: compileUrlPattern(url) } satisfies UrlScopeEntry;
  } catch (cause) {
    ctx.addIssue({ code: 'custom', message: (cause as Error).message });
    return z.NEVER;
  }
});

/** Tauri's rule: command scope and global scope together, deny first, and nothing allowed without an allow entry. */
export function urlAllowed(url: URL, ...scopes: CommandScope[]): boolean {
  const test = (raw: unknown): boolean => toEntry(raw)?.pattern.test(url.href) ?? false;
  if (scopes.some((s) => s.deny.some(test))) return false;
  return scopes.some((s) => s.allow.some(test));
}
