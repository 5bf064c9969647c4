/**
 * Serves the app's isolation application (Tauri's `app.security.pattern.options.dir`) from its own origin — a
 * second loopback port — so the app page can neither fetch the frame's document (no CORS) nor read it (cross-
 * origin). The document is rendered per request: our frame runtime first (with this launch's key), the app's
 * classic `<script src>` files inlined (as Tauri does, so existing isolation apps work unchanged), ES module scripts
 * left as URLs on this origin (which Tauri cannot do), a fresh nonce on every script and style, and a strict CSP
 * that also limits who may embed it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import { contentType, injectIntoHtml, readAsset } from './assets.js';
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

/** Starts the isolation origin. `appOrigins` may embed it; `key` is this launch's AES key. */
export async function serveIsolationFrame(
  app: IsolationApp,
  appOrigins: readonly string[],
  key: Uint8Array,
  dev: boolean,
): Promise<IsolationServer> {
  const runtime = readFileSync(FRAME_BUNDLE, 'utf8');
  let hosts = new Set<string>();
  let origin = '';

  function document(): { body: string; nonce: string } {
    const nonce = randomBytes(16).toString('base64');
    const config = JSON.stringify({ key: [...key], parents: appOrigins, dev });
    const boot = `<script nonce="${NONCE}">(function(){${runtime}\n__airlockIsolation.install(${config});})();</script>`;
    return { body: injectIntoHtml(app.html, boot).split(NONCE).join(nonce), nonce };
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host?.toLowerCase();
    if (host === undefined || !hosts.has(host) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(host !== undefined && hosts.has(host) ? 405 : 421, BASE_HEADERS).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/' || url.pathname === '/index.html') {
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
          `font-src ${origin}; frame-ancestors ${appOrigins.join(' ')}; base-uri 'none'; form-action 'none'`,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const ext = path.extname(url.pathname).toLowerCase();
    const asset = ext === '' || ext === '.html' || ext === '.htm' ? undefined : await readAsset(app.dir, url.pathname);
    if (asset === undefined) {
      res.writeHead(404, BASE_HEADERS).end();
      return;
    }
    // The app's own isolation scripts (ES modules are fetched in CORS mode from the frame's opaque origin).
    res.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': contentType(asset.file),
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch(() => res.writeHead(500, BASE_HEADERS).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  hosts = new Set(loopbackOrigins(port).hosts);
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
