// The isolation frame's own socket (issue 15) cannot be used by anyone but the frame: not the app page, not a page
// of another origin, not another site's sandboxed iframe (which also says `Origin: null`), and not a sandboxed
// frame the app page makes itself. Each attacker gets the best credentials it could hold — a valid, unused frame
// token (sniffed here from the page's socket) and a valid document id (from a frame document fetched by a local
// process) — and every handshake must be refused, nothing may run, and the real frame keeps working.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Frame, Page } from 'playwright-core';
import { WebSocket as NodeWebSocket } from 'ws';
import { startApp, type TestApp } from '../helpers/app.js';
import { type Attacker, startAttacker, tryWebSocket } from '../helpers/attacker.js';
import { launchBrowser } from '../helpers/browser.js';
import { sentinel } from '../helpers/sentinel.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const s = sentinel();
let browser: Browser;
let t: TestApp;
let attacker: Attacker;
let page: Page;
/** Text frames the core sent on the page's own socket. */
const fromCore: string[] = [];
let isolationOrigin = '';

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) => b.invokeHandler(s.commands).setup((app) => s.watch(app)), {
    config: { app: { security: { pattern: { use: 'isolation', options: { dir: path.join(fixtures, 'isolation-strict') } } } } },
  });
  attacker = await startAttacker('<!doctype html><title>another site</title>');
  const context = await browser.newContext();
  await context.addInitScript('globalThis.__name = (f) => f');
  page = await context.newPage();
  await page.routeWebSocket(/\/__airlock\/ws(\?|$)/, (ws) => {
    const server = ws.connectToServer();
    const pageSocket = new URL(ws.url()).port === String(t.server.port);
    server.onMessage((m) => {
      if (pageSocket && typeof m === 'string') fromCore.push(m);
      ws.send(m);
    });
    ws.onMessage((m) => server.send(m));
  });
  await page.goto(t.server.url('main'));
  await page.waitForFunction(() => typeof window.api === 'object');
  assert.equal(await page.evaluate(() => window.api.core.invoke('ping')), 'pong');
  isolationOrigin = new URL(await page.evaluate(() => (document.getElementById('__tauri_isolation__') as HTMLIFrameElement).src)).origin;
});

after(async () => {
  assert.equal(s.executed, 0, 'nothing ran through a frame socket of the attacker');
  await browser?.close();
  await attacker?.[Symbol.asyncDispose]();
  await t?.[Symbol.asyncDispose]();
});

/** The page's unused frame token: the last one the core sent (the first was used by the real frame). */
function unusedToken(): string {
  const tokens = fromCore.filter((f) => f.startsWith('{"ft":')).map((f) => (JSON.parse(f) as { ft: string }).ft);
  assert.ok(tokens.length >= 2, 'the core sent a token for the frame and a spare one');
  return tokens.at(-1) as string;
}

/** A frame document id, as a local process gets one: by fetching the document (with whatever headers it likes). */
async function documentId(): Promise<string> {
  const html = await (await fetch(`${isolationOrigin}/`, { headers: { 'sec-fetch-dest': 'iframe' } })).text();
  const id = /"document":"([\w-]+)"/.exec(html)?.[1];
  assert.ok(id, 'the frame document carries its id');
  return id;
}

const socketUrl = (): string => `${isolationOrigin.replace('http:', 'ws:')}/__airlock/ws`;
const protocols = (token?: string, doc?: string): string[] => [
  'airlock.v1',
  ...(token === undefined ? [] : [`airlock.frame.${token}`]),
  ...(doc === undefined ? [] : [`airlock.doc.${doc}`]),
];

async function sandboxedFrame(host: Page, name: string): Promise<Frame> {
  await host.evaluate(
    (name) =>
      new Promise<void>((resolve) => {
        const f = document.createElement('iframe');
        f.name = name;
        f.setAttribute('sandbox', 'allow-scripts');
        f.srcdoc = '<!doctype html><title>sandboxed</title>';
        f.onload = () => resolve();
        document.body.append(f);
      }),
    name,
  );
  const frame = host.frames().find((f) => f.name() === name) ?? host.frames().findLast((f) => f.url() === 'about:srcdoc' || f.url() === '');
  assert.ok(
    frame,
    `frame ${name} among ${host
      .frames()
      .map((f) => `${f.name()}@${f.url()}`)
      .join(', ')}`,
  );
  assert.equal(await frame.evaluate(() => origin), 'null', 'a sandboxed frame has an opaque origin');
  return frame;
}

describe("the isolation frame's socket", () => {
  test('the app page cannot open it, even holding a valid frame token and document id', async () => {
    const doc = await documentId();
    assert.equal(await page.evaluate(tryWebSocket, { url: socketUrl(), protocols: protocols(unusedToken(), doc) }), 'refused');
    assert.equal(await page.evaluate(tryWebSocket, { url: socketUrl(), protocols: protocols() }), 'refused');
  });

  test('a page of another origin cannot open it, even holding both', async () => {
    const other = await page.context().newPage();
    await other.goto(`${attacker.origin}/`);
    const doc = await documentId();
    assert.equal(await other.evaluate(tryWebSocket, { url: socketUrl(), protocols: protocols(unusedToken(), doc) }), 'refused');
    await other.close();
  });

  test("another site's sandboxed iframe (Origin: null) cannot open it without the page's token", async () => {
    const other = await page.context().newPage();
    await other.goto(`${attacker.origin}/`);
    const frame = await sandboxedFrame(other, 'other-site-sandbox');
    const doc = await documentId();
    const guess = randomBytes(24).toString('base64url');
    const outcomes = [];
    for (const p of [protocols(), protocols(guess, guess), protocols(undefined, doc), protocols(guess, doc)])
      outcomes.push(await frame.evaluate(tryWebSocket, { url: socketUrl(), protocols: p }));
    assert.deepEqual(outcomes, ['refused', 'refused', 'refused', 'refused']);
    await other.close();
  });

  test("a sandboxed frame the app page makes (Origin: null) with the page's token, but no frame document's id, is refused", async () => {
    const frame = await sandboxedFrame(page, 'own-sandbox');
    const token = unusedToken();
    const outcomes = [];
    for (const p of [protocols(token), protocols(token, randomBytes(24).toString('base64url')), protocols(token, token)])
      outcomes.push(await frame.evaluate(tryWebSocket, { url: socketUrl(), protocols: p }));
    assert.deepEqual(outcomes, ['refused', 'refused', 'refused']);
  });

  test('after every attempt the real frame still works, and its token was not used up by them', async () => {
    assert.equal(await page.evaluate(() => window.api.core.invoke('whoami')), 'main');
    assert.equal(
      await page.evaluate(() => window.api.core.invoke('side_effect').catch((e: { code: string }) => e.code)),
      'ISOLATION_REFUSED',
    );
    assert.equal(fromCore.filter((f) => f.startsWith('{"ft":')).length, 2, 'no attempt was accepted (each acceptance issues a new token)');
  });

  test('control: that token and a document id, sent with `Origin: null`, do open it (the refusals above were the guard)', async () => {
    const doc = await documentId();
    const outcome = await new Promise<string>((resolve) => {
      const control = new NodeWebSocket(socketUrl(), protocols(unusedToken(), doc), { origin: 'null' });
      control.on('open', () => {
        control.close();
        resolve('open');
      });
      control.on('error', () => resolve('refused'));
    });
    assert.equal(outcome, 'open');
  });
});
