/**
 * The dev proxy: in `airlock dev`, the frontend comes from a dev server (`build.devUrl`, e.g. Vite) instead of
 * `build.frontendDist`. The core stays the page's only origin, so the page's IPC, Host/Origin checks and ticket
 * handling are exactly those of a production run; the dev server only ever sees the proxy.
 *
 * - Requests (already checked by guard.ts) are forwarded with `Host` and `Origin` rewritten to the dev server's, so
 *   its own checks (Vite's `server.allowedHosts`, CORS) pass; `Accept-Encoding: identity` so HTML can be rewritten.
 * - HTML responses get the page runtime injected first in `<head>`, like served files, and the same CSP
 *   `frame-ancestors`; other bodies stream through untouched.
 * - Responses lose hop-by-hop and every `Access-Control-*` header (the core never sends CORS headers) and gain the
 *   core's base headers.
 * - WebSocket upgrades that are not the IPC socket (Vite's HMR socket) are tunnelled to the dev server byte for
 *   byte, after guard.ts accepted the upgrade's Host and Origin.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { BASE_HEADERS, endAndDestroy } from './guard.js';

export interface DevProxy {
  /** The dev server's origin, e.g. `http://localhost:5173`. */
  readonly target: string;
  request(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Destroys the tunnels still open (HMR sockets). */
  close(): void;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Largest HTML document the proxy rewrites (a dev server's index.html is a few KiB). */
const MAX_HTML_BYTES = 16 * 1024 * 1024;

function forwardHeaders(headers: IncomingHttpHeaders, target: URL): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  out['host'] = target.host;
  if (out['origin'] !== undefined) out['origin'] = target.origin;
  if (out['referer'] !== undefined) out['referer'] = `${target.origin}/`;
  return out;
}

function responseHeaders(upstream: IncomingMessage): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...BASE_HEADERS };
  for (const [name, value] of Object.entries(upstream.headers)) {
    // No CORS, and no widening of a Service Worker's scope (server.ts decides which workers may exist).
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith('access-control-') || name === 'service-worker-allowed') continue;
    if (name === 'cache-control' || !(name in BASE_HEADERS)) out[name] = value;
  }
  return out;
}

function isHtmlResponse(upstream: IncomingMessage): boolean {
  const type = upstream.headers['content-type'];
  return typeof type === 'string' && type.toLowerCase().startsWith('text/html');
}

function badGateway(res: ServerResponse, target: string, error: Error): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = `the dev server at ${target} did not answer (${error.message}); is build.beforeDevCommand running?\n`;
  res.writeHead(502, { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** How the core serves an HTML document: the runtime injected, and its CSP headers (server.ts). */
export type PrepareHtml = (html: string) => { body: Buffer; csp: string };

export function createDevProxy(devUrl: string, report: (message: string, error?: unknown) => void, prepareHtml: PrepareHtml): DevProxy {
  const target = new URL(devUrl);
  if (target.protocol !== 'http:') throw new Error(`build.devUrl must be an http:// URL, got ${devUrl}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const tunnels = new Set<Duplex>();

  function request(req: IncomingMessage, res: ServerResponse): void {
    const headers = forwardHeaders(req.headers, target);
    headers['accept-encoding'] = 'identity';
    const upstreamReq = http.request(
      { protocol: 'http:', hostname: target.hostname, port: target.port, method: req.method, path: req.url ?? '/', headers, agent },
      (upstream) => {
        const status = upstream.statusCode ?? 502;
        const out = responseHeaders(upstream);
        if (!isHtmlResponse(upstream) || req.method === 'HEAD' || status === 204 || status === 304) {
          res.writeHead(status, out);
          upstream.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        upstream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_HTML_BYTES) {
            upstream.destroy(new Error(`HTML document larger than ${MAX_HTML_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        upstream.on('end', () => {
          const { body, csp } = prepareHtml(Buffer.concat(chunks).toString('utf8'));
          delete out['content-length'];
          delete out['etag'];
          out['content-length'] = body.length;
          out['content-security-policy'] = csp;
          res.writeHead(status, out);
          res.end(body);
        });
        upstream.on('error', (error) => badGateway(res, target.origin, error));
      },
    );
    upstreamReq.on('error', (error) => badGateway(res, target.origin, error));
    req.pipe(upstreamReq);
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const headers = forwardHeaders(req.headers, target);
    headers['connection'] = 'Upgrade';
    headers['upgrade'] = req.headers.upgrade ?? 'websocket';
    const upstreamReq = http.request({
      protocol: 'http:',
      hostname: target.hostname,
      port: target.port,
      method: 'GET',
      path: req.url ?? '/',
      headers,
    });
    upstreamReq.on('upgrade', (upstream, upstreamSocket, upstreamHead) => {
      let reply = `HTTP/1.1 ${upstream.statusCode ?? 101} ${upstream.statusMessage ?? 'Switching Protocols'}\r\n`;
      for (let i = 0; i < upstream.rawHeaders.length; i += 2) {
        const name = upstream.rawHeaders[i] ?? '';
        if (name.toLowerCase().startsWith('access-control-')) continue;
        reply += `${name}: ${upstream.rawHeaders[i + 1] ?? ''}\r\n`;
      }
      socket.write(`${reply}\r\n`);
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstreamSocket.write(head);
      tunnels.add(socket);
      tunnels.add(upstreamSocket);
      const drop = (): void => {
        tunnels.delete(socket);
        tunnels.delete(upstreamSocket);
        socket.destroy();
        upstreamSocket.destroy();
      };
      socket.on('error', drop).on('close', drop);
      upstreamSocket.on('error', drop).on('close', drop);
      socket.pipe(upstreamSocket).pipe(socket);
    });
    upstreamReq.on('response', (upstream) => {
      // The dev server refused the upgrade: relay its answer and close.
      let reply = `HTTP/1.1 ${upstream.statusCode ?? 502} ${upstream.statusMessage ?? ''}\r\nconnection: close\r\n\r\n`;
      upstream.resume();
      if (upstream.statusCode === undefined) reply = 'HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\n\r\n';
      endAndDestroy(socket, reply);
    });
    upstreamReq.on('error', (error) => {
      report(`dev proxy: WebSocket upgrade to ${target.origin} failed`, error);
      endAndDestroy(socket, 'HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    });
    upstreamReq.end();
  }

  return {
    target: target.origin,
    request,
    upgrade,
    close() {
      for (const s of tunnels) s.destroy();
      tunnels.clear();
      agent.destroy();
    },
  };
}
