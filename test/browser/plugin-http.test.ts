// The http plugin driven by the official @tauri-apps/plugin-http in Chromium, against a real HTTP server on
// 127.0.0.1: headers both ways, a request body, a body streamed chunk by chunk, abort, redirects, and the URL scope
// (allowed, denied by a deny entry, outside every allow entry, a window with no URL granted, a window with no grant).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import http from 'airlock/plugins/http';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { guestConfig, guestFrontend } from '../helpers/frontend.js';
import { compileUrlPattern } from '../../src/plugins/http/scope.ts';

let browser: Browser;
let t: TestApp;
let server: Server;
let base: string;
let main: Page;
const seen: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
/** Streaming route: the second chunk is written when the test says so. */
let releaseStream: (() => void) | undefined;
let hangingClosed: Promise<void> | undefined;
let hangingSeen: (() => void) | undefined;

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push({ url: url.pathname, headers: req.headers, body });
  switch (url.pathname) {
    case '/allowed/echo':
      res.writeHead(201, 'Made It', [
        ['content-type', 'application/json'],
        ['x-reply', 'yes'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ]);
      res.end(JSON.stringify({ method: req.method, body, header: req.headers['x-custom'] ?? null }));
      return;
    case '/allowed/stream':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first-chunk;');
      releaseStream = () => res.end('second-chunk');
      return;
    case '/allowed/hang':
      hangingClosed = once(res, 'close').then(() => undefined);
      hangingSeen?.();
      return;
    case '/redirect/ok':
      res.writeHead(302, { location: '/allowed/echo' }).end();
      return;
    case '/redirect/denied':
      res.writeHead(302, { location: '/allowed/secret' }).end();
      return;
    default:
      res.writeHead(200).end(`reached ${url.pathname}`);
  }
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => route(req, res, Buffer.concat(chunks).toString()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  t = await startApp((b) => b.plugin(http()), { config: guestConfig, frontendDist: await guestFrontend() });
  main = await openPage(browser, t.server.url('main'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
  server?.closeAllConnections();
  server?.close();
});

type Outcome = { ok: unknown } | { rejected: string };

/** `fetch(url, init)` in the page; answers status, statusText, url, headers and text, or the rejection as text. */
const pageFetch = (page: Page, url: string, init: Record<string, unknown> = {}): Promise<Outcome> =>
  page.evaluate(
    async ([url, init]) => {
      try {
        const res = await window.guest.http.fetch(url, init as RequestInit);
        return {
          ok: {
            status: res.status,
            statusText: res.statusText,
            url: res.url,
            headers: [...res.headers],
            text: await res.text(),
          },
        };
      } catch (e) {
        return { rejected: String(e) };
      }
    },
    [url, init] as const,
  );

describe('http plugin (@tauri-apps/plugin-http)', () => {
  test('with app.withGlobalTauri the guest API is window.__TAURI__.http', async () => {
    assert.equal(
      await main.evaluate(
        () => typeof (window as unknown as { __TAURI__: Record<string, Record<string, unknown> | undefined> }).__TAURI__['http']?.['fetch'],
      ),
      'function',
    );
  });

  test('an allowed GET: the server gets the page’s header and the core’s user agent, the page gets status, headers (both cookies) and body', async () => {
    seen.length = 0;
    const out = await pageFetch(main, `${base}/allowed/echo`, { headers: { 'X-Custom': 'from page', Cookie: 'sneaky=1' } });
    assert.ok('ok' in out, JSON.stringify(out));
    const res = out.ok as { status: number; statusText: string; url: string; headers: [string, string][]; text: string };
    assert.equal(res.status, 201);
    assert.equal(res.statusText, 'Made It');
    assert.equal(res.url, `${base}/allowed/echo`);
    assert.deepEqual(
      res.headers.filter(([n]) => n === 'set-cookie' || n === 'x-reply'),
      [
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
        ['x-reply', 'yes'],
      ],
    );
    assert.deepEqual(JSON.parse(res.text), { method: 'GET', body: '', header: 'from page' });
    assert.match(String(seen[0]?.headers['user-agent']), /^tauri-plugin-http\//);
    // A header the browser forbids is dropped by the core, as Tauri's is without `unsafe-headers`.
    assert.equal(seen[0]?.headers.cookie, undefined);
  });

  test('a POST body reaches the server byte for byte', async () => {
    const out = await pageFetch(main, `${base}/allowed/echo`, { method: 'POST', body: 'héllo wörld' });
    assert.ok('ok' in out, JSON.stringify(out));
    assert.deepEqual(JSON.parse((out.ok as { text: string }).text), { method: 'POST', body: 'héllo wörld', header: null });
  });

  test('the body is streamed: the page reads the first chunk before the server has written the second', async () => {
    await main.evaluate(async (url) => {
      const res = await window.guest.http.fetch(url);
      (window as unknown as { reader: unknown }).reader = res.body?.getReader();
    }, `${base}/allowed/stream`);
    const first = await main.evaluate(async () => {
      const reader = (window as unknown as { reader: ReadableStreamDefaultReader<Uint8Array> }).reader;
      const { value } = await reader.read();
      return new TextDecoder().decode(value);
    });
    assert.equal(first, 'first-chunk;');
    assert.ok(releaseStream, 'the server is holding the rest of the body');
    releaseStream();
    const rest = await main.evaluate(async () => {
      const reader = (window as unknown as { reader: ReadableStreamDefaultReader<Uint8Array> }).reader;
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return text;
        text += new TextDecoder().decode(value);
      }
    });
    assert.equal(rest, 'second-chunk');
  });

  test('abort: the page’s fetch rejects and the core drops its connection to the server', async () => {
    const arrived = new Promise<void>((resolve) => {
      hangingSeen = resolve;
    });
    const pending = main.evaluate(async (url) => {
      const controller = new AbortController();
      (window as unknown as { abortHang: () => void }).abortHang = () => controller.abort();
      try {
        await window.guest.http.fetch(url, { signal: controller.signal });
        return 'resolved';
      } catch (e) {
        return String(e);
      }
    }, `${base}/allowed/hang`);
    await arrived;
    await main.evaluate(() => (window as unknown as { abortHang: () => void }).abortHang());
    assert.match(await pending, /Request cancel/);
    await hangingClosed;
  });

  test('a redirect is followed inside the scope and refused when it leads out of it', async () => {
    const ok = await pageFetch(main, `${base}/redirect/ok`);
    assert.ok('ok' in ok, JSON.stringify(ok));
    assert.equal((ok.ok as { url: string }).url, `${base}/allowed/echo`);
    seen.length = 0;
    const refused = await pageFetch(main, `${base}/redirect/denied`);
    assert.deepEqual(refused, { rejected: `url not allowed on the configured scope: ${base}/allowed/secret` });
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/redirect/denied'],
    );
  });

  test('scope refusals carry Tauri’s text and never reach the server', async () => {
    seen.length = 0;
    assert.deepEqual(await pageFetch(main, `${base}/allowed/secret-plans`), {
      rejected: `url not allowed on the configured scope: ${base}/allowed/secret-plans`,
    });
    assert.deepEqual(await pageFetch(main, `${base}/elsewhere`), {
      rejected: `url not allowed on the configured scope: ${base}/elsewhere`,
    });
    assert.deepEqual(await pageFetch(main, 'ftp://127.0.0.1/file'), { rejected: 'scheme ftp not supported' });
    const scoped = await openPage(browser, t.server.url('scoped'));
    assert.deepEqual(await pageFetch(scoped, `${base}/allowed/echo`), {
      rejected: `url not allowed on the configured scope: ${base}/allowed/echo`,
    });
    const bare = await openPage(browser, t.server.url('bare'));
    const refused = await pageFetch(bare, `${base}/allowed/echo`);
    assert.ok('rejected' in refused && /http\.fetch not allowed|not allowed by ACL/.test(refused.rejected), JSON.stringify(refused));
    assert.deepEqual(seen, []);
    await Promise.all([scoped.context().close(), bare.context().close()]);
  });

  test('maxRedirections: 0 answers the redirect itself', async () => {
    const out = await pageFetch(main, `${base}/redirect/ok`, { maxRedirections: 0 });
    assert.ok('ok' in out, JSON.stringify(out));
    const res = out.ok as { status: number; headers: [string, string][] };
    assert.equal(res.status, 302);
    assert.deepEqual(
      res.headers.filter(([n]) => n === 'location'),
      [['location', '/allowed/echo']],
    );
  });

  test('a scope entry that is not a URL pattern stops start-up, naming it', async () => {
    await assert.rejects(
      startApp((b) => b.plugin(http()), {
        config: {
          app: {
            security: {
              capabilities: [
                {
                  identifier: 'bad',
                  windows: ['main'],
                  permissions: [{ identifier: 'http:default', allow: [{ url: 'http://localhost/(unclosed' }] }],
                },
              ],
            },
          },
        },
      }),
      /is not a valid URL pattern/,
    );
  });

  test('a data: URL is answered by the core without a scope', async () => {
    const out = await pageFetch(main, 'data:text/plain,inline');
    assert.ok('ok' in out, JSON.stringify(out));
    assert.equal((out.ok as { text: string }).text, 'inline');
  });

  test('scope patterns as Tauri compiles them: an empty or `/` path and empty search match anything', () => {
    assert.equal(compileUrlPattern('http://localhost:8080').test('http://localhost:8080/a/b?x=1'), true);
    assert.equal(compileUrlPattern('http://localhost:8080/').test('http://localhost:8080/deep/path'), true);
    assert.equal(compileUrlPattern('http://localhost:8080/file.png').test('http://localhost:8080/file.png?v=2'), true);
    assert.equal(compileUrlPattern('http://localhost:8080/file.png').test('http://localhost:8080/other.png'), false);
    assert.equal(compileUrlPattern('https://*.example.com').test('https://api.example.com/x'), true);
    assert.throws(() => compileUrlPattern('http://localhost/(unclosed'), /is not a valid URL pattern/);
  });
});
