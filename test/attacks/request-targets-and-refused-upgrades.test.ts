// Request targets a URL parser chokes on, and what a refused upgrade leaves behind (security findings #1 and #12).
//
// #1: the WebSocket upgrade handler and the inspector's handlers run synchronously; a target such as `//` used to
// throw there (`new URL('//', base)` reads a host) and end the Node process. A script in the app's own page can send
// it with `new WebSocket('ws://127.0.0.1:P//')`, any local process with a raw request. Each must get a 4xx and the
// core must keep serving.
// #12: a refused upgrade must not keep its socket (a file descriptor) until the client closes: the core destroys it
// once the answer is written, so data the client sends afterwards meets a reset.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { App, Server } from 'airlock';
import type { Browser, Page } from 'playwright-core';
import { quietBuilder } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { testFrontend } from '../helpers/frontend.js';
import { sentinel } from '../helpers/sentinel.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const s = sentinel();
let browser: Browser;
let app: App;
let server: Server;
let page: Page;
let inspectorPort = 0;

before(async () => {
  browser = await launchBrowser();
  app = await quietBuilder()
    .invokeHandler(s.commands)
    .build({ frontendDist: await testFrontend() });
  server = await app.serve({ port: 0, inspector: true });
  inspectorPort = Number(new URL(server.inspector ?? 'http://x:0').port);
  page = await openPage(browser, server.url('main'));
});

after(async () => {
  assert.equal(s.executed, 0);
  await browser?.close();
  await app?.close();
});

interface RawAnswer {
  /** The status line, or '' when the connection closed without one. */
  readonly status: string;
  /** The connection was reset when the client wrote after the server's answer (the server had destroyed it). */
  readonly reset: boolean;
}

/**
 * Sends `request` on a half-open-capable socket, reads the answer until the server ends its side, then writes a few
 * bytes: a server that destroyed the socket answers them with a reset; one that kept it does nothing, and after
 * `deadlineMs` the result says so.
 */
function raw(port: number, request: string, deadlineMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let text = '';
    let ended = false;
    const finish = (reset: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: text.split('\r\n')[0] ?? '', reset });
    };
    const timer = setTimeout(() => finish(false), deadlineMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (d) => {
      text += d.toString('latin1');
    });
    socket.on('end', () => {
      ended = true;
      // Keep writing until the reset arrives (the first write may land before the server's close).
      const poke = (): void => {
        if (socket.destroyed) return;
        socket.write('x', () => setTimeout(poke, 20));
      };
      poke();
    });
    socket.on('error', () => finish(ended));
    socket.on('close', () => finish(ended));
  });
}

const upgrade = (target: string, port: number, origin = `http://127.0.0.1:${port}`): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: airlock.v1\r\n\r\n';
const get = (target: string, port: number): string => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;

const TARGETS = ['//', '//evil.example', '///x', '*', 'http://127.0.0.1/__airlock/ws', '//[', '//:99999/'];

/** The core in a child process (test/fixtures/serve-app), so that a crash is a crash, not a test-runner report. */
async function startChild(): Promise<{ child: ChildProcess; url: string; origin: string; inspector: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, 'serve-app', 'main.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
    });
    child.once('exit', (code) => reject(new Error(`the core exited (${code}) before serving`)));
  });
  return { child, ...(JSON.parse(line) as { url: string; origin: string; inspector: string }) };
}

describe('request targets that are not plain paths (#1)', () => {
  test("a core of its own: the app's page opens `ws://127.0.0.1:P//`, a local process sends `//` to the inspector; the process lives on", async () => {
    const { child, url, origin, inspector } = await startChild();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const p = await openPage(browser, url);
      const r = await p.evaluate(
        (u) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(u, ['airlock.v1']);
            ws.onopen = () => resolve('open');
            ws.onerror = () => resolve('refused');
          }),
        `${origin.replace('http:', 'ws:')}//`,
      );
      assert.equal(r, 'refused');
      const port = Number(new URL(inspector).port);
      assert.match((await raw(port, get('//', port))).status, /^HTTP\/1\.1 40\d /);
      assert.match((await raw(port, upgrade('//', port))).status, /^HTTP\/1\.1 40\d /);
      // Still serving: a normal request is answered, the page's calls work, and the process has not exited.
      assert.equal((await fetch(`${origin}/`)).status, 200);
      assert.equal(await p.evaluate(() => window.api.core.invoke('ping')), 'pong');
      assert.equal(child.exitCode, null, 'the core process is alive');
      await p.context().close();
    } finally {
      child.stdin?.end();
      await exited;
    }
  });

  test("the app's own page opens `ws://127.0.0.1:P//`: refused, and the core keeps serving", async () => {
    const r = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url, ['airlock.v1']);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        }),
      `ws://127.0.0.1:${server.port}//`,
    );
    assert.equal(r, 'refused');
    assert.equal(await page.evaluate(() => window.api.core.invoke('ping')), 'pong');
  });

  test('raw upgrades and requests to the core: each answered (never a crash, never a socket), then a normal request works', async () => {
    // `//…` targets are paths (served or not found as paths); `*` and absolute URLs are not paths at all: 400.
    for (const target of TARGETS) {
      assert.match((await raw(server.port, upgrade(target, server.port))).status, /^HTTP\/1\.1 40[034] /, `upgrade ${target}`);
      assert.match((await raw(server.port, get(target, server.port))).status, /^HTTP\/1\.1 [24]0\d /, `GET ${target}`);
    }
    for (const target of ['*', 'http://127.0.0.1/__airlock/ws']) {
      assert.match((await raw(server.port, upgrade(target, server.port))).status, /^HTTP\/1\.1 400 /, `upgrade ${target}`);
      assert.match((await raw(server.port, get(target, server.port))).status, /^HTTP\/1\.1 400 /, `GET ${target}`);
    }
    assert.match((await raw(server.port, get('/', server.port))).status, /^HTTP\/1\.1 200 /);
  });

  test("raw requests and upgrades to the inspector: refused, and the inspector's page is still served", async () => {
    for (const target of TARGETS) {
      assert.match((await raw(inspectorPort, upgrade(target, inspectorPort))).status, /^HTTP\/1\.1 40[034] /, `upgrade ${target}`);
      assert.match((await raw(inspectorPort, get(target, inspectorPort))).status, /^HTTP\/1\.1 40[034] /, `GET ${target}`);
    }
    assert.match((await raw(inspectorPort, get('/', inspectorPort))).status, /^HTTP\/1\.1 200 /);
    assert.equal(await page.evaluate(() => window.api.core.invoke('ping')), 'pong');
  });
});

describe('a refused upgrade keeps no socket (#12)', () => {
  const cases: Array<[string, (port: number) => string]> = [
    ['wrong Origin', (p) => upgrade('/__airlock/ws', p, 'http://evil.example')],
    ['no credential', (p) => upgrade('/__airlock/ws', p)],
    ['unknown path', (p) => upgrade('/elsewhere', p)],
    ['bad target', (p) => upgrade('//', p)],
  ];
  for (const [name, request] of cases) {
    test(`core, ${name}: the core answers, then destroys the socket while the client keeps its side open`, async () => {
      const r = await raw(server.port, request(server.port));
      assert.match(r.status, /^HTTP\/1\.1 4\d\d /);
      assert.equal(r.reset, true, 'the refused socket must be destroyed by the core, not left half-open');
    });
  }

  test('inspector, missing token: answered, then destroyed', async () => {
    const r = await raw(inspectorPort, upgrade('/ws', inspectorPort));
    assert.match(r.status, /^HTTP\/1\.1 403 /);
    assert.equal(r.reset, true);
  });
});
