/**
 * The IPC inspector: a page on its own loopback origin that shows the core's traffic live (calls with their ACL
 * decision and isolation verdict, refusals, events, channel messages, pages coming and going).
 *
 * It exists only when enabled (`app.serve({ inspector: true })`, on by default in `airlock dev`); otherwise no
 * port is opened and the core's tracer has no observer, so tracing costs one boolean test. The app's pages cannot
 * reach it: it is another origin (another port), its WebSocket requires that exact origin and a per-launch token
 * that travels in the URL fragment and then as a sub-protocol, and it sends no CORS headers.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type WebSocket, WebSocketServer } from 'ws';
import type { App } from '../core/app.js';
import type { TraceRecord } from '../core/trace.js';
import { BASE_HEADERS, loopbackOrigins, refuseUpgrade, requestPath } from './guard.js';

const BUNDLE = fileURLToPath(new URL('../runtime/inspector.js', import.meta.url));
const TOKEN_PREFIX = 'airlock-inspector.';
/** Records kept for a page that opens the inspector later. */
const HISTORY = 2000;
/** Records are sent in batches at most this often. */
const FLUSH_MS = 100;

const PAGE = (script: string, nonce: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Airlock inspector</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><div id="root">Connecting…</div><script nonce="${nonce}">${script}</script></body></html>`;

export interface Inspector {
  /** The URL that opens the inspector (carries its token in the fragment). */
  readonly url: string;
  close(): Promise<void>;
}

export async function serveInspector(app: App): Promise<Inspector> {
  const script = readFileSync(BUNDLE, 'utf8');
  const token = randomBytes(18).toString('base64url');
  const history: TraceRecord[] = [];
  let batch: TraceRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 1024,
    handleProtocols: (protocols) => [...protocols].find((p) => p.startsWith(TOKEN_PREFIX)) ?? false,
  });

  const flush = (): void => {
    timer = undefined;
    if (batch.length === 0) return;
    const text = JSON.stringify(batch, replacer);
    batch = [];
    for (const ws of wss.clients) if (ws.bufferedAmount < 8 * 1024 * 1024) ws.send(text);
  };
  const stopTracing = app.trace((full) => {
    // Only a bounded excerpt is kept (and sent): a record can carry a page-supplied value whole (a validation error
    // that echoes the argument), and the history outlives the page.
    const record = excerpt(full);
    history.push(record);
    if (history.length > HISTORY) history.splice(0, history.length - HISTORY);
    if (wss.clients.size === 0) return;
    batch.push(record);
    timer ??= setTimeout(flush, FLUSH_MS);
  });

  let allowed = loopbackOrigins(0);
  const server = http.createServer((req, res) => {
    const host = req.headers.host?.toLowerCase();
    const site = req.headers['sec-fetch-site'];
    if (host === undefined || !allowed.hosts.has(host) || (site !== undefined && site !== 'none' && site !== 'same-origin')) {
      res.writeHead(403, BASE_HEADERS).end();
      return;
    }
    if (req.method !== 'GET' || requestPath(req) !== '/') {
      res.writeHead(404, BASE_HEADERS).end();
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    res.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src ws://${host}; frame-ancestors 'none'`,
    });
    res.end(PAGE(script, nonce));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      onUpgrade(req, socket, head);
    } catch (error) {
      app.report('inspector: failed to handle a WebSocket upgrade', error);
      refuseUpgrade(socket, { status: 500, reason: 'internal error' });
    }
  });
  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const host = req.headers.host?.toLowerCase();
    const origin = req.headers.origin;
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    if (
      host === undefined ||
      !allowed.hosts.has(host) ||
      origin === undefined ||
      !allowed.origins.has(origin) ||
      !offered.includes(TOKEN_PREFIX + token) ||
      requestPath(req) === undefined
    ) {
      refuseUpgrade(socket, { status: 403, reason: 'refused' });
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.send(JSON.stringify(history, replacer));
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  allowed = loopbackOrigins(port);
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        stopTracing();
        if (timer !== undefined) clearTimeout(timer);
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Longest string kept from a record (a command, a reason, a label …). */
const MAX_TEXT = 1024;
/** Longest rendering of a call's error kept. */
const MAX_ERROR = 2048;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** Strings clipped as they are serialized, so a huge value is never rendered whole. */
function clipping(_key: string, value: unknown): unknown {
  const v = replacer(_key, value);
  return typeof v === 'string' ? clip(v, MAX_TEXT) : v;
}

/**
 * A record as the inspector keeps it: every string field at most `MAX_TEXT` characters, and a call's error as text
 * of at most `MAX_ERROR`, so the history holds no reference to what the page sent or the handler threw.
 */
export function excerpt(record: TraceRecord): TraceRecord {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'error') {
      let text: string;
      try {
        text =
          typeof value === 'string'
            ? value
            : value instanceof Error
              ? `${value.name}: ${value.message}`
              : (JSON.stringify(value, clipping) ?? String(value));
      } catch {
        text = Object.prototype.toString.call(value);
      }
      out[key] = clip(text, MAX_ERROR);
    } else out[key] = typeof value === 'string' ? clip(value, MAX_TEXT) : value;
  }
  return out as unknown as TraceRecord;
}

/** Errors and other odd values shown as text; records are otherwise plain data. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}
