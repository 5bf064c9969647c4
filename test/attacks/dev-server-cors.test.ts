// Security finding #14: in `airlock dev`, the template's Vite server answered other local origins with matching CORS
// headers (Vite's default allows every localhost port), so any local web page could read the app's sources straight
// from Vite, around the core. The template now turns Vite's CORS off (the core proxies Vite as its own origin and
// needs none), and `airlock dev` warns when a project's dev server still lets other origins read it.
// The attacker is a page of another loopback origin in Chromium; Vite runs with the template's own vite.config.ts.
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { startAttacker, type Attacker } from '../helpers/attacker.js';
import { launchBrowser } from '../helpers/browser.js';
import { REPO } from '../cli/helpers.js';
import { readableByOtherOrigins } from '../../src/cli/dev-server.ts';

const TEMPLATE = path.join(REPO, 'templates', 'vanilla-ts');

let browser: Browser;
let attacker: Attacker;
let vite: ViteDevServer;
let viteUrl = '';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

before(async () => {
  browser = await launchBrowser();
  attacker = await startAttacker('<!doctype html><title>some local page</title>');
  // The template's config, on a free port instead of its fixed 1420.
  const port = await freePort();
  vite = await createServer({
    configFile: path.join(TEMPLATE, 'vite.config.ts'),
    root: TEMPLATE,
    logLevel: 'silent',
    server: { port, strictPort: true, host: '127.0.0.1' },
  });
  await vite.listen();
  viteUrl = `http://127.0.0.1:${port}`;
});

after(async () => {
  await browser?.close();
  await vite?.close();
  await attacker?.[Symbol.asyncDispose]();
});

describe("the template's dev server and other local origins (#14)", () => {
  test("a page of another local origin cannot read the app's sources from Vite", async () => {
    const context = await browser.newContext();
    await context.addInitScript('globalThis.__name = (f) => f');
    const page = await context.newPage();
    await page.goto(attacker.origin);
    const r = await page.evaluate(async (base) => {
      const read = (p: string) =>
        fetch(base + p).then(
          async (res) => `read ${res.status} ${(await res.text()).length} chars`,
          () => 'refused',
        );
      return { source: await read('/src/styles.css'), index: await read('/') };
    }, viteUrl);
    assert.deepEqual(r, { source: 'refused', index: 'refused' });
    // The source is there (a same-origin or non-browser client gets it): the refusal is the browser's CORS check.
    // (A stylesheet, not main.ts: Vite can only transform main.ts inside a project whose packages are installed.)
    const direct = await fetch(`${viteUrl}/src/styles.css`);
    assert.equal(direct.status, 200);
    assert.equal(direct.headers.get('access-control-allow-origin'), null);
    await page.context().close();
  });

  test('the check airlock dev runs finds nothing to warn about on the template', async () => {
    assert.equal(await readableByOtherOrigins(`${viteUrl}/`), false);
  });
});
