// `airlock run --no-window` on a Tauri-shaped fixture: the printed URL opens the app in headless Chromium, commands,
// channels and events work both ways, getCurrentWindow() knows its label/title, close() of the last window ends the
// app, and SIGINT leaves no process behind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { alive, makeProject, printedUrls, removeProject, startCli } from './helpers.js';
import { poll } from '../helpers/wait.js';

let browser: Browser;
let project: string;

before(async () => {
  browser = await launchBrowser();
  project = await makeProject('vanilla', { frontend: true });
});

after(async () => {
  await browser?.close();
  if (project !== undefined) removeProject(project);
});

describe('airlock run --no-window', () => {
  test('serves build.frontendDist; commands, channels and events work from the official API', async () => {
    await using cli = startCli(['run', project, '--no-window']);
    const banner = await cli.waitFor(/core\s+(http:\/\/127\.0\.0\.1:\d+)/);
    assert.match(cli.output(), /Airlock v\d/);
    assert.match(cli.output(), /vanilla-fixture 0\.3\.0/);
    assert.match(cli.output(), /pattern\s+brownfield/);
    const { main } = await printedUrls(cli);
    assert.ok(main?.startsWith(`${banner[1]}/#__airlock=`), main);

    const page = await openPage(browser, main ?? '');
    try {
      const result = await page.evaluate(async () => {
        const { core, event, getCurrentWindow } = window.api;
        const greeting = await core.invoke('greet', { name: 'Ada' });
        const invalid = await core.invoke('greet', { name: '' }).catch((e: { code?: string }) => e.code);
        const who = await core.invoke('whoami');
        const steps: number[] = [];
        const counted = await core.invoke('count', { n: 5, onStep: new core.Channel<number>((i) => steps.push(i)) });
        const pong = new Promise((resolve) => void event.listen('pong', (e) => resolve(e.payload)));
        await event.emit('ping', { x: 1 });
        const win = getCurrentWindow();
        return { greeting, invalid, who, counted, steps, pong: await pong, label: win.label, title: await win.title() };
      });
      assert.deepEqual(result, {
        greeting: 'Hello, Ada! (run)',
        invalid: 'INVALID_ARGS',
        who: { webview: 'main', window: 'main' },
        counted: 5,
        steps: [1, 2, 3, 4, 5],
        pong: { x: 1 },
        label: 'main',
        title: 'Vanilla fixture',
      });
      // One log line per failed call; successful ones only with --verbose.
      await cli.waitFor(/✗ greet main [\d.]+ ms INVALID_ARGS: invalid args `name` for command `greet`/);
      assert.doesNotMatch(cli.output(), /✓ greet/);
    } finally {
      await page.context().close();
    }
  });

  test('getCurrentWindow().close() on the last window ends the app with exit code 0; --verbose logs every call', async () => {
    await using cli = startCli(['run', project, '--no-window', '--verbose']);
    const { main } = await printedUrls(cli);
    const page = await openPage(browser, main ?? '');
    try {
      await page.evaluate(() => window.api.core.invoke('whoami'));
      await cli.waitFor(/✓ whoami main [\d.]+ ms/);
      await page.evaluate(() => window.api.getCurrentWindow().close());
      assert.equal(await cli.exited, 0);
      assert.match(cli.output(), /window main closed/);
      assert.match(cli.output(), /last window closed/);
    } finally {
      await page.context().close();
    }
  });

  test('SIGINT stops the core and leaves no child process', async () => {
    await using cli = startCli(['run', project, '--no-window']);
    await printedUrls(cli);
    const children = cli.tree();
    assert.ok(children.length >= 1, 'the core runs in a child process');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 0);
    await poll(() => [...cli.seen].every((pid) => !alive(pid)));
    assert.deepEqual([...cli.seen].filter(alive), []);
  });

  test('a broken project gives a readable error and exit code 1', async () => {
    await using cli = startCli(['run', `${project}/does-not-exist`, '--no-window']);
    assert.equal(await cli.exited, 1);
    assert.match(cli.output(), /error: project directory .*does-not-exist does not exist/);
  });
});
