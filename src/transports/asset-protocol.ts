/**
 * The asset protocol and custom URI-scheme protocols (Tauri's `asset://localhost/<path>` and
 * `register_uri_scheme_protocol`), served from a loopback origin of their own — never the app's — so an HTML or SVG
 * file in scope cannot script the app, and cannot reach IPC (the IPC socket only accepts the app's origin).
 *
 * URLs are `<origin>/<secret>/<protocol>/<percent-encoded path>`. The secret is made at each launch and reaches the
 * page only over its authenticated IPC socket, so another local process or user that can reach the port cannot
 * read files in scope. Requests pass the same kind of guard as the app's server (exact Host, no cross-site
 * requests); responses carry `content-security-policy: sandbox` (a document served from here runs no script) and
 * CORS only for the app's own origins, as Tauri answers its webview's `fetch()`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import mime from 'mime';
import type { FsScope } from '../core/fs-scope.js';
import { requestPath } from './guard.js';

/** What a custom protocol handler answers with: a WHATWG `Response` (Node's global), or its parts. */
export type UriSchemeResponse = Response | { status?: number; headers?: Record<string, string>; body?: Uint8Array<ArrayBuffer> | string };

/** A custom protocol (`Builder.registerUriSchemeProtocol`): gets the request with `url` as the page spelt it. */
export type UriSchemeHandler = (request: Request) => UriSchemeResponse | Promise<UriSchemeResponse>;

export interface AssetServerOptions {
  /** The asset protocol's scope, or `undefined` when `app.security.assetProtocol.enable` is off. */
  readonly scope: FsScope | undefined;
  readonly protocols: ReadonlyMap<string, UriSchemeHandler>;
  /** The app's origins: allowed to read responses with `fetch()` (CORS), as Tauri allows its webview. */
  readonly appOrigins: () => ReadonlySet<string>;
  readonly report: (message: string, error?: unknown) => void;
}

export interface AssetServer {
  readonly origin: string;
  /** `<origin>/<secret>`: what the page prefixes to `<protocol>/<encoded path>`. Keep it private. */
  readonly base: string;
  close(): Promise<void>;
}

const PROTOCOL_NAME = /^[a-z][a-z0-9+.-]*$/;

export function isProtocolName(name: string): boolean {
  return PROTOCOL_NAME.test(name);
}

const HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': 'sandbox',
  // The app's page is another origin on the same IP, which Chromium's `same-site` policy does not count as the same
  // site; requests from other sites are refused above (Sec-Fetch-Site) and cannot know the secret anyway.
  'cross-origin-resource-policy': 'cross-origin',
  'cache-control': 'no-cache',
});

/** Largest slice one range response sends (Tauri's cap): players ask again for the rest. */
const MAX_RANGE = 1000 * 1024;

type Range = { start: number; end: number } | 'unsatisfiable' | undefined;

/** A single `bytes=` range against a file of `size` bytes; several ranges are answered as the whole file. */
export function parseRange(header: string | undefined, size: number): Range {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return header.includes(',') ? undefined : 'unsatisfiable';
  const [, a = '', b = ''] = m;
  let start: number;
  let end: number;
  if (a === '') {
    if (b === '') return 'unsatisfiable';
    start = Math.max(0, size - Number(b));
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end: Math.min(end, start + MAX_RANGE - 1) };
}

