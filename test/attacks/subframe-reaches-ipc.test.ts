// Tauri's CVE-2024-35222 class: a frame inside the app page (an ad, an embed, injected markup) tries to use IPC.
// Tauri's fix makes IPC main-frame only; here the runtime gives sub-frames internals that reject, and the core
// accepts a socket only with the page's one-time ticket or current resume token, from the app's exact origin,
// for a label nobody holds. Each frame below runs its attack as its own script, and nothing may execute.
//
// Not claimed: a frame of the app's *own* origin (sandbox allow-same-origin, srcdoc, about:blank) is the same
// principal as the page — the browser lets it call `parent.__TAURI_INTERNALS__` like any page script. What it must
// not get is IPC of its own (a second socket, a label of its own).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { startApp, type TestApp, ticketFrom } from '../helpers/app.js';
import { startAttacker, type Attacker } from '../helpers/attacker.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { sentinel } from '../helpers/sentinel.js';
import { untilValue } from '../helpers/wait.js';

const s = sentinel();
let browser: Browser;
let t: TestApp;
let attacker: Attacker;
let page: Page;

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) => b.invokeHandler(s.commands).setup((app) => s.watch(app)));
  attacker = await startAttacker('<!doctype html><title>ad</title><p>an ad</p>');
  page = await openPage(browser, t.server.url('main'));
});

after(async () => {
  assert.equal(s.executed, 0, 'no sub-frame may execute a command');
  assert.equal(s.events, 0, 'no sub-frame may emit to the core');
  await browser?.close();
  await attacker?.[Symbol.asyncDispose]();
  await t?.[Symbol.asyncDispose]();
});

/** Adds an iframe to the app page and returns its Playwright frame once loaded. */
async function embed(attrs: Record<string, string>): Promise<Frame> {
  const name = `f${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ({ attrs, name }) =>
      new Promise<void>((resolve) => {
        const f = document.createElement('iframe');
        f.name = name;
        for (const [k, v] of Object.entries(attrs)) f.setAttribute(k, v);
        f.addEventListener('load', () => resolve(), { once: true });
        document.body.append(f);
      }),
    { attrs, name },
  );
  return untilValue(() => page.frame({ name }), 'the frame to load');
}

/** Script run inside a frame: every way it has to reach IPC, with what happened. */
const attempts = async (args: { ws: string; ticket: string }): Promise<Record<string, string>> => {
  const out: Record<string, string> = {};
  const w = window as unknown as Record<string, unknown>;
  const settle = (p: Promise<unknown>): Promise<string> =>
    Promise.race([
      p.then(
        (v) => `resolved ${JSON.stringify(v)}`,
        (e: unknown) => `rejected ${(e as { code?: string })?.code ?? String(e)}`,
      ),
      new Promise<string>((r) => setTimeout(() => r('no answer'), 3000)),
    ]);
  const internals = w['__TAURI_INTERNALS__'] as { invoke?: (c: string) => Promise<unknown> } | undefined;
  out['own internals'] = internals?.invoke ? await settle(internals.invoke('side_effect')) : 'absent';
  const api = w['api'] as
    | { core: { invoke: (c: string) => Promise<unknown> }; event: { emit: (e: string, p: unknown) => Promise<unknown> } }
    | undefined;
  out['official api'] = api ? await settle(api.core.invoke('side_effect')) : 'absent';
  out['official emit'] = api ? await settle(api.event.emit('attack', 1)) : 'absent';
  out['parent internals'] = (() => {
    try {
      return typeof (parent as unknown as Record<string, unknown>)['__TAURI_INTERNALS__'];
    } catch (e) {
      return `blocked ${(e as Error).name}`;
    }
  })();
  const open = (protocols: string[]): Promise<string> =>
    new Promise((resolve) => {
      const ws = new WebSocket(args.ws, protocols);
      ws.onopen = () => {
        // A refused claimant is closed once the takeover grace period (1.5 s) is over; still open well after that
        // means it got in.
        const timer = setTimeout(() => resolve('open'), 8000);
        ws.onclose = (ev) => {
          clearTimeout(timer);
          resolve(`closed ${ev.code}`);
        };
        ws.send('{"t":"i","c":"side_effect","cb":1,"er":2,"a":{}}');
      };
      ws.onerror = () => resolve('refused');
    });
  let stored: string | null = null;
  try {
    stored = sessionStorage.getItem('__airlock_session');
  } catch {
    stored = null;
  }
  const token = stored === null ? undefined : (JSON.parse(stored) as { token?: string }).token;
  out['socket, no credential'] = await open(['airlock.v1']);
  out['socket, fresh ticket'] = await open(['airlock.v1', `airlock.ticket.${args.ticket}`]);
  out['socket, page resume token'] = token === undefined ? 'no token readable' : await open(['airlock.v1', `airlock.resume.${token}`]);
  try {
    parent.postMessage({ cmd: 'side_effect', callback: 1, error: 2, payload: {} }, '*');
    parent.postMessage({ sealed: { cmd: 'side_effect', callback: 1, error: 2, ciphertext: new ArrayBuffer(32) } }, '*');
  } catch {
    // a frame that cannot post has nothing to try
  }
  return out;
};

/** A valid ticket handed to a frame of another origin shows the origin check holds even against a leaked secret. A
 *  same-origin frame holding a ticket would simply be the app, so it gets none. */
const argsFor = (leakedTicket: boolean) => ({
  ws: `ws://127.0.0.1:${t.server.port}/__airlock/ws`,
  ticket: leakedTicket ? ticketFrom(t.server.url('stolen')) : 'not-a-ticket',
});

