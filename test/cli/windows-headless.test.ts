// Windows the CLI opens and drives over their DevTools pipe, with no display: `airlock run --headless` opens the
// app's windows in headless Chromium through the same window host as with a display. A plain page (no bundler,
// window.__TAURI__) resizes its window (setSize → tauri://resize with the new size), moves it, maximizes,
// minimizes and fullscreens it and reads each state back, opens a second window with `new WebviewWindow`
// and asks the core to open a third (`app.createWebviewWindow`); both open, connect and are listed, then both are
// closed from the page, and the app keeps running with its first window. Focus is not tested here: headless
// Chromium grants focus to every page.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CHROMIUM } from '../helpers/browser.js';
import { makeProject, removeProject, startCli } from './helpers.js';

const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : false;

describe('airlock run --headless', { skip }, () => {
  test('setSize resizes the window, a window opened from the page and one from the core are listed and closable', {
    timeout: 120_000,
  }, async () => {
    const project = await makeProject('windows');
    try {
      await using cli = startCli(['run', project, '--headless'], { env: { AIRLOCK_BROWSER: CHROMIUM, DISPLAY: '', WAYLAND_DISPLAY: '' } });
      const resized = await cli.waitFor(/page main: (\{"resizedTo".*\})/, 60_000);
      assert.deepEqual(JSON.parse(resized[1] as string), { resizedTo: [520, 380], event: [520, 380] });
      await cli.waitFor(/core saw resize: \{"width":\d+,"height":\d+\}/);
      const moved = await cli.waitFor(/page main: (\{"movedTo".*\})/);
      assert.deepEqual(JSON.parse(moved[1] as string), { movedTo: [40, 30] });
      const states = await cli.waitFor(/page main: (\{"states".*\})/, 30_000);
      assert.deepEqual(JSON.parse(states[1] as string), {
        states: {
          maximized: true,
          unmaximized: true,
          minimized: true,
          unminimized: true,
          visible: true,
          hidden: true,
          shown: true,
          fullscreen: true,
          windowed: true,
        },
      });
      await cli.waitFor(/page second: \{"opened":"second","title":"Second"\}/, 30_000);
      await cli.waitFor(/page fromcore: \{"opened":"fromcore","title":"From the core"\}/, 30_000);
      const listed = await cli.waitFor(/page main: (\{"listed".*\})/, 30_000);
      assert.deepEqual(JSON.parse(listed[1] as string), {
        listed: ['fromcore', 'main', 'second'],
        windows: ['fromcore', 'main', 'second'],
      });
      await cli.waitFor(/page main: \{"closed":true\}/);
      await cli.waitFor(/window second closed/);
      await cli.waitFor(/window fromcore closed/);
      assert.doesNotMatch(cli.output(), /last window closed/);
    } finally {
      removeProject(project);
    }
  });
});
