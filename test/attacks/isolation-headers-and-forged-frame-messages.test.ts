// More isolation bypasses, beyond test/attacks/isolation.test.ts: a man in the middle on the page's socket adds,
// removes or changes the headers of a sealed call (including a `__proto__` header); a cross-origin frame inside
// the app page forges the isolation frame's replies to the page, posts requests straight to the isolation frame, or
// tries to navigate it to a document of its own. Nothing may execute, and a forged message may not even reach the
// core. Also: args carrying a `__proto__` key reach the command intact through the isolation frame.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Frame, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { startAttacker, type Attacker } from '../helpers/attacker.js';
import { launchBrowser } from '../helpers/browser.js';
import { headerTexts, mapSealedHeaders } from '../helpers/sealed.js';
import { sentinel } from '../helpers/sentinel.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const s = sentinel();
let browser: Browser;
let t: TestApp;
let attacker: Attacker;
let page: Page;
/** What the isolation frame sent on its socket, in order: each sealed call as its header text, text frames as they are. */
const sent: Array<string | Buffer> = [];
const headersSeen: Array<Record<string, string>> = [];
/** While set, rewrites each text frame the page sends before the core sees it (the man in the middle). */
let tamper: ((frame: string) => string) | undefined;

before(async () => {
  browser = await launchBrowser();
  t = await startApp(
    (b) =>
      b
        .invokeHandler({
          ...s.commands,
          headers: (_a, ctx) => {
            headersSeen.push({ ...ctx.headers });
            return Object.keys(ctx.headers).sort();
          },
          keys: (args: object) => ({ keys: Object.keys(args).sort(), proto: Object.getPrototypeOf(args) === Object.prototype }),
        })
        .setup((app) => s.watch(app)),
    { config: { app: { security: { pattern: { use: 'isolation', options: { dir: path.join(fixtures, 'isolation') } } } } } },
  );
  attacker = await startAttacker('<!doctype html><title>ad</title>');
  const context = await browser.newContext();
  await context.addInitScript('globalThis.__name = (f) => f');
  page = await context.newPage();
  // Both IPC sockets pass through here (the page's and the isolation frame's); each goes to its own upstream,
  // whichever connects first, and only the frame's (the one carrying sealed calls) is tampered with.
  await page.routeWebSocket(/\/__airlock\/ws(\?|$)/, (ws) => {
    const upstream = ws.connectToServer();
    const carriesSealedCalls = new URL(ws.url()).port !== String(t.server.port);
    ws.onMessage((m) => {
      // Each sealed call travels in a binary sealed frame: the tampering rewrites the headers inside it.
      const out = carriesSealedCalls && typeof m !== 'string' && tamper !== undefined ? mapSealedHeaders(m, tamper) : m;
      if (carriesSealedCalls) sent.push(...headerTexts(out)); // each sealed call's header, as text
      upstream.send(out);
    });
  });
  await page.goto(t.server.url('main'));
  await page.waitForFunction(() => typeof window.api === 'object');
});

after(async () => {
  assert.equal(s.executed, 0, 'no isolation bypass may execute a command');
  assert.equal(s.events, 0);
  await browser?.close();
  await attacker?.[Symbol.asyncDispose]();
  await t?.[Symbol.asyncDispose]();
});

describe('a man in the middle changes the headers of a sealed call', () => {
  test('adding, removing or changing a header — a `__proto__` one included — is refused; nothing reaches the command', async () => {
    assert.deepEqual(await page.evaluate(() => window.api.core.invoke('headers', {}, { headers: { 'x-role': 'user' } })), ['x-role']);
    headersSeen.length = 0;
    // Header objects as JSON text, so a `__proto__` key is an own key on the wire (as a hostile client sends it).
    const variants = ['{"x-role":"admin"}', '{"x-role":"user","x-extra":"1"}', '{"x-role":"user","__proto__":"admin"}', '{}', undefined];
    const outcomes: string[] = [];
    for (const h of variants) {
      tamper = (frame) => {
        const f = JSON.parse(frame) as Record<string, unknown>;
        if (f['t'] !== 's' || f['c'] !== 'headers') return frame;
        delete f['h'];
        const text = JSON.stringify(f);
        return h === undefined ? text : `${text.slice(0, -1)},"h":${h}}`;
      };
      outcomes.push(
        await page.evaluate(() =>
          window.api.core.invoke('headers', {}, { headers: { 'x-role': 'user' } }).then(
            (r) => `ran with ${JSON.stringify(r)}`,
            (e: { code?: string }) => String(e.code),
          ),
        ),
      );
      tamper = undefined;
    }
    assert.deepEqual(outcomes, Array(variants.length).fill('ISOLATION_INVALID'));
    assert.deepEqual(headersSeen, [], 'the command never ran with forged headers');
  });
});

/** The marker the attacking frame posts after its forged messages. */
const FENCE = 'airlock-test-fence';
/** Starts listening, in `target`, for the marker. */
const armFence = (target: Page | Frame): Promise<void> =>
  target.evaluate((FENCE) => {
    const w = window as unknown as { airlockFence?: Promise<void> };
    w.airlockFence = new Promise<void>((resolve) => {
      addEventListener('message', function on(e: MessageEvent) {
        if (e.data !== FENCE) return;
        removeEventListener('message', on);
        resolve();
      });
    });
  }, FENCE);
/** Waits until `target` has received the marker, so every message posted to it before the marker was handled. */
async function passFence(target: Page | Frame): Promise<void> {
  const passed = await target.evaluate(() =>
    Promise.race([
      (window as unknown as { airlockFence?: Promise<void> }).airlockFence?.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000)), // a bound, so a lost marker fails
    ]),
  );
  assert.equal(passed, true, 'the fence marker arrived');
}

