/**
 * The loopback server: one `node:http` server on 127.0.0.1 that serves the frontend (runtime injected), the page
 * runtime, and the IPC WebSocket. Every request passes guard.ts first.
 */
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import type { App, Server, ServeOptions } from '../core/app.js';
import type { FsScope } from '../core/fs-scope.js';
import { type CspContext, cspNonce, documentPolicy } from './csp.js';
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import type { Isolation } from '../core/isolation.js';
import { LAUNCH_FRAGMENT_KEY, RESERVED_PREFIX, RUNTIME_PATH, SOCKET_PATH } from '../protocol/frames.js';
import { type Asset, contentType, injectIntoHtml, isHtml, readAsset } from './assets.js';
import {
  BAD_TARGET,
  BASE_HEADERS,
  checkRequest,
  checkServiceWorker,
  checkUpgrade,
  loopbackOrigins,
  type Origins,
  type Refusal,
  refuseUpgrade,
  requestPath,
} from './guard.js';
import { type Inspector, serveInspector } from './inspector.js';
import { type AssetServer, serveAssets, type UriSchemeHandler } from './asset-protocol.js';
import { type IsolationApp, type IsolationServer, serveIsolationFrame } from './isolation-frame.js';
import { createDevProxy, type DevProxy } from './proxy.js';
import { acceptSocket, readCredential, readPage } from './socket.js';

const RUNTIME_BUNDLE = fileURLToPath(new URL('../runtime/webview.js', import.meta.url));
const GLOBAL_TAURI_BUNDLE = fileURLToPath(new URL('../runtime/global-tauri.js', import.meta.url));
let runtimeBundle: string | undefined;
let globalTauriBundle: string | undefined;

/** The page runtime, configured for this app. */
function runtimeScript(app: App, isolation: string | undefined, assets: string | undefined): string {
  runtimeBundle ??= readFileSync(RUNTIME_BUNDLE, 'utf8');
  const config = {
    pattern: app.config.pattern.use,
    ...(isolation === undefined ? {} : { isolation }),
    ...(assets === undefined ? {} : { assets }),
    os: process.platform === 'win32' ? 'windows' : process.platform === 'darwin' ? 'macos' : process.platform,
    sep: process.platform === 'win32' ? '\\' : '/',
    delimiter: process.platform === 'win32' ? ';' : ':',
  };
  // After the internals exist: `window.__TAURI__` (as Tauri's init script orders `bundle.global.js`), then plugins'
  // init scripts. Nothing runs again if the page included the runtime twice.
  globalTauriBundle ??= app.config.withGlobalTauri ? readFileSync(GLOBAL_TAURI_BUNDLE, 'utf8') : undefined;
  const after = `${app.config.withGlobalTauri ? `\n${globalTauriBundle}` : ''}${initScripts(app)}`;
  return `(function(){${runtimeBundle}\nif(__airlockRuntime.install(${JSON.stringify(config)})){${after}\n}})();`;
}

/**
 * Plugins' init scripts, in registration order, after the runtime has installed `__TAURI_INTERNALS__` and before
 * any script of the page (this script is the first in every HTML document, so no extra tag or CSP entry is needed).
 * Each runs in a function of its own, so one that throws does not stop the others; their syntax was checked when
 * the plugin was built.
 */
function initScripts(app: App): string {
  return app
    .initScripts()
    .map(
      ({ plugin, source }) =>
        `\ntry{(function(){${source}\n}).call(window)}catch(e){console.error(${JSON.stringify(`[airlock] the init script of plugin \`${plugin}\` threw`)},e)}`,
    )
    .join('');
}

const RUNTIME_TAG = `<script src="${RUNTIME_PATH}"></script>`;
const FRAME_ANCESTORS = "frame-ancestors 'self'";

const PLACEHOLDER = `<!doctype html><html><head><meta charset="utf-8"><title>Airlock</title></head>
<body><p>This app has no <code>build.frontendDist</code>. Give <code>Builder.build({ frontendDist })</code> a directory.</p></body></html>`;

function refuse(res: ServerResponse, refusal: Refusal): void {
  res.writeHead(refusal.status, { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${refusal.reason}\n`);
}

/**
 * Checks `serve({ serviceWorkers })`: each scope is a path of its own (`/…/`, not `/`) that holds its window's URL
 * (when `app.windows` configures it) and no other configured window's. Throws CONFIG with what to change.
 */
