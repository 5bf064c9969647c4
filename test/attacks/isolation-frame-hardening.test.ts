// Issue 10's findings on the isolation frame, each attempted as the attacker would, in real Chromium where a
// browser is the attacker:
//   #3  script in the page floods the isolation frame before the app's (late, ES-module) hook is set; a hook that
//       fails to load must fail closed instead of leaving calls unjudged or hanging;
//   #4  a local process fetches the frame document — sending whatever headers it likes — and uses its key;
//   #9  a `Map` argument: the hook must judge exactly what the core will get;
//   #13 another site (a page, or a sandboxed iframe: `Origin: null`) reads the hook's source cross-origin, and a
//       percent-encoded path serves the isolation app's raw index page.
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { associatedData } from '../../src/protocol/isolation.ts';
import { startApp, type TestApp } from '../helpers/app.js';
import { type Attacker, startAttacker } from '../helpers/attacker.js';
import { launchBrowser } from '../helpers/browser.js';
import { sentinel } from '../helpers/sentinel.js';
import { untilValue } from '../helpers/wait.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const isolation = (dir: string) => ({
  config: { app: { security: { pattern: { use: 'isolation', options: { dir: path.join(fixtures, dir) } } } } },
});
const s = sentinel();
let browser: Browser;
let attacker: Attacker;

before(async () => {
  browser = await launchBrowser();
  attacker = await startAttacker('<!doctype html><title>another site</title>');
});

after(async () => {
  assert.equal(s.executed, 0, 'no attack ran the blocked command');
  await browser?.close();
  await attacker?.[Symbol.asyncDispose]();
});

interface Watched {
  page: Page;
  /** The page's socket, core side: a man in the middle can send on it. */
  core(): WebSocketRoute;
  /** The page's connection id, from the core's hello. */
  connection(): Promise<string>;
}

/** Opens the app's page with its own socket watched (frames from the core are recorded). */
async function open(t: TestApp, waitUntil: 'load' | 'domcontentloaded' = 'load'): Promise<Watched> {
  const context = await browser.newContext();
  await context.addInitScript('globalThis.__name = (f) => f');
  const page = await context.newPage();
  const fromCore: string[] = [];
  let core: WebSocketRoute | undefined;
  await page.routeWebSocket(/\/__airlock\/ws(\?|$)/, (ws) => {
    const server = ws.connectToServer();
    if (new URL(ws.url()).port === String(t.server.port)) core = server;
    server.onMessage((m) => {
      if (typeof m === 'string') fromCore.push(m);
      ws.send(m);
    });
    ws.onMessage((m) => server.send(m));
  });
  await page.goto(t.server.url('main'), { waitUntil });
  return {
    page,
    core: () => core as WebSocketRoute,
    async connection() {
      const hello = await untilValue(() => fromCore.find((f) => f.startsWith('{"hello":')), 'the hello from the core');
      return (JSON.parse(hello) as { hello: { conn: string } }).hello.conn;
    },
  };
}

const isolationOrigin = async (page: Page): Promise<string> =>
  new URL(
    await untilValue(
      () => page.evaluate(() => (document.getElementById('__tauri_isolation__') as HTMLIFrameElement | null)?.src),
      'the isolation frame element',
    ),
  ).origin;

describe('#3 the isolation hook cannot be raced, and fails closed', () => {
  test('calls posted to the frame before a late ES-module hook is set wait for it, and the hook blocks them', async () => {
    await using t = await startApp((b) => b.invokeHandler(s.commands), isolation('isolation-late'));
    const w = await open(t, 'domcontentloaded');
    const connection = await w.connection();
    // Page script floods the frame from the moment it exists, in this version's message shape and the previous one's.
    await w.page.evaluate(
      ({ connection }) =>
        new Promise<void>((resolve) => {
          let n = 0;
          const flood = (): void => {
            const frame = (document.getElementById('__tauri_isolation__') as HTMLIFrameElement | null)?.contentWindow;
            for (let i = 0; frame && i < 5; i++, n++) {
              const callback = 4_000_000 + 2 * n;
              frame.postMessage({ airlock: 1, cmd: 'side_effect', callback, error: callback + 1, json: '{}' }, '*');
              frame.postMessage(
                { airlock: 1, connection, label: 'main', message: { cmd: 'side_effect', callback, error: callback + 1, payload: {} } },
                '*',
              );
            }
            if (n < 400) setTimeout(flood, 5);
            else resolve();
          };
          flood();
        }),
      { connection },
    );
    // Everything posted above is handled before this call, which goes through the same frame once it is ready.
    assert.equal(await w.page.evaluate(() => window.api.core.invoke('ping')), 'pong');
    assert.equal(s.executed, 0, 'no call was sealed before the hook could judge it');
    await w.page.context().close();
  });

  test('a hook that fails to load fails closed: calls reject at once, naming the cause, and nothing runs', async () => {
    await using t = await startApp((b) => b.invokeHandler(s.commands), isolation('isolation-broken'));
    const w = await open(t);
    const outcome = await w.page.evaluate(() =>
      Promise.race([
        Promise.all(
          ['ping', 'side_effect'].map((c) =>
            window.api.core.invoke(c).then(
              () => 'ran',
              (e: { code: string; message: string }) => `${e.code}: ${e.message}`,
            ),
          ),
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000)),
      ]),
    );
    assert.ok(Array.isArray(outcome), String(outcome));
    for (const o of outcome) assert.match(String(o), /^ISOLATION_REFUSED: .*the isolation hook failed to load/);
    await w.page.context().close();
  });
});

