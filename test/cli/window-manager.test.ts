// The window host under a real display and window manager (Xvfb + openbox), where headless Chromium proves nothing
// about maximize, minimize and focus (it has no window manager and grants focus to every page): the same fixture as
// windows-headless.test.ts resizes, moves, maximizes, minimizes and fullscreens its window and reads each state
// back, opens two more windows (which take the focus), takes the focus back with setFocus(), and closes them.
// Its windows are app windows (openbox sees the role "pop-up", where a tabbed browser window has "browser":
// `--app=about:blank`, or `Target.createTarget`, gives a tabbed one).
// Skipped where xvfb-run, openbox or a Chromium is missing (CI installs them: .ci/run).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CHROMIUM } from '../helpers/browser.js';
import { makeProject, removeProject, startCli } from './helpers.js';

const XVFB_RUN = '/usr/bin/xvfb-run';
const OPENBOX = '/usr/bin/openbox';
const skip = !existsSync(XVFB_RUN)
  ? 'xvfb-run is not installed'
  : !existsSync(OPENBOX)
    ? 'openbox is not installed'
    : !existsSync(CHROMIUM)
      ? `no Chromium at ${CHROMIUM}`
      : false;

describe('the window host under Xvfb and openbox', { skip }, () => {
  test('size, position, maximize, minimize, fullscreen and focus are real', { timeout: 180_000 }, async () => {
    const project = await makeProject('windows');
    const watch = mkdtempSync(path.join(tmpdir(), 'airlock-wm-'));
    const roles = path.join(watch, 'roles');
    try {
      // openbox starts with the display; the CLI follows once it has had a moment to take over as window manager.
      await using cli = startCli(['run', project], {
        wrap: [
          XVFB_RUN,
          '-a',
          '-s',
          '-screen 0 1280x800x24 -nolisten tcp',
          'sh',
          '-c',
          `${OPENBOX} --sm-disable >/dev/null 2>&1 & until xprop -root _NET_SUPPORTING_WM_CHECK >/dev/null 2>&1; do sleep 0.1; done; ` +
            // The role of each window the window manager lists ("<id> <role>", once per window), polled.
            `touch ${roles}; (while :; do for id in $(xprop -root _NET_CLIENT_LIST 2>/dev/null | grep -o '0x[0-9a-f]*'); do ` +
            `grep -q "^$id " ${roles} || { r=$(xprop -id "$id" WM_WINDOW_ROLE 2>/dev/null | sed -n 's/.*= //p'); [ -n "$r" ] && echo "$id $r" >> ${roles}; }; ` +
            `done; sleep 0.02; done) & exec "$@"`,
          'sh',
        ],
        env: { AIRLOCK_BROWSER: CHROMIUM },
      });
      const resized = await cli.waitFor(/page main: (\{"resizedTo".*\})/, 90_000);
      assert.deepEqual(JSON.parse(resized[1] as string), { resizedTo: [520, 380], event: [520, 380] });
      const moved = await cli.waitFor(/page main: (\{"movedTo".*\})/);
      const [x, y] = (JSON.parse(moved[1] as string) as { movedTo: [number, number] }).movedTo;
      // The window manager may keep the frame's decorations inside the requested position.
      assert.ok(Math.abs(x - 40) <= 40 && Math.abs(y - 30) <= 60, `moved to ${x},${y}`);
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
      await cli.waitFor(/page main: \{"listed":\["fromcore","main","second"\]/, 30_000);
      const focused = await cli.waitFor(/page main: \{"focusedAfterSetFocus":(true|false)\}/);
      assert.equal(focused[1], 'true', 'setFocus() gave the main window the focus back');
      await cli.waitFor(/window second closed/);
      await cli.waitFor(/window fromcore closed/);
      // Every window the window manager listed while the app ran (polled, so a short-lived one may be missed; the main
      // window never is) is an app window, none a tabbed browser window.
      const seen = new Map<string, string>();
      for (const line of readFileSync(roles, 'utf8').split('\n')) {
        const [id, role] = line.split(' ');
        if (id !== undefined && role !== undefined && role !== '') seen.set(id, role);
      }
      assert.ok(seen.size >= 1, 'the main window was listed');
      assert.deepEqual([...new Set(seen.values())], ['"pop-up"'], 'app windows only');
    } finally {
      rmSync(watch, { recursive: true, force: true });
      removeProject(project);
    }
  });
});
