// The asset protocol (`convertFileSrc`) and custom URI-scheme protocols, in Chromium: files in
// `app.security.assetProtocol.scope` are served with their content type and Range support from an origin of their
// own, behind a per-launch secret the page only learns over its IPC socket; anything outside the scope, `..`
// tricks, requests without the secret, from another site or with another Host are refused; a document served
// from there runs no script.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==', 'base64');

let browser: Browser;
let root: string;
let t: TestApp;
let off: TestApp;
let page: Page;
const seen: string[] = [];

before(async () => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'airlock-assets-')));
  mkdirSync(path.join(root, 'media', 'sub'), { recursive: true });
  mkdirSync(path.join(root, 'private'));
  writeFileSync(path.join(root, 'media', 'pixel.png'), PNG);
  writeFileSync(path.join(root, 'media', 'sub', 'clip.txt'), 'abcdefghijklmnopqrstuvwxyz');
  writeFileSync(path.join(root, 'media', 'page.html'), '<script>parent.postMessage("asset document ran a script", "*")</script>');
  writeFileSync(path.join(root, 'media', 'name with spaces & #hash.txt'), 'spaces');
  writeFileSync(path.join(root, 'private', 'secret.txt'), 'secret');
  browser = await launchBrowser();
  t = await startApp(
    (b) =>
      b.registerUriSchemeProtocol('thumb', (request) => {
        seen.push(request.url);
        return new Response(`thumb of ${new URL(request.url).pathname}`, { headers: { 'content-type': 'text/plain' } });
      }),
    {
      config: {
        app: { security: { assetProtocol: { enable: true, scope: { allow: [`${root}/media/**`], deny: [`${root}/media/**/*.key`] } } } },
      },
    },
  );
  off = await startApp((b) => b);
  page = await openPage(browser, t.server.url('main'));
  await page.evaluate(() => window.api.core.invoke('plugin:app|version'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
  await off?.[Symbol.asyncDispose]();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

const src = (file: string, protocol?: string): Promise<string> =>
  page.evaluate(([f, p]) => window.api.core.convertFileSrc(f as string, p), [file, protocol] as const);

/** fetch() from the page: status, content type, text. */
const fetchInPage = (url: string, headers: Record<string, string> = {}) =>
  page.evaluate(
    async ([u, h]) => {
      const r = await fetch(u as string, { headers: h as Record<string, string> });
      return { status: r.status, type: r.headers.get('content-type'), range: r.headers.get('content-range'), text: await r.text() };
    },
    [url, headers] as const,
  );

function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

describe('asset protocol', () => {
  test('convertFileSrc URLs are on an origin of their own and serve files in scope with their content type', async () => {
    const url = await src(path.join(root, 'media', 'sub', 'clip.txt'));
    const appOrigin = new URL(t.server.origin).origin;
    assert.notEqual(new URL(url).origin, appOrigin);
    assert.deepEqual(await fetchInPage(url), { status: 200, type: 'text/plain', range: null, text: 'abcdefghijklmnopqrstuvwxyz' });
    const odd = await fetchInPage(await src(path.join(root, 'media', 'name with spaces & #hash.txt')));
    assert.equal(odd.text, 'spaces');
    const loaded = await page.evaluate(
      async (u) => {
        const img = new Image();
        img.src = u;
        await img.decode();
        return { width: img.naturalWidth, height: img.naturalHeight };
      },
      await src(path.join(root, 'media', 'pixel.png')),
    );
    assert.deepEqual(loaded, { width: 1, height: 1 });
  });

  test('Range requests get 206 with Content-Range; an unsatisfiable range 416', async () => {
    const url = await src(path.join(root, 'media', 'sub', 'clip.txt'));
    assert.deepEqual(await fetchInPage(url, { range: 'bytes=2-5' }), {
      status: 206,
      type: 'text/plain',
      range: 'bytes 2-5/26',
      text: 'cdef',
    });
    assert.equal((await fetchInPage(url, { range: 'bytes=-3' })).text, 'xyz');
    assert.equal((await fetchInPage(url, { range: 'bytes=20-' })).text, 'uvwxyz');
    assert.equal((await fetchInPage(url, { range: 'bytes=99-' })).status, 416);
  });

  test('outside the scope, a deny match, `..` and a missing secret are refused', async () => {
    assert.equal((await fetchInPage(await src(path.join(root, 'private', 'secret.txt')))).status, 403);
    assert.equal((await fetchInPage(await src(`${root}/media/../private/secret.txt`))).status, 403);
    writeFileSync(path.join(root, 'media', 'k.key'), 'key');
    assert.equal((await fetchInPage(await src(path.join(root, 'media', 'k.key')))).status, 403);
    const url = new URL(await src(path.join(root, 'media', 'sub', 'clip.txt')));
    const [, secret, ...rest] = url.pathname.split('/');
    assert.ok(secret !== undefined && secret.length >= 32);
    const withoutSecret = `${url.origin}/${rest.join('/')}`;
    const wrongSecret = `${url.origin}/${'x'.repeat(secret.length)}/${rest.join('/')}`;
    assert.equal((await rawGet(withoutSecret)).status, 403, 'a local process without the secret');
    assert.equal((await rawGet(wrongSecret)).status, 403);
    assert.equal((await rawGet(url.href, { host: 'evil.example:80' })).status, 421, 'DNS rebinding');
    assert.equal((await rawGet(url.href, { 'sec-fetch-site': 'cross-site' })).status, 403, 'another site');
    assert.equal((await rawGet(url.href, { origin: 'http://127.0.0.1:1' })).status, 403, 'another origin');
    assert.equal((await rawGet(url.href)).status, 200, 'the same request with the secret and nothing else wrong');
  });

  test('a document served as an asset runs no script', async () => {
    const url = await src(path.join(root, 'media', 'page.html'));
    const messages = await page.evaluate(async (u) => {
      const got: unknown[] = [];
      addEventListener('message', (e) => got.push(e.data));
      const frame = document.createElement('iframe');
      const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
      frame.src = u;
      document.body.append(frame);
      await loaded;
      // A fence: a message posted after the frame loaded arrives after any message its script would have posted.
      const fence = new Promise((resolve) => addEventListener('message', (e) => e.data === 'fence' && resolve(undefined)));
      postMessage('fence', '*');
      await fence;
      frame.remove();
      return got.filter((m) => m !== 'fence');
    }, url);
    assert.deepEqual(messages, []);
  });

  test('after a reload the URL carries the secret at once, before any call', async () => {
    await page.reload();
    await page.waitForFunction(() => typeof window.api === 'object');
    const url = await src(path.join(root, 'media', 'sub', 'clip.txt'));
    assert.equal((await fetchInPage(url)).status, 200);
  });

  test('a custom protocol gets <name>://localhost/<encoded path> and its Response reaches the page', async () => {
    const url = await src('covers/a b.png', 'thumb');
    const got = await fetchInPage(url);
    assert.deepEqual(got, { status: 200, type: 'text/plain', range: null, text: 'thumb of /covers%2Fa%20b.png' });
    assert.deepEqual(seen, ['thumb://localhost/covers%2Fa%20b.png']);
    assert.equal((await fetchInPage(await src('x', 'nope'))).status, 404);
  });

  test('with the asset protocol off, there is no asset origin and nothing is served', async () => {
    const other = await openPage(browser, off.server.url('main'));
    try {
      const url = await other.evaluate((f) => window.api.core.convertFileSrc(f), path.join(root, 'media', 'sub', 'clip.txt'));
      const status = await other.evaluate(async (u) => (await fetch(u)).status, url);
      assert.equal(status, 404);
    } finally {
      await other.context().close();
    }
  });
});

describe('registerUriSchemeProtocol', () => {
  test('bad or duplicate names are configuration errors', async () => {
    const { Builder } = await import('airlock');
    assert.throws(() => Builder.default().registerUriSchemeProtocol('Bad Name', () => new Response('')), /not a usable protocol name/);
    assert.throws(() => Builder.default().registerUriSchemeProtocol('asset', () => new Response('')), /asset/);
    const b = Builder.default().registerUriSchemeProtocol('x', () => new Response(''));
    assert.throws(() => b.registerUriSchemeProtocol('x', () => new Response('')), /registered twice/);
  });
});
