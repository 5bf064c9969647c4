/**
 * Serves the app's isolation application (Tauri's `app.security.pattern.options.dir`) from its own origin — a
 * second loopback port — so the app page can neither fetch the frame's document (no CORS) nor read it (cross-
 * origin), and accepts the isolation frame's own WebSocket (protocol/isolation.ts).
 *
 * The document is rendered per request: our frame runtime first (with a one-time document id and a fresh key from
 * the core, useless until the frame's socket binds them to a page), the app's classic `<script src>` files inlined
 * (as Tauri does, so existing isolation apps work unchanged), ES module scripts loaded from a path private to that
 * document (which Tauri cannot do), a fresh nonce on every script and style, and a strict CSP that limits who may
 * embed it and lets it connect only to its own socket.
 *
 * Guard rule of the frame socket (the page socket's rules cannot apply: a sandboxed frame has an opaque origin):
 * exact `Host`; `Origin` exactly `null` (a page of any origin, the app's included, is refused); and a one-time frame
 * token of a live page connection plus a one-time document id of this origin, as sub-protocols. Another site's
 * sandboxed frame also says `Origin: null`, but holds neither.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocketServer } from 'ws';
import type { FrameLink, Isolation } from '../core/isolation.js';
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import { PROTOCOL_VERSION, SOCKET_PATH } from '../protocol/frames.js';
import { FRAME_DOC_PROTOCOL_PREFIX, FRAME_TOKEN_PROTOCOL_PREFIX } from '../protocol/isolation.js';
import { contentType, injectIntoHtml } from './assets.js';
import { BASE_HEADERS, loopbackOrigins } from './guard.js';

const FRAME_BUNDLE = fileURLToPath(new URL('../runtime/isolation.js', import.meta.url));
const HOOK = '__TAURI_ISOLATION_HOOK__';

export interface IsolationApp {
  readonly dir: string;
  /** index.html with classic scripts inlined; `NONCE` placeholders are filled per response. */
  readonly html: string;
  /** Files whose text mentions a Tauri v1 message shape, for a start-up warning. */
  readonly v1Suspects: readonly string[];
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

const NONCE = '\u0000nonce\u0000';
/** Where a document's module scripts are served from: `/__airlock/m/<asset id>/<path>`. */
const MODULE_PREFIX = '/__airlock/m/';
const MODULES = '\u0000modules\u0000';
/** Documents whose module path stays valid (the oldest is forgotten first). */
const MAX_MODULE_PATHS = 1024;

