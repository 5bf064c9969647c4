// `airlock dev --no-window` on a Vite project: beforeDevCommand starts Vite, build.devUrl is served through the
// core with the runtime injected, Vite's HMR socket passes through the core's Host/Origin checks, a frontend edit
// reloads the page and IPC keeps working, a backend edit restarts the core, and SIGINT leaves no process behind.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { alive, makeProject, printedUrls, removeProject, startCli } from './helpers.js';
import { poll, until } from '../helpers/wait.js';

let browser: Browser;
let project: string;
let port: number;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

before(async () => {
  browser = await launchBrowser();
  project = await makeProject('vite', { packages: ['vite', '@tauri-apps/api'] });
  port = await freePort();
  const conf = path.join(project, 'src-tauri', 'tauri.conf.json');
  writeFileSync(conf, readFileSync(conf, 'utf8').replace('__PORT__', String(port)));
});

after(async () => {
  await browser?.close();
  if (project !== undefined) removeProject(project);
});

describe('airlock dev --no-window (Vite)', () => {
  test('proxies devUrl with HMR, reloads keep IPC, backend edits restart the core, SIGINT stops everything', {
    timeout: 180_000,
  }, async () => {
    await using cli = startCli(['dev', project, '--no-window'], { env: { VITE_FIXTURE_PORT: String(port) } });
    const { main } = await printedUrls(cli);
    assert.match(cli.output(), new RegExp(`frontend\\s+http://127\\.0\\.0\\.1:${port} \\(proxied by the core`));
    const consoleLines: string[] = [];
    const page = await openPage(browser, main ?? '', (p) => p.on('console', (m) => consoleLines.push(m.text())));
    try {
      const greet = (): Promise<unknown> => page.evaluate(() => window.api.core.invoke('greet', { name: 'Ada' }));
      assert.equal(await greet(), 'Hello, Ada! (dev)');
      assert.equal(await page.title(), 'vite fixture v1');
      // The page came through the core (same origin as the IPC socket), with Vite's client injected by Vite.
      assert.equal(new URL(page.url()).port, new URL(main ?? '').port);
      assert.equal(await page.evaluate(() => document.querySelectorAll('script[src="/__airlock/runtime.js"]').length), 1);
      await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/@vite/client')));

      // A frontend edit: Vite tells the page over the HMR socket (through the core) to reload; IPC works after it.
      await until(() => consoleLines.some((l) => l.includes('[vite] connected')), "Vite's HMR client to connect", 15_000);
      const entry = path.join(project, 'src', 'main.ts');
      writeFileSync(entry, readFileSync(entry, 'utf8').replace('vite fixture v1', 'vite fixture v2'));
      await page.waitForFunction(() => document.title === 'vite fixture v2', null, { timeout: 15_000 });
      await page.waitForFunction(() => typeof window.api === 'object');
      assert.equal(await greet(), 'Hello, Ada! (dev)');
      assert.ok(
        consoleLines.some((l) => l.includes('[vite] connected')),
        `Vite's HMR client connected: ${consoleLines.join(' | ')}`,
      );

      // A backend edit restarts the core; with --no-window the new URLs are printed.
      const lib = path.join(project, 'src-tauri', 'lib', 'greeting.ts');
      writeFileSync(lib, "export const GREETING: string = 'Howdy';\n");
      await cli.waitFor(/core restarted in \d+ ms/, 30_000);
      await cli.waitFor(/➜\s+main\s+http[\s\S]*➜\s+main\s+http:\/\/127\.0\.0\.1:\d+\/\S*#\S+\s/, 30_000); // the new URLs follow
      const urls = [...cli.output().matchAll(/➜\s+main\s+(http:\/\/127\.0\.0\.1:\d+\/\S*)/g)].map((m) => m[1]);
      assert.equal(urls.length, 2);
      assert.equal(new URL(urls[1] ?? '').port, new URL(main ?? '').port, 'the core comes back on the same port');
      const page2 = await openPage(browser, urls[1] ?? '');
      assert.equal(await page2.evaluate(() => window.api.core.invoke('greet', { name: 'Ada' })), 'Howdy, Ada! (dev)');
      await page2.context().close();
    } finally {
      await page.context().close();
    }

    cli.tree();
    assert.ok(cli.seen.size >= 3, 'the core, the shell and Vite ran as children');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 0);
    await poll(() => [...cli.seen].every((pid) => !alive(pid)));
    assert.deepEqual([...cli.seen].filter(alive), [], 'no process the CLI started is left (Vite included)');
  });
});
