/**
 * The part of WHATWG URLPattern that capability `remote.urls` entries use, since Node 20 has no global URLPattern and
 * the ACL should not need a polyfill for it.
 *
 * Supported, per component: literal text, `*` (any text), `:name` (one segment: no `/` in the pathname, no `.` in the
 * hostname), `(regex)`, `{...}` groups, the modifiers `?`, `*`, `+` after a group, name or regex, and `\` escapes; in
 * the pathname a `/` before an optional part is optional with it (`/books/:id?` matches `/books`), as in URLPattern.
 * Only absolute patterns (`scheme://...`) are accepted; Tauri resolves `remote.urls` without a base URL too.
 *
 * Which components a pattern string leaves unspecified, and so matches anything, follows the URLPattern constructor
 * string parser; on top of that Tauri's `RemoteUrlPattern` widens an empty search or hash, and an empty or `/`
 * pathname, to `*`. So `https://tauri.app` matches every page of that host, and `http://localhost:8080/app/*` only
 * that port and path.
 */
import { compileComponent, type Component, findUnescaped } from './url-pattern-component.js';

export interface UrlPattern {
  /** The pattern as written (Tauri prints this in messages). */
  readonly source: string;
  readonly components: Readonly<Record<ComponentName, Component>>;
}

export type ComponentName = 'protocol' | 'username' | 'password' | 'hostname' | 'port' | 'pathname' | 'search' | 'hash';

export class UrlPatternError extends Error {
  override readonly name = 'UrlPatternError';
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443', ws: '80', wss: '443', ftp: '21' };

type Parts = Partial<Record<ComponentName, string>>;

/** Splits `user:pass@host:port`; a `:` that starts a `:name` group is not a port separator. */
function splitAuthority(authority: string, parts: Parts): void {
  let hostPort = authority;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    hostPort = authority.slice(at + 1);
    const colon = findUnescaped(userinfo, ':');
    parts.username = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (colon >= 0) parts.password = userinfo.slice(colon + 1);
  }
  const bracket = hostPort.startsWith('[') ? hostPort.indexOf(']') + 1 : 0;
  const colon = findUnescaped(hostPort.slice(bracket), ':');
  if (colon < 0) {
    parts.hostname = hostPort;
  } else {
    parts.hostname = hostPort.slice(0, bracket + colon);
    parts.port = hostPort.slice(bracket + colon + 1);
  }
}

function split(source: string): Parts {
  try {
    return splitUnchecked(source);
  } catch (cause) {
    if (cause instanceof UrlPatternError) throw cause;
    throw new UrlPatternError(`invalid URL pattern \`${source}\`: ${(cause as Error).message}`);
  }
}

function splitUnchecked(source: string): Parts {
  const scheme = findUnescaped(source, ':');
  if (scheme <= 0 || !source.startsWith('//', scheme + 1)) {
    throw new UrlPatternError(`invalid URL pattern \`${source}\`: expected an absolute pattern such as \`https://example.com/*\``);
  }
  const parts: Parts = { protocol: source.slice(0, scheme) };
  let rest = source.slice(scheme + 3);
  const hashAt = findUnescaped(rest, '#');
  if (hashAt >= 0) {
    parts.hash = rest.slice(hashAt + 1);
    rest = rest.slice(0, hashAt);
  }
  const searchAt = findUnescaped(rest, '?');
  if (searchAt >= 0) {
    parts.search = rest.slice(searchAt + 1);
    rest = rest.slice(0, searchAt);
  }
  const pathAt = findUnescaped(rest, '/');
  splitAuthority(pathAt < 0 ? rest : rest.slice(0, pathAt), parts);
  if (pathAt >= 0) parts.pathname = rest.slice(pathAt);
  return parts;
}

/** Parses and compiles a pattern; throws UrlPatternError naming the pattern when it is not valid. */
export function compileUrlPattern(source: string): UrlPattern {
  const parts = split(source.trim());
  const protocol = (parts.protocol ?? '*').toLowerCase();
  // URLPattern: a port equal to the scheme's default is the empty port, which is what URL parsing yields.
  let port = parts.port ?? '*';
  if (DEFAULT_PORTS[protocol] === port) port = '';
  // Tauri's RemoteUrlPattern widening.
  const pathname = parts.pathname === undefined || parts.pathname === '' || parts.pathname === '/' ? '*' : parts.pathname;
  const search = parts.search === undefined || parts.search === '' ? '*' : parts.search;
  const hash = parts.hash === undefined || parts.hash === '' ? '*' : parts.hash;
  const hostname = (parts.hostname ?? '*').toLowerCase();
  if (hostname === '') throw new UrlPatternError(`invalid URL pattern \`${source}\`: the host is empty`);
  try {
    return {
      source,
      components: {
        protocol: compileComponent(protocol, 'protocol'),
        username: compileComponent(parts.username ?? '*', 'username'),
        password: compileComponent(parts.password ?? '*', 'password'),
        hostname: compileComponent(hostname, 'hostname'),
        port: compileComponent(port, 'port'),
        pathname: compileComponent(pathname, 'pathname'),
        search: compileComponent(search, 'search'),
        hash: compileComponent(hash, 'hash'),
      },
    };
  } catch (cause) {
    throw new UrlPatternError(`invalid URL pattern \`${source}\`: ${(cause as Error).message}`);
  }
}

/** Tests a parsed URL against the pattern, component by component, like `URLPattern.test(url)`. */
export function urlPatternMatches(pattern: UrlPattern, url: URL): boolean {
  const c = pattern.components;
  return (
    c.protocol.regex.test(url.protocol.slice(0, -1)) &&
    c.hostname.regex.test(url.hostname) &&
    c.port.regex.test(url.port) &&
    c.pathname.regex.test(url.pathname) &&
    c.search.regex.test(url.search.slice(1)) &&
    c.hash.regex.test(url.hash.slice(1)) &&
    c.username.regex.test(url.username) &&
    c.password.regex.test(url.password)
  );
}