describe('#4 the frame document and its key are bound to the page that loaded them', () => {
  test("a local process that fetches the frame document (any headers) gets a key that opens nothing on the page's connection", async () => {
    await using t = await startApp((b) => b.invokeHandler(s.commands), isolation('isolation-strict'));
    const w = await open(t);
    await w.page.waitForFunction(() => typeof window.api === 'object');
    assert.equal(await w.page.evaluate(() => window.api.core.invoke('ping')), 'pong');
    const connection = await w.connection();
    const html = await (await fetch(`${await isolationOrigin(w.page)}/`, { headers: { 'sec-fetch-dest': 'iframe' } })).text();
    const key = Buffer.from(JSON.parse(/"key":(\[[\d,]+\])/.exec(html)?.[1] ?? '[]') as number[]);
    assert.equal(key.length, 32, 'the document a local process fetched carries a key');
    // Seal a call the hook blocks with that key, bound to the page's webview and connection, and inject it on the
    // page's socket as a man in the middle would.
    for (let q = 0; q < 3; q++) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(
        Buffer.from(
          associatedData({ label: 'main', connection, instance: 'local', seq: q, kind: 'j', command: 'side_effect', headers: undefined }),
        ),
      );
      const ct = Buffer.concat([cipher.update('{}'), cipher.final(), cipher.getAuthTag()]);
      w.core().send(
        JSON.stringify({ t: 's', c: 'side_effect', cb: 90 + 2 * q, er: 91 + 2 * q, i: 'local', q, n: iv.toString('base64'), k: 'j' }),
      );
      w.core().send(ct);
    }
    assert.equal(await w.page.evaluate(() => window.api.core.invoke('ping')), 'pong', 'the page still works');
    assert.equal(s.executed, 0, 'nothing sealed with that key ran');
    await w.page.context().close();
  });
});

describe('#9 the hook judges exactly what the core gets', () => {
  test('a Map argument reaches the hook as the object the core receives', async () => {
    await using t = await startApp(
      (b) => b.invokeHandler({ ...s.commands, echo_args: (args: unknown) => args }),
      isolation('isolation-strict'),
    );
    const w = await open(t);
    await w.page.waitForFunction(() => typeof window.api === 'object');
    const got = await w.page.evaluate(() =>
      window.api.core.invoke('echo_args', { m: new Map([['a', 1]]), nested: { deeper: new Map([['b', [1, 2]]]) } }),
    );
    assert.deepEqual(got, { m: { a: 1 }, nested: { deeper: { b: [1, 2] } } });
    const frame = w.page.frames().find((f) => f !== w.page.mainFrame());
    assert.ok(frame);
    const judged = await frame.evaluate(() =>
      (window as unknown as { judged: Array<{ cmd: string; map: boolean; json: string }> }).judged.find((j) => j.cmd === 'echo_args'),
    );
    assert.deepEqual(judged, { cmd: 'echo_args', map: false, json: JSON.stringify(got) });
    await w.page.context().close();
  });
});

describe('#13 the isolation origin gives nothing to other sites', () => {
  let t: TestApp;
  let origin = '';

  before(async () => {
    t = await startApp((b) => b.invokeHandler(s.commands), isolation('isolation-strict'));
    const w = await open(t);
    origin = await isolationOrigin(w.page);
    await w.page.context().close();
  });

  after(() => t?.[Symbol.asyncDispose]());

  const read = (url: string): Promise<string> =>
    fetch(url).then(
      (r) => r.text().then((text) => (r.ok && text.includes('__TAURI_ISOLATION_HOOK__') ? 'read the hook' : `not readable (${r.status})`)),
      () => 'blocked',
    );

  test("a page of another site cannot read the hook's source", async () => {
    const other = await browser.newPage();
    await other.goto(`${attacker.origin}/`);
    assert.equal(await other.evaluate(read, `${origin}/hook.js`), 'blocked');
    await other.close();
  });

  test("another site's sandboxed iframe (Origin: null, like the isolation frame's) cannot read it either", async () => {
    const other = await browser.newPage();
    await other.goto(`${attacker.origin}/`);
    await other.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const f = document.createElement('iframe');
          f.setAttribute('sandbox', 'allow-scripts');
          f.srcdoc = '<!doctype html><title>sandboxed</title>';
          f.onload = () => resolve();
          document.body.append(f);
        }),
    );
    const frame = other.frames().find((f) => f !== other.mainFrame());
    assert.ok(frame);
    assert.equal(await frame.evaluate(() => origin), 'null');
    assert.equal(await frame.evaluate(read, `${origin}/hook.js`), 'blocked');
    await other.close();
  });

  test('no percent-encoded path serves the raw index page, and no response allows every origin', async () => {
    for (const p of ['/index.htm%6C', '/%69ndex.html', '/index%2Ehtml', '/./index.htm%6c', '/hook.js', '/index.html/']) {
      const r = await fetch(`${origin}${p}`, { headers: { origin: attacker.origin } });
      const body = await r.text();
      assert.ok(!body.includes('<script src="./hook.js">'), `${p} served the raw index page`);
      assert.notEqual(r.headers.get('access-control-allow-origin'), '*', `${p} allows every origin`);
    }
  });
});
