/**
 * The request checks every HTTP request and WebSocket upgrade passes, before anything else runs. They close the
 * holes local dev servers keep shipping (see docs/security.md):
 *
 * - exact `Host` (127.0.0.1:<port> or localhost:<port>) — defeats DNS rebinding;
 * - exact `Origin` when present, and required (never `null`) on the WebSocket upgrade — a page of another origin,
 *   another port, a sandboxed frame or a `file:` page cannot open the IPC socket;
 * - `Sec-Fetch-Site` must be `same-origin` or `none` when the browser sends it — another site cannot embed the
 *   app in a frame, open it in a window it controls, or include its scripts;
 * - only GET/HEAD for HTTP (IPC is on the socket), and no CORS headers ever;
 * - the request target must be a path (`/…`); anything else (`*`, an absolute URL, `//`-tricks that a URL parser
 *   takes for a host) is answered 400 by `requestPath`, which never throws — the upgrade and the inspector's
 *   handlers are synchronous, where a throw would end the process.
 */
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export interface Origins {
  /** Accepted `Host` header values, lower case. */
  readonly hosts: ReadonlySet<string>;
  /** Accepted `Origin` header values. */
  readonly origins: ReadonlySet<string>;
}

export function loopbackOrigins(port: number): Origins {
  return {
    hosts: new Set([`127.0.0.1:${port}`, `localhost:${port}`]),
    origins: new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]),
  };
}

export interface Refusal {
  readonly status: number;
  readonly reason: string;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Host and fetch-metadata checks shared by every request. */
export function checkRequest(req: IncomingMessage, allowed: Origins): Refusal | undefined {
  const host = header(req, 'host')?.toLowerCase();
  if (host === undefined || !allowed.hosts.has(host)) return { status: 421, reason: 'unexpected Host header' };
  const origin = header(req, 'origin');
  if (origin !== undefined && !allowed.origins.has(origin)) return { status: 403, reason: 'cross-origin request refused' };
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return { status: 403, reason: 'cross-site request refused' };
  return undefined;
}

/** The upgrade additionally requires an `Origin` (browsers always send one on WebSocket handshakes). */
export function checkUpgrade(req: IncomingMessage, allowed: Origins): Refusal | undefined {
  const refusal = checkRequest(req, allowed);
  if (refusal !== undefined) return refusal;
  const origin = header(req, 'origin');
  if (origin === undefined) return { status: 403, reason: 'missing Origin' };
  return undefined;
}

/** Headers on every response. */
export const BASE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-cache',
});

/** The refusal for a request target that is not a plain path. */
export const BAD_TARGET: Refusal = Object.freeze({ status: 400, reason: 'bad request target' });

/**
 * The path of a request's target, or `undefined` when the target is not origin-form (`/…`) or cannot be parsed.
 * Total: it never throws, whatever bytes the client sent. The target is joined to a fixed origin as text, so `//x`
 * stays a path instead of becoming a host.
 */
export function requestPath(req: IncomingMessage): string | undefined {
  const target = req.url;
  if (typeof target !== 'string' || !target.startsWith('/')) return undefined;
  try {
    return new URL(`http://127.0.0.1${target}`).pathname;
  } catch {
    return undefined;
  }
}

/**
 * Answers an upgrade request that will not be upgraded, then destroys the socket: a refused client keeps no file
 * descriptor open in the core, whether or not it closes its side.
 */
export function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const text = `${refusal.reason}\n`;
  const response =
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Refused'}\r\n` +
    `content-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`;
  endAndDestroy(socket, response);
}

/** Writes `data` (if any), ends the socket and destroys it once written, or after a second at the latest. */
export function endAndDestroy(socket: Duplex, data?: string): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), 1000);
  timer.unref();
  const done = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  if (socket.writable) socket.end(data ?? '', done);
  else done();
}

/** A Service Worker script fetch (a registration or an update check): Chromium marks it with both headers. */
export function isServiceWorkerScript(req: IncomingMessage): boolean {
  return header(req, 'service-worker') === 'script' || header(req, 'sec-fetch-dest') === 'serviceworker';
}

/**
 * Service Workers are refused unless `pathname` lies inside one of the allowed `scopes` (a script's maximum scope
 * is its own directory, and no response of the core widens it with `Service-Worker-Allowed`).
 */
export function checkServiceWorker(req: IncomingMessage, pathname: string, scopes: readonly string[]): Refusal | undefined {
  if (!isServiceWorkerScript(req)) return undefined;
  if (scopes.some((scope) => pathname.startsWith(scope))) return undefined;
  return {
    status: 403,
    reason:
      'Service Worker registration refused: a worker would control the pages of every window of this app. ' +
      "To allow one, give its window a scope of its own: app.serve({ serviceWorkers: { <label>: '/<path>/' } })",
  };
}