export async function serveAssets(options: AssetServerOptions): Promise<AssetServer> {
  const secret = randomBytes(24).toString('base64url');
  const secretBytes = Buffer.from(secret);
  let port = 0;
  const sockets = new Set<import('node:net').Socket>();

  const hostOk = (host: string | undefined): boolean => host === `127.0.0.1:${port}` || host === `localhost:${port}`;

  /** CORS for the app's own origins only, as Tauri answers its webview's `fetch()`; nothing for anyone else. */
  function corsFor(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    return origin !== undefined && options.appOrigins().has(origin) ? { 'access-control-allow-origin': origin, vary: 'origin' } : {};
  }

  function refuse(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { ...HEADERS, ...corsFor(res.req), 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostOk(req.headers.host?.toLowerCase())) return refuse(res, 421, 'unexpected Host header');
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site') return refuse(res, 403, 'cross-site request refused');
    const origin = req.headers.origin;
    const appOrigins = options.appOrigins();
    if (origin !== undefined && !appOrigins.has(origin) && origin !== `http://127.0.0.1:${port}`) {
      return refuse(res, 403, 'cross-origin request refused');
    }
    if (req.method === 'OPTIONS' && origin !== undefined && appOrigins.has(origin)) {
      // The preflight of the app's own fetch() with a Range header.
      res.writeHead(204, {
        ...HEADERS,
        ...corsFor(req),
        'access-control-allow-methods': 'GET, HEAD',
        'access-control-allow-headers': 'range',
      });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'only GET and HEAD are served');
    const target = requestPath(req);
    if (target === undefined) return refuse(res, 400, 'bad request target');
    const [, given = '', protocol = '', ...rest] = target.split('/');
    const givenBytes = Buffer.from(given);
    if (givenBytes.length !== secretBytes.length || !timingSafeEqual(givenBytes, secretBytes)) {
      return refuse(res, 403, 'not an asset URL of this launch: make it with convertFileSrc() once the page is connected');
    }
    const raw = rest.join('/');
    if (protocol === 'asset') {
      let file: string;
      try {
        file = decodeURIComponent(raw);
      } catch {
        return refuse(res, 400, 'the path is not valid percent-encoding');
      }
      return serveFile(req, res, file);
    }
    const handler = options.protocols.get(protocol);
    if (handler === undefined) return refuse(res, 404, `no protocol \`${protocol}\` is registered`);
    const query = req.url?.includes('?') === true ? req.url.slice(req.url.indexOf('?')) : '';
    return serveCustom(req, res, handler, `${protocol}://localhost/${raw}${query}`, protocol);
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
    const cors = corsFor(req);
    const scope = options.scope;
    if (scope === undefined) return refuse(res, 403, 'the asset protocol is off: set app.security.assetProtocol.enable');
    if (!scope.isAllowed(file)) {
      options.report(`asset protocol not configured to allow the path: ${JSON.stringify(file.slice(0, 200))}`);
      return refuse(res, 403, 'path not allowed by app.security.assetProtocol.scope');
    }
    let handle: import('node:fs/promises').FileHandle;
    try {
      handle = await open(file, 'r');
    } catch {
      return refuse(res, 404, 'no such file');
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return refuse(res, 404, 'not a file');
      const size = stat.size;
      const headers: Record<string, string> = {
        ...HEADERS,
        ...cors,
        'content-type': mime.getType(file) ?? 'application/octet-stream',
        'accept-ranges': 'bytes',
      };
      if (cors['access-control-allow-origin'] !== undefined) headers['access-control-expose-headers'] = 'content-range';
      const range = parseRange(req.headers.range, size);
      if (range === 'unsatisfiable') {
        res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` });
        res.end();
        return;
      }
      const { start, end, status } = range === undefined ? { start: 0, end: size - 1, status: 200 } : { ...range, status: 206 };
      if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${size}`;
      headers['content-length'] = String(Math.max(0, end - start + 1));
      res.writeHead(status, headers);
      if (req.method === 'HEAD' || size === 0) {
        res.end();
        return;
      }
      const stream = createReadStream('', { fd: handle.fd, start, end, autoClose: false });
      await new Promise<void>((resolve) => {
        stream.once('error', (error) => {
          options.report('asset protocol: reading a file failed', error);
          res.destroy();
          resolve();
        });
        res.once('close', () => {
          stream.destroy();
          resolve();
        });
        stream.pipe(res);
      });
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async function serveCustom(
    req: IncomingMessage,
    res: ServerResponse,
    handler: UriSchemeHandler,
    url: string,
    protocol: string,
  ): Promise<void> {
    const cors = corsFor(req);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    // The URL the handler sees is the one Tauri gives it: `<protocol>://localhost/<path as the page encoded it>`.
    let request: Request;
    try {
      request = new Request(url, { method: req.method ?? 'GET', headers });
    } catch {
      return refuse(res, 400, 'bad request target');
    }
    let answer: UriSchemeResponse;
    try {
      answer = await handler(request);
    } catch (error) {
      options.report(`protocol \`${protocol}\`: the handler threw`, error);
      return refuse(res, 500, `the \`${protocol}\` protocol handler failed`);
    }
    const response =
      answer instanceof Response
        ? answer
        : new Response(answer.body ?? null, { status: answer.status ?? 200, headers: answer.headers ?? {} });
    const out: Record<string, string> = { ...HEADERS, ...cors };
    response.headers.forEach((value, key) => {
      if (!(key in HEADERS)) out[key] = value;
    });
    res.writeHead(response.status, out);
    if (response.body === null || req.method === 'HEAD') {
      res.end();
      return;
    }
    await new Promise<void>((resolve) => {
      const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
      body.once('error', (error) => {
        options.report(`protocol \`${protocol}\`: the response body failed`, error);
        res.destroy();
        resolve();
      });
      res.once('close', resolve);
      body.pipe(res);
    });
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      options.report('asset protocol: a request failed', error);
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    base: `${origin}/${secret}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