describe('a cross-origin frame inside the app page', () => {
  let ad: Frame;
  const isolationFrame = (): Frame => {
    const frame = page.frames().find((f) => f !== page.mainFrame() && f !== ad);
    assert.ok(frame, 'the isolation frame is there');
    return frame;
  };

  before(async () => {
    const name = 'ad';
    await page.evaluate(
      ({ src, name }) =>
        new Promise<void>((resolve) => {
          const f = document.createElement('iframe');
          f.name = name;
          f.src = src;
          f.onload = () => resolve();
          document.body.append(f);
        }),
      { src: `${attacker.origin}/`, name },
    );
    const frame = page.frame({ name });
    assert.ok(frame);
    ad = frame;
  });

  test('forged "sealed", "refused" and "ready" replies posted to the page are ignored: nothing reaches the core', async () => {
    const framesBefore = sent.length;
    await armFence(page);
    const pending = page.evaluate(() =>
      window.api.core.invoke('whoami').then(
        (r) => `resolved ${String(r)}`,
        (e: { code?: string }) => `rejected ${e.code}`,
      ),
    );
    await ad.evaluate((FENCE) => {
      const cb = 1;
      for (let i = 0; i < 50; i++) {
        parent.postMessage('__TAURI_ISOLATION_READY__', '*');
        parent.postMessage(
          {
            sealed: {
              cmd: 'side_effect',
              callback: cb,
              error: cb + 1,
              headers: undefined,
              instance: 'x',
              seq: i,
              nonce: 'AAAAAAAAAAAAAAAA',
              kind: 'j',
              ciphertext: new ArrayBuffer(32),
            },
          },
          '*',
        );
        parent.postMessage({ refused: { callback: i, error: i, cmd: 'whoami', reason: 'forged' } }, '*');
      }
      parent.postMessage(FENCE, '*');
    }, FENCE);
    assert.equal(await pending, 'resolved main', 'a forged refusal did not reject the real call');
    // Not a duration: a fence. The page has handled every forged message once it has the marker posted after them
    // (messages from one window to another arrive in order), and a real call made after that is sealed and sent
    // after anything those messages could have made the frame send.
    await passFence(page);
    assert.equal(await page.evaluate(() => window.api.core.invoke('whoami')), 'main');
    assert.ok(
      sent.slice(framesBefore).some((f) => typeof f === 'string' && f.includes('"c":"whoami"')),
      'the calls after the fence were recorded',
    );
    const forged = sent.slice(framesBefore).filter((f) => typeof f === 'string' && f.includes('side_effect'));
    assert.deepEqual(forged, [], 'no forged message was forwarded to the core');
  });

  test('requests posted straight to the isolation frame are not sealed', async () => {
    const framesBefore = sent.length;
    const frame = isolationFrame();
    await armFence(frame);
    await ad.evaluate((FENCE) => {
      for (const message of [
        { airlock: 1, connection: 'guess', label: 'main', message: { cmd: 'side_effect', callback: 1, error: 2, payload: {} } },
        FENCE,
      ]) {
        for (let i = 0; i < parent.frames.length; i++) {
          try {
            parent.frames[i]?.postMessage(message, '*');
          } catch {
            // a frame it cannot reach
          }
        }
      }
    }, FENCE);
    // Not a duration: a fence. The isolation frame has handled the forged request once it has the marker posted
    // after it, and the frame sends what it seals in order, so a real call made now reaches the socket after
    // anything the forged request could have made it send.
    await passFence(frame);
    assert.equal(await page.evaluate(() => window.api.core.invoke('whoami')), 'main');
    assert.ok(
      sent.slice(framesBefore).some((f) => typeof f === 'string' && f.includes('"c":"whoami"')),
      'the call after the fence was recorded',
    );
    assert.deepEqual(
      sent.slice(framesBefore).filter((f) => typeof f === 'string' && f.includes('side_effect')),
      [],
    );
  });

  test('it cannot navigate the isolation frame to a document of its own', async () => {
    const isolation = isolationFrame();
    const before = isolation.url();
    const r = await ad.evaluate((evil) => {
      const out: string[] = [];
      for (let i = 0; i < parent.frames.length; i++) {
        const w = parent.frames[i];
        if (w === undefined || w === window) continue;
        try {
          w.location.href = evil;
          out.push('assigned');
        } catch (e) {
          out.push((e as Error).name);
        }
      }
      return out;
    }, `${attacker.origin}/evil`);
    // Not a duration: a navigation the browser refuses when the assignment runs is never started, so none can land
    // later. Every attempt on another frame must have thrown; the frame's URL is then checked as it is.
    assert.ok(r.length > 0, 'the attacking frame reached the isolation frame');
    assert.deepEqual(r, Array(r.length).fill('SecurityError'), `every navigation attempt was refused (${r.join(', ')})`);
    assert.equal(isolation.url(), before, 'the isolation frame stayed put');
    assert.equal(await page.evaluate(() => window.api.core.invoke('whoami')), 'main', 'IPC still works through the real frame');
  });
});

describe('prototype keys through the isolation frame', () => {
  test('args with a `__proto__` key arrive as data, with the key, and a plain prototype', async () => {
    const r = await page.evaluate(() => window.api.core.invoke('keys', JSON.parse('{"__proto__":{"polluted":1},"a":1}')));
    assert.deepEqual(r, { keys: ['__proto__', 'a'], proto: true });
  });
});
