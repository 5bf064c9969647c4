// The window smoke test, under Xvfb: `airlock run` opens a Chromium app window per app.windows[] entry, the page's
// IPC works, the screen is not blank, a page's close() closes its window, and closing the last window ends the app.
// Skipped where xvfb-run or a Chromium is missing (CI installs both: .ci/run).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CHROMIUM } from '../helpers/browser.js';
import { alive, makeProject, removeProject, startCli } from './helpers.js';
import { poll } from '../helpers/wait.js';

const XVFB_RUN = '/usr/bin/xvfb-run';
const skip = !existsSync(XVFB_RUN) ? 'xvfb-run is not installed' : !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : false;

/** Distinct colours inside a rectangle of Xvfb's framebuffer file (XWD format, written by `Xvfb -fbdir`). */
function distinctColors(xwdFile: string, rect: { x: number; y: number; w: number; h: number }): number {
  const buf = readFileSync(xwdFile);
  const headerSize = buf.readUInt32BE(0);
  const bitsPerPixel = buf.readUInt32BE(44);
  const bytesPerLine = buf.readUInt32BE(48);
  const ncolors = buf.readUInt32BE(76);
  assert.equal(bitsPerPixel, 32, 'a 24-bit screen is stored as 32 bits per pixel');
  const start = headerSize + ncolors * 12;
  const colors = new Set<number>();
  for (let y = rect.y; y < rect.y + rect.h; y += 3) {
    for (let x = rect.x; x < rect.x + rect.w; x += 3) colors.add(buf.readUInt32LE(start + y * bytesPerLine + x * 4) & 0xffffff);
  }
  return colors.size;
}

describe('app window under Xvfb', { skip }, () => {
  test('windows open, IPC works, the screen is not blank, close() closes a window, closing the last one ends the app', {
    timeout: 180_000,
  }, async () => {
    const project = await makeProject('window');
    const fbdir = mkdtempSync(path.join(tmpdir(), 'airlock-xvfb-'));
    try {
      await using cli = startCli(['run', project, '--verbose'], {
        wrap: [XVFB_RUN, '-a', '-s', `-screen 0 1024x700x24 -nolisten tcp -fbdir ${fbdir}`],
        env: { AIRLOCK_BROWSER: CHROMIUM },
      });
      const opened = await cli.waitFor(/window main opened \(pid (\d+)\)/);
      await cli.waitFor(/page ready: main says \{"from":"\/"\}/);
      await cli.waitFor(/page ready: aux says/);
      // aux closes itself through plugin:window|close, as getCurrentWindow().close() does; main stays.
      await cli.waitFor(/window aux closed/);
      assert.doesNotMatch(cli.output(), /last window closed/);

      // The page answered the core's reply ("hello main"): give it a moment to paint, then read the screen.
      const screen = path.join(fbdir, 'Xvfb_screen0');
      let colors = 0;
      await poll(
        () => {
          colors = distinctColors(screen, { x: 0, y: 0, w: 720, h: 520 });
          return colors >= 50;
        },
        { every: 100 },
      );
      assert.ok(colors >= 50, `the window area shows ${colors} distinct colours (a blank screen has 1)`);

      // The user closes the last window (its browser process ends): the app ends with exit code 0.
      process.kill(Number(opened[1]), 'SIGTERM');
      assert.equal(await cli.exited, 0);
      assert.match(cli.output(), /window main closed/);
      assert.match(cli.output(), /last window closed; stopping/);
      await poll(() => [...cli.seen].every((pid) => !alive(pid)));
      assert.deepEqual([...cli.seen].filter(alive), [], 'no process the CLI started is left');
    } finally {
      rmSync(fbdir, { recursive: true, force: true });
      removeProject(project);
    }
  });
});
