// The dialog plugin driven by the official @tauri-apps/plugin-dialog in Chromium, with real zenity dialogs on a
// private Xvfb display answered by xdotool: open and save answer the path picked (and the pick becomes readable by
// the fs plugin without an fs grant for it), message/ask/confirm answer the button pressed, the init script's
// window.confirm goes through the plugin; where no helper can show a dialog, messages are drawn in the page and a
// file dialog is an `unsupported:` error; windows without the grants are refused.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import dialog from 'airlock/plugins/dialog';
import fs from 'airlock/plugins/fs';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { guestConfig, guestFrontend } from '../helpers/frontend.js';
import { type Display, startXvfb } from '../helpers/xvfb.js';

const dir = mkdtempSync(path.join(tmpdir(), 'airlock-dialog-'));
const picked = path.join(dir, 'notes', 'pick.txt');
let x: Display;
let browser: Browser;
let t: TestApp;
let fallback: TestApp;
let deadDisplay: TestApp;
let impatient: TestApp;
let main: Page;

before(async () => {
  mkdirSync(path.dirname(picked));
  writeFileSync(picked, 'picked by the user');
  x = await startXvfb();
  browser = await launchBrowser();
  const frontendDist = await guestFrontend();
  t = await startApp((b) => b.plugin(fs()).plugin(dialog({ env: x.env })), { config: guestConfig, frontendDist });
  fallback = await startApp((b) => b.plugin(dialog({ backend: 'in-window' })), { config: guestConfig, frontendDist });
  impatient = await startApp((b) => b.plugin(dialog({ backend: 'in-window', inWindowShownWithinMs: 1000 })), {
    config: guestConfig,
    frontendDist,
  });
  // zenity is there, but the display it is given is not: messages must still reach the user, in the page.
  deadDisplay = await startApp((b) => b.plugin(dialog({ backend: 'zenity', env: { ...x.env, DISPLAY: ':65000' } })), {
    config: guestConfig,
    frontendDist,
  });
  main = await openPage(browser, t.server.url('main'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
  await fallback?.[Symbol.asyncDispose]();
  await deadDisplay?.[Symbol.asyncDispose]();
  await impatient?.[Symbol.asyncDispose]();
  await x?.[Symbol.asyncDispose]();
});

/** The visible window titled exactly `title`, if there is one. */
async function visible(title: string): Promise<string | undefined> {
  try {
    return (await x.xdotool('search', '--onlyvisible', '--name', `^${title}$`)).trim().split('\n')[0] || undefined;
  } catch {
    return undefined; // xdotool search exits 1 when nothing matches
  }
}

/**
 * Waits for the zenity window titled `title`, focuses it and sends `steps` (key strokes, text). A dialog that has
 * just been mapped may drop early key strokes on a loaded machine, so if it is still there a while later the steps
 * are sent again (each list is written to be safe to repeat).
 */
async function answer(title: string, ...steps: ({ key: string } | { type: string })[]): Promise<void> {
  await x.xdotool('search', '--sync', '--onlyvisible', '--name', `^${title}$`);
  for (let attempt = 0; attempt < 4; attempt++) {
    const id = await visible(title);
    if (id === undefined) return;
    try {
      await x.xdotool('windowfocus', '--sync', id);
      for (const step of steps) {
        if ('key' in step) await x.xdotool('key', '--clearmodifiers', step.key);
        else await x.xdotool('type', '--delay', '5', step.type);
      }
    } catch {
      return; // the window went away while being answered: it was answered
    }
    const until = Date.now() + 3000;
    while (Date.now() < until && (await visible(title)) !== undefined) await new Promise((r) => setTimeout(r, 100));
  }
}

describe('dialog plugin (@tauri-apps/plugin-dialog) with zenity', () => {
  test('open: the file typed into the real file chooser is answered, and fs and the asset protocol may read it (they could not before)', async () => {
    const before = await main.evaluate(
      (p) => window.guest.fs.readTextFile(p).then(String, (e: unknown) => `refused: ${String(e)}`),
      picked,
    );
    assert.match(before, /^refused: .*forbidden path/);
    const asset = (p: string) =>
      main.evaluate((p) => fetch(window.guest.core.convertFileSrc(p)).then(async (r) => `${r.status} ${await r.text()}`), p);
    assert.doesNotMatch(await asset(picked), /^200/);
    const pending = main.evaluate(
      (start) => window.guest.dialog.open({ title: 'Pick a note', defaultPath: start, filters: [{ name: 'Text', extensions: ['txt'] }] }),
      path.dirname(picked),
    );
    await answer('Pick a note', { key: 'ctrl+l' }, { key: 'ctrl+a' }, { type: 'pick.txt' }, { key: 'Return' });
    assert.equal(await pending, picked);
    assert.equal(await main.evaluate((p) => window.guest.fs.readTextFile(p), picked), 'picked by the user');
    // …and the asset protocol serves it: its scope was widened too.
    assert.equal(await asset(picked), '200 picked by the user');
  });

  test('open cancelled answers null; save answers the path accepted, which joins the fs scope', async () => {
    const cancelled = main.evaluate(() => window.guest.dialog.open({ title: 'Cancel me' }));
    await answer('Cancel me', { key: 'Escape' });
    assert.equal(await cancelled, null);
    const target = path.join(dir, 'new-name.txt');
    const exists = (p: string) => main.evaluate((p) => window.guest.fs.exists(p).then(String, (e: unknown) => `refused: ${String(e)}`), p);
    assert.match(await exists(target), /^refused: .*forbidden path/);
    const saved = main.evaluate((suggested) => window.guest.dialog.save({ title: 'Save as', defaultPath: suggested }), target);
    await answer('Save as', { key: 'Return' });
    assert.equal(await saved, target);
    // The saved-to path joined the fs scope: asking about it is allowed now (it does not exist yet).
    assert.equal(await exists(target), 'false');
  });

  test('message, ask and confirm answer the button pressed; window.confirm goes through the plugin', async () => {
    const asked = main.evaluate(() => window.guest.dialog.ask('Delete it?', { title: 'Ask one' }));
    await answer('Ask one', { key: 'Return' });
    assert.equal(await asked, true);
    const refused = main.evaluate(() => window.guest.dialog.confirm('Really?', { title: 'Confirm one' }));
    await answer('Confirm one', { key: 'Escape' });
    assert.equal(await refused, false);
    const custom = main.evaluate(() => window.guest.dialog.message('Saved', { title: 'Told', buttons: { ok: 'Great' } }));
    await answer('Told', { key: 'Return' });
    assert.equal(await custom, 'Great');
    const viaWindow = main.evaluate(() => (window.confirm as unknown as (m: string) => Promise<boolean>)('Go on?'));
    await answer('Question', { key: 'Return' });
    assert.equal(await viaWindow, true);
  });

  test('with app.withGlobalTauri the guest API is window.__TAURI__.dialog, and alert is replaced', async () => {
    assert.deepEqual(
      await main.evaluate(() => {
        const g = (window as unknown as { __TAURI__: Record<string, Record<string, unknown> | undefined> }).__TAURI__;
        return [typeof g['dialog']?.['open'], typeof g['dialog']?.['message'], String(window.alert).includes('[native code]')];
      }),
      ['function', 'function', false],
    );
  });

  test('windows without the grants are refused by the ACL', async () => {
    const bare = await openPage(browser, t.server.url('bare'));
    const out = await bare.evaluate(() => window.guest.dialog.open().then(String, (e: unknown) => String(e)));
    assert.match(out, /dialog\.open not allowed|not allowed by ACL/);
    const scoped = await openPage(browser, t.server.url('scoped'));
    const msg = await scoped.evaluate(() => window.guest.dialog.message('hi').then(String, (e: unknown) => String(e)));
    assert.match(msg, /dialog\.message not allowed|not allowed by ACL/);
    await Promise.all([bare.context().close(), scoped.context().close()]);
  });
});

describe('dialog plugin without a dialog helper', () => {
  test('a message is drawn in the page and answers the label clicked; a file dialog is unsupported', async () => {
    const page = await openPage(browser, fallback.server.url('main'));
    const asked = page.evaluate(() =>
      window.guest.dialog.ask('Keep going?', { title: 'In the page', okLabel: 'Keep', cancelLabel: 'Stop' }),
    );
    await page.getByRole('alertdialog').getByText('Keep going?').waitFor();
    await page.getByRole('button', { name: 'Stop' }).click();
    assert.equal(await asked, false);
    const told = page.evaluate(() => window.guest.dialog.message('Hello', { buttons: 'YesNoCancel' }));
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await told, 'Cancel');
    const file = await page.evaluate(() => window.guest.dialog.open().then(String, (e: unknown) => `rejected: ${String(e)}`));
    assert.match(file, /^rejected: unsupported: no file dialog can be shown: install `zenity`/);
    // An answer to a dialog the core did not show in this page settles nothing.
    const forged = await page.evaluate(() =>
      window.guest.core
        .invoke('plugin:dialog|in_window_answer', { id: crypto.randomUUID(), answer: 'Ok' })
        .then(String, (e: unknown) => String(e)),
    );
    assert.equal(forged, 'no such dialog is waiting for an answer');
    await page.context().close();
  });

  test('a page that cannot draw the dialog (its script may not listen) fails the call instead of leaving it waiting', async () => {
    const page = await openPage(browser, impatient.server.url('nolisten'));
    const out = await page.evaluate(() => window.guest.dialog.message('Anyone?').then(String, (e: unknown) => `rejected: ${String(e)}`));
    assert.match(out, /^rejected: the dialog could not be drawn in the page: .*core:event:allow-listen/);
    await page.context().close();
  });

  test('zenity without a reachable display: the message is drawn in the page, a file dialog is unsupported', async () => {
    const page = await openPage(browser, deadDisplay.server.url('main'));
    const told = page.evaluate(() => window.guest.dialog.confirm('Still there?', { title: 'No display' }));
    await page.getByRole('alertdialog').getByText('Still there?').waitFor();
    await page.getByRole('button', { name: 'Ok' }).click();
    assert.equal(await told, true);
    const file = await page.evaluate(() => window.guest.dialog.open().then(String, (e: unknown) => `rejected: ${String(e)}`));
    assert.match(file, /^rejected: unsupported: no file dialog can be shown: `zenity` cannot reach the display/);
    await page.context().close();
  });
});
