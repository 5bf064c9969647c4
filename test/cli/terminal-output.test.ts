// Security finding #10: strings from a page (command names, errors that echo an argument, what the app logs of
// them) used to reach the `airlock run/dev` terminal raw, so a page could clear the screen, set the title, write
// the clipboard (OSC 52) or forge log lines. Now command names with control characters are refused by the decoder,
// call lines are one line each, and everything the backend prints passes a filter that shows control characters
// as visible escapes. The attacker is the app's page in Chromium; the terminal is the CLI's output.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { makeProject, printedUrls, removeProject, startCli } from './helpers.js';

let browser: Browser;
let project: string;

const BACKEND = `import { Builder } from 'airlock';
export default () =>
  Builder.default().invokeHandler({
    // An app that logs what a page sent, and one whose error echoes it: both ordinary.
    note: (args) => { console.log('page said:', args.text); return null; },
    strict: (args) => { throw new Error('bad value: ' + args.text); },
    ping: () => 'pong',
  });
`;

// Clear screen, cursor home, set the title (OSC 0), write the clipboard (OSC 52), a carriage return that overwrites
// the line, a forged log line, a bidi override, a C1 CSI.
const PAYLOAD = '\u001b[2J\u001b[H\u001b]0;pwned\u0007\u001b]52;c;ZXZpbA==\u0007\rforged\n[airlock] \u2713 fake line\u202eevil\u009b2J';

before(async () => {
  browser = await launchBrowser();
  project = await makeProject('vanilla', { frontend: true });
  writeFileSync(path.join(project, 'src-tauri', 'main.ts'), BACKEND);
});

after(async () => {
  await browser?.close();
  if (project !== undefined) removeProject(project);
});

describe('terminal output of airlock run (#10)', () => {
  test('control characters from a page never reach the terminal; the app keeps serving', { timeout: 120_000 }, async () => {
    await using cli = startCli(['run', project, '--no-window', '--verbose']);
    const { main } = await printedUrls(cli);
    const before = cli.output().length;
    const page = await openPage(browser, main ?? '');
    try {
      const r = await page.evaluate(async (payload) => {
        const { invoke } = window.api.core;
        const settle = (p: Promise<unknown>) =>
          p.then(
            () => 'ok',
            () => 'rejected',
          );
        // What the app prints itself is its own (line breaks included); the escapes in it are still neutralised.
        const note = await settle(invoke('note', { text: payload.replace('\n', ' ') }));
        const strict = await settle(invoke('strict', { text: payload }));
        const named = await settle(invoke(`x${payload}`));
        return { note, strict, named };
      }, PAYLOAD);
      assert.deepEqual(r, { note: 'ok', strict: 'rejected', named: 'rejected' });
      // The page is back (it was closed for the bad command name) and answers.
      assert.equal(await page.evaluate(() => window.api.core.invoke('ping')), 'pong');
      await cli.waitFor(/page said:/);
      await cli.waitFor(/✗ strict main/);
      await cli.waitFor(/✓ ping main/);
      const out = cli.output().slice(before);
      // NO_COLOR is set (helpers.ts), so the CLI itself prints no escape at all.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
      const raw = out.match(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g) ?? [];
      assert.deepEqual(raw, [], 'no control character from the page reaches the terminal');
      assert.doesNotMatch(out, /^\[airlock\] \u2713 fake line/m, 'the page cannot forge a line of its own');
      assert.match(out, /\\x1b\[2J/, 'the attempt is shown, escaped');
      assert.match(out, /protocol violation: command name contains a control character/);
    } finally {
      await page.context().close();
    }
  });
});
