// `airlock init`: the scaffold installs (airlock by a file: spec pointing at this checkout, so no registry copy of
// airlock is needed), passes its own smoke test (`npm test`: type-check + the commands in memory), and `airlock dev`
// in it serves the Vite frontend with working IPC.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { CLI, printedUrls, REPO, removeProject, startCli } from './helpers.js';

let browser: Browser;
let root: string;
let app: string;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

before(async () => {
  browser = await launchBrowser();
  root = mkdtempSync(path.join(tmpdir(), 'airlock-init-'));
  app = path.join(root, 'my-app');
});

after(async () => {
  await browser?.close();
  if (root !== undefined) removeProject(root);
});

function run(cmd: string, args: string[], timeout: number): string {
  // NODE_TEST_CONTEXT would make the project's own `node --test` think it runs inside this test and skip its files.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(cmd, args, { cwd: app, encoding: 'utf8', timeout, env: { ...env, NO_COLOR: '1' } });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${out}`);
  return out;
}

describe('airlock init', () => {
  test('scaffolds a project that installs and passes its own smoke test', { timeout: 240_000 }, () => {
    const r = spawnSync(process.execPath, [CLI, 'init', app], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /created my-app/);
    assert.match(r.stdout, /npm run dev/);
    for (const f of [
      'package.json',
      '.gitignore',
      'index.html',
      'src/main.ts',
      'src-tauri/tauri.conf.json',
      'src-tauri/capabilities/default.json',
      'src-tauri/main.ts',
    ]) {
      assert.ok(existsSync(path.join(app, f)), `${f} exists`);
    }
    const pkg = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.equal(pkg.dependencies['airlock'], `file:${REPO}`);
    const conf = JSON.parse(readFileSync(path.join(app, 'src-tauri', 'tauri.conf.json'), 'utf8')) as { productName: string };
    assert.equal(conf.productName, 'my-app');

    const again = spawnSync(process.execPath, [CLI, 'init', app], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists and is not empty/);

    // --ignore-scripts: airlock is linked from this checkout, and its `prepare` (a full rebuild of dist/) must not run
    // while other test files import dist/. The checkout was built before the tests started.
    run(NPM, ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], 180_000);
    const out = run(NPM, ['test'], 60_000);
    assert.match(out, /# pass 3/);
    assert.match(out, /# fail 0/);
  });

  test('`airlock dev` in the new project serves it through Vite with working IPC', { timeout: 90_000 }, async () => {
    assert.ok(existsSync(path.join(app, 'node_modules', 'vite')), 'installed by the previous test');
    await using cli = startCli(['dev', '--no-window'], { cwd: app });
    const { main } = await printedUrls(cli, ['main']);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(main ?? '');
      await page.fill('#greet-input', 'Ada');
      await page.click('#greet-form button');
      await page.waitForFunction(() => document.querySelector('#greet-msg')?.textContent?.includes('Hello, Ada!'), null, {
        timeout: 15_000,
      });
      await page.waitForFunction(() => document.querySelector('#clock')?.textContent?.startsWith('the core says'), null, {
        timeout: 5_000,
      });
      await page.click('#progress-btn');
      await page.waitForFunction(() => document.querySelector('#greet-msg')?.textContent?.startsWith('task done'), null, {
        timeout: 15_000,
      });
      assert.equal(await page.evaluate(() => (document.querySelector('#progress-bar') as HTMLProgressElement).value), 100);
    } finally {
      await context.close();
    }
  });
});