async function mainStillWorks(): Promise<void> {
  assert.equal(await page.evaluate(() => window.api.core.invoke('whoami')), 'main');
  assert.deepEqual(t.app.webviews(), ['main']);
}

describe('a sub-frame of the app page', () => {
  test("on another origin: no internals of its own, no access to the parent's, every socket refused", async () => {
    const frame = await embed({ src: `${attacker.origin}/` });
    const r = await frame.evaluate(attempts, argsFor(true));
    assert.deepEqual(r, {
      'own internals': 'absent',
      'official api': 'absent',
      'official emit': 'absent',
      'parent internals': 'blocked SecurityError',
      'socket, no credential': 'refused',
      'socket, fresh ticket': 'refused',
      'socket, page resume token': 'no token readable',
    });
    await mainStillWorks();
  });

  test('sandboxed (allow-scripts, opaque origin) loading an app page: its scripts are refused as cross-site, Origin null too', async () => {
    const frame = await embed({ src: '/index.html', sandbox: 'allow-scripts' });
    const r = await frame.evaluate(attempts, argsFor(true));
    assert.deepEqual(r, {
      'own internals': 'absent',
      'official api': 'absent',
      'official emit': 'absent',
      'parent internals': 'blocked SecurityError',
      'socket, no credential': 'refused',
      'socket, fresh ticket': 'refused',
      'socket, page resume token': 'no token readable',
    });
    await mainStillWorks();
  });

  test('sandboxed srcdoc with an attacker script (opaque origin): nothing to call, every socket refused', async () => {
    const frame = await embed({ srcdoc: '<p>user content</p>', sandbox: 'allow-scripts' });
    const r = await frame.evaluate(attempts, argsFor(true));
    assert.deepEqual(r, {
      'own internals': 'absent',
      'official api': 'absent',
      'official emit': 'absent',
      'parent internals': 'blocked SecurityError',
      'socket, no credential': 'refused',
      'socket, fresh ticket': 'refused',
      'socket, page resume token': 'no token readable',
    });
    await mainStillWorks();
  });

  test("on the app's own origin: its internals reject, and even the page's resume token cannot open a second socket", async () => {
    const frame = await embed({ src: '/index.html' });
    await frame.waitForFunction(() => typeof (window as unknown as { api?: unknown }).api === 'object');
    const r = await frame.evaluate(attempts, argsFor(false));
    assert.deepEqual(r, {
      'own internals': 'rejected FORBIDDEN',
      'official api': 'rejected FORBIDDEN',
      'official emit': 'rejected FORBIDDEN',
      'parent internals': 'object',
      'socket, no credential': 'refused',
      'socket, fresh ticket': 'refused',
      // The label is held by the page: the core waits for it to go, then closes with 4009 (label in use).
      'socket, page resume token': 'closed 4009',
    });
    await mainStillWorks();
    // The page's own session survived the attempt: a reload resumes it as `main`.
    await page.reload();
    await page.waitForFunction(() => typeof window.api === 'object');
    await mainStillWorks();
  });

  test('srcdoc without sandbox (same origin, no runtime): no internals of its own, no second socket', async () => {
    const frame = await embed({ srcdoc: '<p>same-origin content</p>' });
    const r = await frame.evaluate(attempts, argsFor(false));
    assert.equal(r['own internals'], 'absent');
    assert.equal(r['socket, no credential'], 'refused');
    assert.equal(r['socket, page resume token'], 'closed 4009');
    await mainStillWorks();
  });
});
