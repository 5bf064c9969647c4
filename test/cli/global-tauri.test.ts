// `app.withGlobalTauri`: a project in the shape of create-tauri-app's vanilla template (no bundler; a module script
// that takes `invoke` from `window.__TAURI__.core` and calls it at load) greets through `airlock run`, and
// `window.__TAURI__` holds every module of the official API as a plain object plugins can extend.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { makeProject, printedUrls, removeProject, startCli } from './helpers.js';

let browser: Browser;
let project: string;

before(async () => {
  browser = await launchBrowser();
  project = await makeProject('global-tauri');
});

after(async () => {
  await browser?.close();
  if (project !== undefined) removeProject(project);
});

const GREETED = "You've been greeted from TypeScript!";

describe('window.__TAURI__ (app.withGlobalTauri)', () => {
  test('the vanilla template greets through airlock run, at load and from the form', async () => {
    await using cli = startCli(['run', project, '--no-window']);
    const { main } = await printedUrls(cli);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(main ?? '');
      await page.waitForFunction(() => document.querySelector('#at-load')?.textContent !== '');
      assert.equal(await page.textContent('#at-load'), `Hello, at load! ${GREETED}`);
      await page.fill('#greet-input', 'Ada');
      await page.click('button[type=submit]');
      await page.waitForFunction(() => document.querySelector('#greet-msg')?.textContent !== '');
      assert.equal(await page.textContent('#greet-msg'), `Hello, Ada! ${GREETED}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('every module of the official API is there, as an extensible object; without the flag there is none', async () => {
    const modules = ['app', 'core', 'dpi', 'event', 'image', 'menu', 'mocks', 'path', 'tray', 'webview', 'webviewWindow', 'window'];
    const inspect = () => {
      const g = (window as unknown as { __TAURI__?: Record<string, Record<string, unknown>> }).__TAURI__;
      if (g === undefined) return undefined;
      Object.defineProperty(g, 'myplugin', { value: { ok: true } });
      return {
        keys: Object.keys(g).sort(),
        extended: (g['myplugin'] as { ok?: boolean } | undefined)?.ok === true,
        invoke: typeof g['core']?.['invoke'],
        channel: typeof g['core']?.['Channel'],
        listen: typeof g['event']?.['listen'],
        current: typeof g['window']?.['getCurrentWindow'],
        sameInternals: typeof (window as unknown as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__ === 'object',
      };
    };
    await using on = await startApp((b) => b, { config: { app: { withGlobalTauri: true } } });
    await using off = await startApp((b) => b);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(on.server.url('main'));
      assert.deepEqual(await page.evaluate(inspect), {
        keys: modules,
        extended: true,
        invoke: 'function',
        channel: 'function',
        listen: 'function',
        current: 'function',
        sameInternals: true,
      });
      await page.goto(off.server.url('main'));
      assert.equal(await page.evaluate(inspect), undefined);
    } finally {
      await context.close();
    }
  });
});
