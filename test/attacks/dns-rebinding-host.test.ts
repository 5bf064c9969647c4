// DNS rebinding, played for real in Chromium: an attacker page is loaded from http://rebind.test:P (rebind.test
// resolves to 127.0.0.1 through --host-resolver-rules), then the attacker's server goes away and the app starts on
// the same port — exactly what a rebinding attack achieves: the attacker's page and the app are now "same origin",
// so the page can read whatever the app server answers. The core must answer nothing but a refusal (exact Host
// check), and refuse the socket even to a page holding a valid ticket. Raw requests then try the Host spellings
// that slipped past other loopback servers (Node inspector CVE-2018-7160 and follow-ups).
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { App, Server } from 'airlock';
import { quietBuilder, ticketFrom } from '../helpers/app.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser.js';
import { testFrontend } from '../helpers/frontend.js';
import { sentinel } from '../helpers/sentinel.js';

const s = sentinel();
let browser: Browser;
let app: App;
let server: Server;
let page: Page;
let port = 0;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP rebind.test 127.0.0.1'],
  });
  // 1. The attacker's server answers on rebind.test:P and the victim opens its page.
  const evil = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', connection: 'close' });
    res.end('<!doctype html><title>cute cats</title>');
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  const a = evil.address();
  port = typeof a === 'object' && a !== null ? a.port : 0;
  const context = await browser.newContext();
  await context.addInitScript('globalThis.__name = (f) => f');
  page = await context.newPage();
  await page.goto(`http://rebind.test:${port}/`);
  // 2. "Rebinding": the attacker's server goes, and the app now answers on the very same host:port.
  evil.closeAllConnections();
  await new Promise((r) => evil.close(r));
  app = await quietBuilder()
    .invokeHandler(s.commands)
    .setup((a) => s.watch(a))
    .build({ frontendDist: await testFrontend() });
  server = await app.serve({ port });
});

after(async () => {
  assert.equal(s.executed, 0, 'no rebinding attack may execute a command');
  await browser?.close();
  await app?.close();
});

describe('DNS rebinding', () => {
  test('the rebound page reads nothing from the app: every same-origin request gets 421', async () => {
    const r = await page.evaluate(async () => {
      const read = async (p: string) => {
        const res = await fetch(p, { cache: 'no-store' });
        return `${res.status} ${(await res.text()).trim()}`;
      };
      return Promise.all(['/', '/index.html', '/app.js', '/__airlock/runtime.js'].map(read));
    });
    assert.deepEqual(r, Array(4).fill('421 unexpected Host header'));
  });

  test('the rebound page cannot open the IPC socket, even with a valid ticket', async () => {
    const ticket = ticketFrom(server.url('main'));
    const r = await page.evaluate(
      ({ url, ticket }) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url, ['airlock.v1', `airlock.ticket.${ticket}`]);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        }),
      { url: `ws://rebind.test:${port}/__airlock/ws`, ticket },
    );
    assert.equal(r, 'refused');
    assert.deepEqual(app.webviews(), []);
    // The ticket was never redeemed: the real app window can still use it.
    const legit = await (await browser.newContext()).newPage();
    await legit.addInitScript('globalThis.__name = (f) => f');
    await legit.goto(`${server.origin}/#${new URLSearchParams({ __airlock: ticket, label: 'main', window: 'main' })}`);
    await legit.waitForFunction(() => typeof (window as unknown as { api?: unknown }).api === 'object');
    assert.equal(await legit.evaluate(() => window.api.core.invoke('whoami')), 'main');
  });

  test('navigating to the app under the rebound name is refused outright', async () => {
    const p = await (await browser.newContext()).newPage();
    const res = await p.goto(`http://rebind.test:${port}${new URL(server.url('main')).pathname}`);
    assert.equal(res?.status(), 421);
  });

  test('raw requests with Host spellings that are not exactly 127.0.0.1:P or localhost:P are refused', async () => {
    const hosts = [
      `rebind.test:${port}`,
      `127.0.0.1.:${port}`,
      `localhost.:${port}`,
      `127.1:${port}`,
      `2130706433:${port}`,
      `0x7f000001:${port}`,
      `0177.0.0.1:${port}`,
      `[::1]:${port}`,
      `[::ffff:127.0.0.1]:${port}`,
      `localhost6:${port}`,
      `app.localhost:${port}`,
      `127.0.0.1:${port + 1}`,
      '127.0.0.1',
      'localhost',
    ];
    const statuses = await Promise.all(
      hosts.map(
        (host) =>
          new Promise<string>((resolve) => {
            const req = http.request({ host: '127.0.0.1', port, path: '/', headers: { host } }, (res) => {
              res.resume();
              resolve(`${host} → ${res.statusCode}`);
            });
            req.on('error', () => resolve(`${host} → error`));
            req.end();
          }),
      ),
    );
    assert.deepEqual(
      statuses,
      hosts.map((h) => `${h} → 421`),
    );
    // HTTP/1.0 allows no Host header at all; the core then has nothing to trust.
    const noHost = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end('GET / HTTP/1.0\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
    });
    assert.match(noHost, /^HTTP\/1\.[01] 421 /);
  });
});
