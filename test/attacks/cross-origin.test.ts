// Attacks from outside the app: another origin in the browser, a forged Host, wrong or reused credentials.
// Each asserts that nothing executed: the core's side-effect counter stays 0.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { startApp, type TestApp, ticketFrom, socketUrl } from '../helpers/app.js';
import { startAttacker, tryWebSocket, type Attacker } from '../helpers/attacker.js';
import { launchBrowser } from '../helpers/browser.js';

let browser: Browser;
let t: TestApp;
let attacker: Attacker;
let effects = 0;

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) =>
    b.invokeHandler({
      side_effect: () => {
        effects++;
        return effects;
      },
    }),
  );
  attacker = await startAttacker('<!doctype html><title>attacker</title><p>evil</p>');
});

after(async () => {
  assert.equal(effects, 0, 'no attack may execute a command');
  await browser?.close();
  await attacker?.[Symbol.asyncDispose]();
  await t?.[Symbol.asyncDispose]();
});

const wsUrl = (): string => socketUrl(t.server);

function rawRequest(options: http.RequestOptions): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: t.server.port, ...options }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function rawUpgrade(headers: Record<string, string>, protocols: string[]): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(), protocols, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    ws.on('error', () => resolve('error'));
  });
}

describe('a page on another origin', () => {
  test('cannot open the IPC WebSocket, even holding a valid launch ticket', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(attacker.origin);
    const result = await page.evaluate(tryWebSocket, {
      url: wsUrl(),
      protocols: ['airlock.v1', `airlock.ticket.${ticketFrom(t.server.url('main'))}`],
    });
    assert.equal(result, 'refused');
  });

  test("cannot read the app's pages or runtime with fetch (no CORS), and a no-cors POST is refused", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(attacker.origin);
    // The page sees at most an opaque answer to a no-cors request; the browser's network layer sees what happened.
    const isPost = (r: import('playwright-core').Request) => r.url() === `${t.server.origin}/` && r.method() === 'POST';
    const postOutcome = new Promise<string>((resolve) => {
      page.on('response', (r) => {
        if (isPost(r.request())) resolve(`status ${r.status()}`);
      });
      page.on('requestfailed', (r) => {
        if (isPost(r)) resolve(`failed ${r.failure()?.errorText ?? ''}`);
      });
    });
    const result = await page.evaluate(async (origin) => {
      const read = await fetch(`${origin}/__airlock/runtime.js`).then(
        () => 'read',
        () => 'blocked',
      );
      const post = await fetch(`${origin}/`, { method: 'POST', mode: 'no-cors', body: '{"t":"i"}' }).then(
        (r) => r.type,
        () => 'blocked',
      );
      return { read, post };
    }, t.server.origin);
    assert.equal(result.read, 'blocked');
    assert.equal(result.post, 'blocked');
    // Refused by the core (403), or its answer withheld from the other origin (Cross-Origin-Resource-Policy).
    assert.match(await postOutcome, /^status 403$|^failed net::ERR_BLOCKED_BY_RESPONSE/);
  });

  test('cannot embed the app in a frame', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(attacker.origin);
    const url = t.server.url('main');
    // The frame's load event fires whether the document loaded or was blocked: wait for it, not for a while.
    const answered = page.waitForResponse((r) => r.url().startsWith(t.server.origin) && r.request().resourceType() === 'document');
    await page.evaluate(
      (src) =>
        new Promise<void>((resolve) => {
          const f = document.createElement('iframe');
          f.onload = () => resolve();
          f.src = src;
          document.body.append(f);
        }),
      url,
    );
    // Two layers: the guard refuses a cross-site document request outright (fetch metadata); a document it did
    // serve says `frame-ancestors 'self'`.
    const response = await answered;
    const csp = response.headers()['content-security-policy'] ?? '';
    assert.ok(response.status() === 403 || /frame-ancestors 'self'/.test(csp), `status ${response.status()}, CSP "${csp}"`);
    const child = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(child !== undefined, 'the frame exists');
    // A blocked frame holds an error document: no app script ran in it.
    const appRan = await child.evaluate(() => typeof (window as unknown as { api?: unknown }).api === 'object').catch(() => false);
    assert.equal(appRan, false);
    assert.equal(t.app.webviews().length, 0);
  });
});

describe('requests that do not come from the app', () => {
  test('a forged Host header is refused (DNS rebinding)', async () => {
    const r = await rawRequest({ path: '/', headers: { host: 'evil.example:80' } });
    assert.equal(r.status, 421);
    assert.equal(
      await rawUpgrade({ host: 'evil.example', origin: 'http://evil.example' }, [
        'airlock.v1',
        `airlock.ticket.${ticketFrom(t.server.url('main'))}`,
      ]),
      '421',
    );
  });

  test('a WebSocket upgrade with a wrong, missing or reused credential is refused', async () => {
    const origin = t.server.origin;
    assert.equal(await rawUpgrade({ origin }, ['airlock.v1', 'airlock.ticket.wrong']), '403');
    assert.equal(await rawUpgrade({ origin }, ['airlock.v1', 'airlock.resume.wrong']), '403');
    assert.equal(await rawUpgrade({ origin }, ['airlock.v1']), '403');
    const ticket = ticketFrom(t.server.url('reuse'));
    assert.equal(await rawUpgrade({ origin }, ['airlock.v1', `airlock.ticket.${ticket}`]), 'open');
    assert.equal(await rawUpgrade({ origin }, ['airlock.v1', `airlock.ticket.${ticket}`]), '403', 'a ticket works once');
  });

  test('an upgrade without Origin, or with Origin null, is refused', async () => {
    assert.equal(await rawUpgrade({}, ['airlock.v1', `airlock.ticket.${ticketFrom(t.server.url('x'))}`]), '403');
    assert.equal(await rawUpgrade({ origin: 'null' }, ['airlock.v1', `airlock.ticket.${ticketFrom(t.server.url('x'))}`]), '403');
  });

  test('responses carry no CORS headers, and only GET/HEAD are served', async () => {
    const r = await rawRequest({ path: '/', headers: { host: `127.0.0.1:${t.server.port}`, origin: t.server.origin } });
    assert.equal(r.status, 200);
    assert.equal(
      Object.keys(r.headers).some((h) => h.startsWith('access-control-')),
      false,
    );
    const post = await rawRequest({ path: '/', method: 'POST', headers: { host: `127.0.0.1:${t.server.port}` } });
    assert.equal(post.status, 405);
  });

  test('a cross-site fetch-metadata request for app assets is refused', async () => {
    const r = await rawRequest({ path: '/app.js', headers: { host: `127.0.0.1:${t.server.port}`, 'sec-fetch-site': 'cross-site' } });
    assert.equal(r.status, 403);
  });
});
