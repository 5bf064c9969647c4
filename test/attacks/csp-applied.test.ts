// Security finding #11: `app.security.csp` in tauri.conf.json used to be silently ignored, so an app that relied on
// its policy against injected script had none. It is now applied to every HTML document with Tauri's rules: inline
// scripts and styles of the document allowed by hash, the core's runtime tag by a per-response nonce, the IPC
// WebSocket added to `connect-src`, the isolation frame's origin to `frame-src`.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { startAttacker, type Attacker } from '../helpers/attacker.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { testFrontend } from '../helpers/frontend.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
// The app's policy: nothing but its own files; not even the IPC socket is named (the core adds it, as Tauri does).
const CSP = { 'default-src': "'none'", 'script-src': "'self'", 'style-src': "'self'", 'connect-src': "'none'" };

let browser: Browser;
let attacker: Attacker;
let dist: string;

before(async () => {
  browser = await launchBrowser();
  attacker = await startAttacker('ok');
  dist = mkdtempSync(path.join(tmpdir(), 'airlock-csp-'));
  cpSync(await testFrontend(), dist, { recursive: true });
  const index = readFileSync(path.join(dist, 'index.html'), 'utf8').replace(
    '</head>',
    '<script>window.inlineRan = true;</script><style>h1 { color: rgb(1, 2, 3); }</style></head>',
  );
  writeFileSync(path.join(dist, 'index.html'), index);
});

after(async () => {
  await browser?.close();
  await attacker?.[Symbol.asyncDispose]();
});

/** What the page may and may not do under the policy. */
async function probe(page: Page, other: string) {
  return page.evaluate(async (url) => {
    const w = window as unknown as { inlineRan?: boolean; injected?: boolean };
    // The browser reports a violation as an event in a later task: wait for the first one (bounded, so a policy
    // that reports nothing answers false instead of hanging).
    const violated = new Promise<boolean>((resolve) => {
      document.addEventListener('securitypolicyviolation', () => resolve(true), { once: true });
      setTimeout(() => resolve(false), 5000);
    });
    const s = document.createElement('script');
    s.textContent = 'window.injected = true;';
    document.head.append(s);
    const exfiltrated = await fetch(url).then(
      () => true,
      () => false,
    );
    const violations = await violated;
    return {
      ping: await window.api.core.invoke('ping'),
      inlineRan: w.inlineRan === true,
      inlineStyle: getComputedStyle(document.querySelector('h1') as Element).color,
      injected: w.injected === true,
      exfiltrated,
      violations,
    };
  }, other);
}

describe('app.security.csp (#11)', () => {
  test('brownfield: the policy is enforced, the document and the core still work', async () => {
    await using t: TestApp = await startApp((b) => b.invokeHandler({ ping: () => 'pong' }), {
      frontendDist: dist,
      config: { app: { security: { csp: CSP } } },
    });
    const res = await fetch(`${t.server.origin}/`);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self' 'nonce-[^']+' 'sha256-/);
    const page = await openPage(browser, t.server.url('main'));
    assert.deepEqual(await probe(page, attacker.origin), {
      ping: 'pong',
      inlineRan: true,
      inlineStyle: 'rgb(1, 2, 3)',
      injected: false,
      exfiltrated: false,
      violations: true,
    });
    await page.context().close();
  });

  test('isolation: the frame origin is allowed, calls go through the hook, injected script is still refused', async () => {
    await using t: TestApp = await startApp((b) => b.invokeHandler({ ping: () => 'pong' }), {
      frontendDist: dist,
      config: {
        app: {
          security: {
            csp: CSP,
            pattern: { use: 'isolation', options: { dir: path.join(fixtures, 'isolation') } },
          },
        },
      },
    });
    const page = await openPage(browser, t.server.url('main'));
    const r = await probe(page, attacker.origin);
    assert.equal(r.ping, 'pong');
    assert.equal(r.injected, false);
    assert.equal(r.exfiltrated, false);
    await page.context().close();
  });
});