/** Reads and checks the isolation app at start-up: a missing dir or a missing hook is a CONFIG error. */
export async function prepareIsolationApp(dir: string): Promise<IsolationApp> {
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch (cause) {
    throw new AirlockError(
      ErrorCode.CONFIG,
      `app.security.pattern.options.dir: the isolation application directory ${dir} cannot be read`,
      { cause },
    );
  }
  const texts = new Map<string, string>();
  for (const f of files) if (/\.(html?|m?js)$/i.test(f)) texts.set(f, await readFile(f, 'utf8'));
  if (![...texts.values()].some((t) => t.includes(HOOK))) {
    throw new AirlockError(
      ErrorCode.CONFIG,
      `The isolation application (${dir}) does not contain a file setting the \`window.${HOOK}\` value.`,
    );
  }
  const index = texts.get(path.join(dir, 'index.html'));
  if (index === undefined) throw new AirlockError(ErrorCode.CONFIG, `the isolation application directory ${dir} has no index.html`);
  const v1Suspects = [...texts]
    .filter(([, t]) => /payload\.message\b|\.message\.cmd\b|cmd\s*===?\s*['"]invoke['"]/.test(t))
    .map(([f]) => path.relative(dir, f));
  return { dir, html: await inlineScripts(dir, index), v1Suspects };
}

async function inlineScripts(dir: string, html: string): Promise<string> {
  const parts: string[] = [];
  let last = 0;
  const re = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>|<style\b([^>]*)>/gi;
  for (let m = re.exec(html); m !== null; m = re.exec(html)) {
    parts.push(html.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[3] !== undefined) {
      parts.push(`<style nonce="${NONCE}"${m[3]}>`);
      continue;
    }
    const attrs = m[1] ?? '';
    const src = /\ssrc\s*=\s*["']([^"']+)["']/i.exec(attrs)?.[1];
    const isModule = /\stype\s*=\s*["']module["']/i.test(attrs);
    if (src !== undefined && isModule && !/^[a-z]+:|^\/\//i.test(src)) {
      const rel = path.posix.join('/', src).slice(1);
      const rest = attrs.replace(/\ssrc\s*=\s*["'][^"']*["']/i, '');
      parts.push(`<script nonce="${NONCE}"${rest} src="${MODULES}${rel}">${m[2] ?? ''}</script>`);
      continue;
    }
    if (src === undefined || isModule || /^[a-z]+:/i.test(src)) {
      parts.push(`<script nonce="${NONCE}"${attrs}>${m[2] ?? ''}</script>`);
      continue;
    }
    const file = path.resolve(dir, `.${path.posix.join('/', src.split(/[?#]/)[0] ?? '')}`);
    let code: string;
    try {
      code = await readFile(file, 'utf8');
    } catch (cause) {
      throw new AirlockError(
        ErrorCode.CONFIG,
        `isolation application: ${path.join(dir, 'index.html')} loads ${src}, which cannot be read`,
        { cause },
      );
    }
    const rest = attrs.replace(/\s(src|async|defer)(\s*=\s*["'][^"']*["'])?/gi, '');
    parts.push(`<script nonce="${NONCE}"${rest}>${code.replace(/<\/script/gi, '<\\/script')}</script>`);
  }
  parts.push(html.slice(last));
  return parts.join('');
}

export interface IsolationServer {
  readonly origin: string;
  close(): Promise<void>;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const text = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Refused'}\r\n` +
      `content-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

function subprotocols(req: IncomingMessage): { token?: string; document?: string } {
  const out: { token?: string; document?: string } = {};
  for (const raw of (header(req, 'sec-websocket-protocol') ?? '').split(',')) {
    const p = raw.trim();
    if (p.startsWith(FRAME_TOKEN_PROTOCOL_PREFIX)) out.token = p.slice(FRAME_TOKEN_PROTOCOL_PREFIX.length);
    else if (p.startsWith(FRAME_DOC_PROTOCOL_PREFIX)) out.document = p.slice(FRAME_DOC_PROTOCOL_PREFIX.length);
  }
  return out;
}

/** The file under `dir` a decoded URL path names, if it is a file the frame may load (never an HTML page). */
async function readModuleFile(dir: string, decoded: string): Promise<{ file: string; body: Buffer } | undefined> {
  if (decoded.includes('\0')) return undefined;
  const ext = path.extname(decoded).toLowerCase();
  if (ext === '' || ext === '.html' || ext === '.htm') return undefined;
  const base = path.resolve(dir);
  const file = path.resolve(base, `.${path.posix.join('/', decoded)}`);
  if (!file.startsWith(base + path.sep)) return undefined;
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return { file, body: await readFile(file) };
  } catch {
    return undefined;
  }
}

/** Starts the isolation origin. `appOrigins` may embed it; `core` issues documents and binds frame sockets. */
export async function serveIsolationFrame(
  app: IsolationApp,
  appOrigins: readonly string[],
  core: Isolation,
  dev: boolean,
  maxFrameBytes: number,
): Promise<IsolationServer> {
  const runtime = readFileSync(FRAME_BUNDLE, 'utf8');
  let hosts = new Set<string>();
  let origin = '';
  let socketUrl = '';
  /** Module paths handed out, one per document. */
  const modulePaths = new Set<string>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: true,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL_VERSION) ? PROTOCOL_VERSION : false),
  });

  function document(): { body: string; nonce: string } {
    const nonce = randomBytes(16).toString('base64');
    const modules = randomBytes(18).toString('base64url');
    modulePaths.add(modules);
    for (const old of modulePaths) {
      if (modulePaths.size <= MAX_MODULE_PATHS) break;
      modulePaths.delete(old);
    }
    const doc = core.newDocument();
    const config = JSON.stringify({ key: [...doc.key], document: doc.id, socket: socketUrl, parents: appOrigins, dev });
    doc.key.fill(0);
    const boot = `<script nonce="${NONCE}">(function(){${runtime}\n__airlockIsolation.install(${config});})();</script>`;
    const body = injectIntoHtml(app.html, boot).split(NONCE).join(nonce).split(MODULES).join(`${MODULE_PREFIX}${modules}/`);
    return { body, nonce };
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host?.toLowerCase();
    if (host === undefined || !hosts.has(host) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(host !== undefined && hosts.has(host) ? 405 : 421, BASE_HEADERS).end();
      return;
    }
    let pathname: string;
    try {
      // Decoded once, here: every check below sees the path the file system will.
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400, BASE_HEADERS).end();
      return;
    }
    if (pathname === '/' || pathname === '/index.html') {
      const dest = req.headers['sec-fetch-dest'];
      if (dest !== undefined && dest !== 'iframe') {
        res.writeHead(403, BASE_HEADERS).end('the isolation frame is served only into an iframe\n');
        return;
      }
      const { body, nonce } = document();
      res.writeHead(200, {
        ...BASE_HEADERS,
        'cache-control': 'no-store',
        'cross-origin-resource-policy': 'cross-origin',
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          `default-src 'none'; script-src 'nonce-${nonce}' ${origin}; style-src 'nonce-${nonce}' ${origin}; img-src ${origin} data:; ` +
          `font-src ${origin}; connect-src ${socketUrl}; frame-ancestors ${appOrigins.join(' ')}; base-uri 'none'; form-action 'none'`,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    // ES modules are fetched in CORS mode from the frame's opaque origin (`Origin: null`), under the path only its
    // document knows; other files (images, fonts, style sheets) load without CORS. Nothing here is ever an HTML page.
    let asset: { file: string; body: Buffer } | undefined;
    let cors = false;
    if (pathname.startsWith(MODULE_PREFIX)) {
      const rest = pathname.slice(MODULE_PREFIX.length);
      const slash = rest.indexOf('/');
      if (slash > 0 && modulePaths.has(rest.slice(0, slash))) {
        asset = await readModuleFile(app.dir, rest.slice(slash));
        cors = header(req, 'origin') === 'null';
      }
    } else if (!/\.m?js$/i.test(pathname)) {
      asset = await readModuleFile(app.dir, pathname);
    }
    if (asset === undefined) {
      res.writeHead(404, BASE_HEADERS).end();
      return;
    }
    res.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': contentType(asset.file),
      ...(cors ? { 'access-control-allow-origin': 'null', vary: 'origin' } : {}),
      'cross-origin-resource-policy': 'cross-origin',
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch(() => res.writeHead(500, BASE_HEADERS).end());
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const host = header(req, 'host')?.toLowerCase();
    if (host === undefined || !hosts.has(host)) return refuseUpgrade(socket, 421, 'unexpected Host header');
    if (header(req, 'origin') !== 'null')
      return refuseUpgrade(socket, 403, 'only the isolation frame (a sandboxed document, `Origin: null`) may open this socket');
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    } catch {
      return refuseUpgrade(socket, 400, 'bad request target');
    }
    if (pathname !== SOCKET_PATH) return refuseUpgrade(socket, 404, 'not found');
    const { token, document: docId } = subprotocols(req);
    let ws: import('ws').WebSocket | undefined;
    let closedEarly: { code: number; reason: string } | undefined;
    const link: FrameLink | undefined =
      token === undefined || docId === undefined
        ? undefined
        : core.claim(token, docId, {
            close: (code, reason) => {
              if (ws === undefined) closedEarly = { code, reason };
              else ws.close(code, reason);
            },
          });
    if (link === undefined) return refuseUpgrade(socket, 403, 'invalid or missing frame credential');
    wss.handleUpgrade(req, socket, head, (accepted) => {
      ws = accepted;
      if (closedEarly !== undefined) {
        accepted.close(closedEarly.code, closedEarly.reason);
        return link.closed();
      }
      accepted.on('message', (data: RawData, isBinary: boolean) => {
        if (!isBinary) return link.receive(data.toString());
        link.receive(Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data);
      });
      accepted.on('close', () => link.closed());
      accepted.on('error', () => accepted.terminate());
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  hosts = new Set(loopbackOrigins(port).hosts);
  origin = `http://127.0.0.1:${port}`;
  socketUrl = `ws://127.0.0.1:${port}${SOCKET_PATH}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
