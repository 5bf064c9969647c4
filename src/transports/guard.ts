/**
 * The request checks every HTTP request and WebSocket upgrade passes, before anything else runs. They close the
 * holes local dev servers keep shipping (see docs/security.md):
 *
 * - exact `Host` (127.0.0.1:<port> or localhost:<port>) — defeats DNS rebinding;
 * - exact `Origin` when present, and required (never `null`) on the WebSocket upgrade — a page of another origin,
 *   another port, a sandboxed frame or a `file:` page cannot open the IPC socket;
 * - `Sec-Fetch-Site` must be `same-origin` or `none` when the browser sends it — another site cannot embed the
 *   app in a frame, open it in a window it controls, or include its scripts;
 * - only GET/HEAD for HTTP (IPC is on the socket), and no CORS headers ever.
 */
import type { IncomingMessage } from 'node:http';

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
