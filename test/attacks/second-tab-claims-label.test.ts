// A second page claims a label a live page holds: a tab the app page opened (it inherits the page's sessionStorage,
// resume token included), a tab handed a stolen copy of the current token, and a local process that floods the
// socket while the core decides. The live page keeps its label and its session, and nothing the claimant sends runs.
// (Reusing the one-time launch URL in a second tab is covered by test/browser/lifecycle.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { encodeCall } from '../../src/protocol/page.ts';
import { startApp, type TestApp, socketUrl } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { sentinel } from '../helpers/sentinel.js';

const s = sentinel();
let browser: Browser;
let t: TestApp;
let page: Page;

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) => b.invokeHandler(s.commands).setup((app) => s.watch(app)));
  page = await openPage(browser, t.server.url('main'));
});

after(async () => {
  assert.equal(s.executed, 0, 'no claimant may execute a command');
  assert.equal(s.events, 0);
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

const currentToken = (p: Page): Promise<string> =>
  p.evaluate(() => (JSON.parse(sessionStorage.getItem('__airlock_session') ?? '{}') as { token?: string }).token ?? '');

/** What the claimant page gets when it tries to act as `main`. */
const claim = (): Promise<unknown> =>
  Promise.all([
    window.api.core.invoke('side_effect').then(
      () => 'executed',
      (e: { code?: string; message?: string }) => `${e.code}: ${e.message}`,
    ),
    window.api.event.emit('attack', 1).then(
      () => 'emitted',
      (e: { code?: string }) => String(e.code),
    ),
  ]);

async function mainKeepsItsSession(): Promise<void> {
  assert.equal(await page.evaluate(() => window.api.core.invoke('whoami')), 'main');
  assert.deepEqual(t.app.webviews(), ['main']);
  await page.reload();
  await page.waitForFunction(() => typeof window.api === 'object');
  assert.equal(await page.evaluate(() => window.api.core.invoke('whoami')), 'main', 'the page still resumes its session');
}

describe('a second page claiming a live label', () => {
  test('a tab opened by the app page (inheriting its resume token) is refused while the page lives', async () => {
    const token = await currentToken(page);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.evaluate(() => void window.open('/index.html', '_blank'))]);
    await popup.waitForFunction(() => typeof (window as unknown as { api?: unknown }).api === 'object');
    assert.equal(await currentToken(popup), token, 'the popup did inherit the token (the attack is real)');
    const [invoked, emitted] = (await popup.evaluate(claim)) as [string, string];
    assert.match(invoked, /^DISCONNECTED: .*4009.*already connected/);
    assert.equal(emitted, 'DISCONNECTED');
    await popup.close();
    await mainKeepsItsSession();
  });

  test('another browser profile handed a stolen copy of the current token is refused while the page lives', async () => {
    const token = await currentToken(page);
    const context = await browser.newContext();
    await context.addInitScript('globalThis.__name = (f) => f');
    await context.addInitScript(
      `sessionStorage.setItem('__airlock_session', ${JSON.stringify(JSON.stringify({ label: 'main', window: 'main', token }))})`,
    );
    const thief = await context.newPage();
    await thief.goto(`${t.server.origin}/index.html`);
    await thief.waitForFunction(() => typeof (window as unknown as { api?: unknown }).api === 'object');
    const [invoked] = (await thief.evaluate(claim)) as [string, string];
    assert.match(invoked, /^DISCONNECTED: .*4009/);
    await context.close();
    await mainKeepsItsSession();
  });

  test('a local process with the token that floods while the core holds its upgrade is not read into memory', async (tc) => {
    const token = await currentToken(page);
    const ws = new WebSocket(socketUrl(t.server), ['airlock.v1', `airlock.resume.${token}`], {
      headers: { origin: t.server.origin },
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    // 1 MiB call frames, as fast as the kernel takes them, for one second.
    const frame = encodeCall.invoke({ cmd: 'side_effect', callback: 1, error: 2 }, JSON.stringify('x'.repeat(1024 * 1024)));
    let written = 0;
    const end = Date.now() + 1000;
    while (Date.now() < end && ws.readyState === ws.OPEN) {
      while (ws.bufferedAmount < 4 * 1024 * 1024)
        ws.send(frame, (e) => {
          if (e === undefined || e === null) written += frame.length;
        });
      await new Promise((r) => setTimeout(r, 2));
    }
    const mib = written / 1024 / 1024;
    tc.diagnostic(`the kernel took ${mib.toFixed(1)} MiB before the core decided`);
    // Loopback socket buffers hold a few MiB; a core that read the socket meanwhile took 50+ in this second.
    assert.ok(mib < 16, `the core read ${mib.toFixed(0)} MiB from a socket it had not accepted yet`);
    assert.equal(await closed, 4009);
    await mainKeepsItsSession();
  });
});
