// Attacks from a compromised app page under the isolation pattern. The attacker here is stronger than page script:
// a man in the middle on the page's own socket (Playwright's routeWebSocket), able to read, drop, re-send and
// alter every frame. Every attempt must be refused and logged, and nothing may execute.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { lastSealedCall, sealedFrame } from '../helpers/sealed.js';
import { poll } from '../helpers/wait.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

let browser: Browser;
let t: TestApp;
let page: Page;
let server: WebSocketRoute;
let legit = 0;
let effects = 0;
/** Frames the page sent, in order (text frames as strings, binary as Buffers). */
const sent: Array<string | Buffer> = [];

before(async () => {
  browser = await launchBrowser();
  t = await startApp(
    (b) =>
      b.invokeHandler({
        count: () => ++legit,
        side_effect: () => ++effects,
      }),
    { config: { app: { security: { pattern: { use: 'isolation', options: { dir: path.join(fixtures, 'isolation') } } } } } },
  );
  const context = await browser.newContext();
  await context.addInitScript('globalThis.__name = (f) => f');
  page = await context.newPage();
  // Both IPC sockets pass through here: the page's (to the core's port) and the isolation frame's (to the isolation
  // origin), which carries the sealed calls. Each is forwarded to its own upstream, whichever connects first;
  // `server` is the frame socket's, the one the attacks below inject into.
  await page.routeWebSocket(/\/__airlock\/ws(\?|$)/, (ws) => {
    const upstream = ws.connectToServer();
    const carriesSealedCalls = new URL(ws.url()).port !== String(t.server.port);
    if (carriesSealedCalls) server = upstream;
    ws.onMessage((m) => {
      if (carriesSealedCalls) sent.push(m);
      upstream.send(m);
    });
  });
  await page.goto(t.server.url('main'));
  await page.waitForFunction(() => typeof window.api === 'object');
});

after(async () => {
  assert.equal(effects, 0, 'no attack may execute a command');
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

/** The header and ciphertext of the last sealed call to `cmd` the page sent (each sealed frame holds one or more). */
function lastSealed(cmd: string): { header: Record<string, unknown>; body: Buffer } {
  const found = lastSealedCall(sent, cmd);
  if (found !== undefined && found.header['t'] === 's') return found;
  return assert.fail(`no sealed ${cmd} frame was sent`);
}

const refusals = (): number => t.logs.filter((l) => l.includes('isolation: refused')).length;

/** Waits (bounded) until the core has logged `n` refusals in all, then returns that count. */
async function refusedCount(n?: number): Promise<number> {
  if (n !== undefined) await poll(() => refusals() >= n);
  return refusals();
}

describe('a compromised page under isolation', () => {
  test('a legitimate call goes through sealed (the baseline for the attacks below)', async () => {
    assert.equal(await page.evaluate(() => window.api.core.invoke('count')), 1);
    const { header, body } = lastSealed('count');
    assert.equal(header['k'], 'j');
    assert.ok(body.length >= 16);
    assert.ok(!body.toString('latin1').includes('{}'), 'the args travel encrypted');
  });

  test('plaintext over the transport is refused, whether through the internals or on the socket', async () => {
    const before = await refusedCount();
    const viaInternals = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const internals = (window as unknown as { __TAURI_INTERNALS__: Record<string, (...a: unknown[]) => number> }).__TAURI_INTERNALS__;
          const callback = internals['transformCallback']?.(resolve, true) ?? 0;
          const error = internals['transformCallback']?.(resolve, true) ?? 0;
          internals['postMessage']?.({ cmd: 'side_effect', callback, error, payload: {} });
        }),
    );
    assert.equal((viaInternals as { code?: string }).code, 'ISOLATION_INVALID');
    server.send('{"t":"i","c":"side_effect","cb":1,"er":2,"a":{}}');
    assert.equal(await refusedCount(before + 2), before + 2);
  });

  test('replaying a captured sealed message is refused', async () => {
    const before = await refusedCount();
    const { header, body } = lastSealed('count');
    server.send(sealedFrame({ header, body }));
    assert.equal(await refusedCount(before + 1), before + 1);
    assert.equal(legit, 1, 'the replay did not run');
  });

  test("swapping the command name, or moving it to another webview's sequence, is refused", async () => {
    const before = await refusedCount();
    await page.evaluate(() => window.api.core.invoke('count'));
    const { header, body } = lastSealed('count');
    server.send(sealedFrame({ header: { ...header, c: 'side_effect', q: Number(header['q']) + 100 }, body }));
    server.send(sealedFrame({ header: { ...header, i: 'another-instance' }, body }));
    assert.equal(await refusedCount(before + 2), before + 2);
  });

  test('a tampered byte, an empty body or a bad nonce is refused', async () => {
    const before = await refusedCount();
    await page.evaluate(() => window.api.core.invoke('count'));
    const { header, body } = lastSealed('count');
    const tampered = Buffer.from(body);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    const next = (n: number) => ({ ...header, q: Number(header['q']) + n });
    server.send(sealedFrame({ header: next(1), body: tampered }));
    server.send(sealedFrame({ header: next(2), body: Buffer.alloc(0) }));
    server.send(sealedFrame({ header: { ...header, q: Number(header['q']) + 3, n: 'AAAA' }, body }));
    assert.equal(await refusedCount(before + 3), before + 3);
    assert.equal(legit, 3);
  });

  test('a message sealed under another key is refused', async () => {
    const before = await refusedCount();
    const forged = await page.evaluate(async () => {
      const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt']);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode('{}'));
      return { iv: btoa(String.fromCharCode(...iv)), ct: [...new Uint8Array(ct)] };
    });
    server.send(
      sealedFrame({
        header: { t: 's', c: 'side_effect', cb: 1, er: 2, i: 'forged', q: 0, n: forged.iv, k: 'j' },
        body: Buffer.from(forged.ct),
      }),
    );
    assert.equal(await refusedCount(before + 1), before + 1);
  });

  test('page script cannot get the key: fetching or framing the isolation document yields nothing readable', async () => {
    const r = await page.evaluate(async () => {
      const frame = document.getElementById('__tauri_isolation__') as HTMLIFrameElement;
      const src = frame.src;
      const fetched = await fetch(src).then(
        (res) => res.text().then((tx) => (tx.includes('key') ? 'KEY' : 'read')),
        () => 'blocked',
      );
      const opaque = await fetch(src, { mode: 'no-cors' }).then(
        (res) => res.type,
        () => 'blocked',
      );
      const own = document.createElement('iframe');
      own.src = src;
      document.body.append(own);
      await new Promise((resolve) => own.addEventListener('load', resolve));
      let readable = 'no';
      try {
        readable = own.contentDocument?.documentElement.outerHTML ?? 'no';
      } catch {
        readable = 'no';
      }
      let inIsolation = 'no';
      try {
        inIsolation = String((frame.contentWindow as unknown as { document?: Document }).document?.body);
      } catch {
        inIsolation = 'no';
      }
      return { fetched, opaque, readable, inIsolation, sameOrigin: new URL(src).origin === location.origin };
    });
    assert.ok(r.opaque === 'opaque' || r.opaque === 'blocked', `a no-cors fetch gives nothing readable (${r.opaque})`);
    assert.deepEqual(
      { ...r, opaque: undefined },
      { fetched: 'blocked', opaque: undefined, readable: 'no', inIsolation: 'no', sameOrigin: false },
    );
  });
});
