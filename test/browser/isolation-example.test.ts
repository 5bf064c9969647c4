// The classic isolation hooks of examples/isolation, in Tauri v2's message shape, against the real example app.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import type { App, Server } from 'airlock';
// @ts-expect-error: the example is plain JavaScript
import { createApp } from '../../examples/isolation/app.mjs';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { testFrontend } from '../helpers/frontend.js';

let browser: Browser;
let app: App;
let server: Server;
let page: Page;
let frame: Frame;

before(async () => {
  browser = await launchBrowser();
  app = (await createApp({ dryRun: true, frontendDist: await testFrontend() })) as App;
  server = await app.serve();
  page = await openPage(browser, server.url('main'));
  await page.evaluate(() => window.api.core.invoke('greet', { name: 'warm-up' }));
  const f = page.frames().find((x) => x !== page.mainFrame());
  assert.ok(f);
  frame = f;
});

after(async () => {
  await browser?.close();
  await app?.close();
});

const call = (cmd: string, args?: Record<string, unknown>) =>
  page.evaluate(
    ([c, a]) =>
      window.api.core
        .invoke(c as string, a as Record<string, unknown>)
        .catch((e: { code?: string; message?: string }) => `refused: ${e.code}`),
    [cmd, args] as const,
  );

describe('examples/isolation', () => {
  test('an allow-list: listed commands pass, others are refused', async () => {
    assert.equal(await call('greet', { name: 'Ada' }), 'Hello, Ada!');
    assert.equal(await call('secret_admin'), 'refused: ISOLATION_REFUSED');
  });

  test('file reads outside the allowed directory are blocked', async () => {
    assert.equal(await call('read_file', { path: 'notes/hello.txt' }), 'Isolation keeps this readable.\n');
    assert.equal(await call('read_file', { path: 'secret.txt' }), 'refused: ISOLATION_REFUSED');
    assert.equal(await call('read_file', { path: 'notes/../secret.txt' }), 'refused: ISOLATION_REFUSED');
    assert.equal(await call('read_file', { path: '/etc/passwd' }), 'refused: ISOLATION_REFUSED');
  });

  test('a delete asks confirm() first (stubbed in the frame)', async () => {
    await frame.evaluate(() => {
      window.confirm = () => true;
    });
    assert.equal(await call('delete_file', { path: 'notes/hello.txt' }), 'would delete notes/hello.txt');
    await frame.evaluate(() => {
      window.confirm = () => false;
    });
    assert.equal(await call('delete_file', { path: 'notes/hello.txt' }), 'refused: ISOLATION_REFUSED');
  });

  test('every call is logged by the hook', async () => {
    const log = await frame.evaluate(() => (window as unknown as { policy: { log: { cmd: string }[] } }).policy.log.map((e) => e.cmd));
    for (const cmd of ['greet', 'secret_admin', 'read_file', 'delete_file']) assert.ok(log.includes(cmd), cmd);
  });
});