export function serviceWorkerScopes(
  windows: ReadonlyArray<{ readonly label: string; readonly url: string }>,
  allowed: Readonly<Record<string, string>>,
): string[] {
  const pathOf = (url: string): string => (url.startsWith('/') ? url : `/${url}`).split(/[?#]/)[0] ?? '/';
  const scopes: string[] = [];
  for (const [label, scope] of Object.entries(allowed)) {
    const fail = (why: string): never => {
      throw new AirlockError(
        ErrorCode.CONFIG,
        `serve({ serviceWorkers }): the scope ${JSON.stringify(scope)} of window \`${label}\` ${why}`,
      );
    };
    if (typeof scope !== 'string' || !/^\/[^?#]*\/$/.test(scope) || scope === '/')
      fail("must be a path that starts and ends with '/' and is not '/' itself (e.g. '/app/')");
    const own = windows.find((w) => w.label === label);
    if (own !== undefined && !pathOf(own.url).startsWith(scope)) fail(`does not hold the window's URL ${own.url}`);
    const other = windows.find((w) => w.label !== label && pathOf(w.url).startsWith(scope));
    if (other !== undefined) fail(`also holds window \`${other.label}\`'s URL ${other.url}; a worker there would control it`);
    scopes.push(scope);
  }
  return scopes;
}

export interface LoopbackExtras {
  /** The isolation application and this launch's key, under the isolation pattern. */
  readonly isolation?: { readonly app: IsolationApp; readonly core: Isolation; readonly dev: boolean };
  /** The asset protocol (`scope` undefined when it is off) and the custom URI-scheme protocols, if any. */
  readonly assets?: { readonly scope: FsScope | undefined; readonly protocols: ReadonlyMap<string, UriSchemeHandler> };
}

export async function serveLoopback(app: App, options: ServeOptions, extras: LoopbackExtras = {}): Promise<Server> {
  const workerScopes = serviceWorkerScopes(app.config.windows, options.serviceWorkers ?? {});
  let script = '';
  let allowed: Origins = { hosts: new Set(), origins: new Set() };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: app.limits.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: true,
    handleProtocols: (protocols) => (protocols.has('airlock.v1') ? 'airlock.v1' : false),
  });
  /** `app.security.csp` (`devCsp` when the frontend comes from the dev server), completed once the origins exist. */
  let csp: CspContext | undefined;
  /**
   * An HTML document as served: the runtime tag first in `<head>` and the CSP headers — `frame-ancestors 'self'`
   * always, and the app's policy with Tauri's nonce and hash rules when it sets one.
   */
  function prepareHtml(text: string): { body: Buffer; csp: string } {
    if (csp === undefined) return { body: Buffer.from(injectIntoHtml(text, RUNTIME_TAG)), csp: FRAME_ANCESTORS };
    const nonce = cspNonce();
    const html = injectIntoHtml(text, `<script nonce="${nonce}" src="${RUNTIME_PATH}"></script>`);
    // Two policies in one header (comma-separated): both are enforced.
    return { body: Buffer.from(html), csp: `${FRAME_ANCESTORS}, ${documentPolicy(csp, html, nonce)}` };
  }
  // `build.devUrl` (airlock dev): the frontend comes from the dev server, through the proxy (transports/proxy.ts).
  const { devUrl, frontendDist } = app.config;
  const proxy: DevProxy | undefined =
    devUrl !== undefined && (frontendDist === undefined || options.useDevUrl === true)
      ? createDevProxy(devUrl, (m, e) => app.report(m, e), prepareHtml)
      : undefined;

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = checkRequest(req, allowed);
    if (refusal !== undefined) return refuse(res, refusal);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...BASE_HEADERS, allow: 'GET, HEAD', 'content-type': 'text/plain' });
      res.end('only GET and HEAD are served; IPC goes over the WebSocket\n');
      return;
    }
    const pathname = requestPath(req);
    if (pathname === undefined) return refuse(res, BAD_TARGET);
    const worker = checkServiceWorker(req, pathname, workerScopes);
    if (worker !== undefined) return refuse(res, worker);
    if (pathname === RUNTIME_PATH) {
      res.writeHead(200, { ...BASE_HEADERS, 'content-type': 'text/javascript; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : script);
      return;
    }
    if (pathname.startsWith(RESERVED_PREFIX)) return refuse(res, { status: 404, reason: 'not found' });
    if (proxy !== undefined) return proxy.request(req, res);
    const root = app.config.frontendDist;
    const asset: Asset | undefined =
      root === undefined
        ? pathname === '/' || pathname === '/index.html'
          ? { file: 'index.html', body: Buffer.from(PLACEHOLDER) }
          : undefined
        : await readAsset(root, pathname);
    if (asset === undefined) return refuse(res, { status: 404, reason: 'not found' });
    const html = isHtml(asset.file) ? prepareHtml(asset.body.toString('utf8')) : undefined;
    const body = html?.body ?? asset.body;
    res.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': contentType(asset.file),
      'content-length': body.length,
      ...(html === undefined ? {} : { 'content-security-policy': html.csp }),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      app.report('failed to serve a request', error);
      if (!res.headersSent) refuse(res, { status: 500, reason: 'internal error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  // Synchronous: nothing here may throw (an exception in an 'upgrade' listener ends the process), so the target is
  // parsed by the total `requestPath` and anything unexpected still ends in a refusal, never a crash.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      onUpgrade(req, socket, head);
    } catch (error) {
      app.report('failed to handle a WebSocket upgrade', error);
      refuseUpgrade(socket, { status: 500, reason: 'internal error' });
    }
  });

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const refusal = checkUpgrade(req, allowed);
    if (refusal !== undefined) return refuseUpgrade(socket, refusal);
    const pathname = requestPath(req);
    if (pathname === undefined) return refuseUpgrade(socket, BAD_TARGET);
    if (pathname !== SOCKET_PATH && proxy !== undefined && !pathname.startsWith(RESERVED_PREFIX)) return proxy.upgrade(req, socket, head);
    if (pathname !== SOCKET_PATH) return refuseUpgrade(socket, { status: 404, reason: 'not found' });
    const credential = readCredential(req);
    const session = credential === undefined ? undefined : app.sessions.find(credential.kind, credential.value);
    if (credential === undefined || session === undefined)
      return refuseUpgrade(socket, { status: 403, reason: 'invalid or missing session credential' });
    wss.handleUpgrade(req, socket, head, (ws) =>
      acceptSocket(app, ws, session, credential, req.headers.origin ?? '', assets?.base, readPage(req)),
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  allowed = loopbackOrigins(port);
  const origin = `http://127.0.0.1:${port}`;
  let frame: IsolationServer | undefined;
  let inspector: Inspector | undefined;
  let assets: AssetServer | undefined;
  try {
    if (extras.isolation !== undefined) {
      const { app: isolationApp, core, dev } = extras.isolation;
      frame = await serveIsolationFrame(isolationApp, [...allowed.origins], core, dev, app.limits.maxFrameBytes);
    }
    if (options.inspector === true) inspector = await serveInspector(app);
    if (extras.assets !== undefined) {
      assets = await serveAssets({
        ...extras.assets,
        appOrigins: () => allowed.origins,
        report: (message, error) => app.report(message, error),
      });
    }
    const policy = proxy !== undefined ? (app.config.csp.devCsp ?? app.config.csp.csp) : app.config.csp.csp;
    if (policy !== undefined && policy.trim() !== '') {
      csp = {
        policy,
        disableModification: app.config.csp.disableModification,
        connect: [...allowed.origins].map((o) => o.replace(/^http:/, 'ws:')),
        ...(frame === undefined ? {} : { frame: frame.origin }),
        ...(assets === undefined ? {} : { asset: assets.origin }),
      };
    }
    script = runtimeScript(app, frame === undefined ? undefined : `${frame.origin}/`, assets?.origin);
  } catch (error) {
    server.close();
    await frame?.close();
    await inspector?.close();
    await assets?.close();
    throw error;
  }
  let closing: Promise<void> | undefined;

  return {
    origin,
    port,
    ...(inspector === undefined ? {} : { inspector: inspector.url }),
    url(label = app.config.windows[0]?.label ?? 'main', opts = {}) {
      const window = opts.window ?? label;
      const ticket = app.sessions.issueTicket({ label, window });
      const fragment = new URLSearchParams({ [LAUNCH_FRAGMENT_KEY]: ticket, label, window });
      const target = opts.path ?? app.config.windows.find((w) => w.label === window)?.url ?? '/';
      return `${origin}${target.startsWith('/') ? target : `/${target}`}#${fragment}`;
    },
    close() {
      closing ??= Promise.all([
        new Promise<void>((resolve) => {
          for (const ws of wss.clients) ws.terminate();
          wss.close();
          server.close(() => resolve());
          server.closeAllConnections();
        }),
        frame?.close(),
        inspector?.close(),
        assets?.close(),
      ]).then(() => undefined);
      return closing;
    },
  };
}
