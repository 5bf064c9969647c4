// Files dragged onto a window the CLI drives, in headless Chromium: the official `onDragDropEvent` sees Tauri's
// enter / over / leave / drop with physical positions, and the drop carries the real paths of the dropped files,
// which the window host reads from the browser (DOM.getFileInfo) for that drop only. The drag itself is real
// browser input (CDP `Input.dispatchDragEvent` with files), sent from this test over a debugging port of its own
// (AIRLOCK_BROWSER_ARGS); the host keeps driving the window over its pipe.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../helpers/browser.js';
import { untilValue } from '../helpers/wait.js';
import { makeProject, removeProject, startCli } from './helpers.js';

const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : false;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

describe('drag and drop in a window the host drives', { skip }, () => {
  test('onDragDropEvent: enter, over, leave, then a drop with the files’ real paths', { timeout: 120_000 }, async () => {
    const project = await makeProject('dragdrop');
    const dir = mkdtempSync(path.join(tmpdir(), 'airlock-drop-'));
    const a = path.join(dir, 'first.txt');
    const b = path.join(dir, 'second file.txt');
    writeFileSync(a, 'a');
    writeFileSync(b, 'b');
    const port = await freePort();
    try {
      await using cli = startCli(['run', project, '--headless'], {
        env: { AIRLOCK_BROWSER: CHROMIUM, AIRLOCK_BROWSER_ARGS: `--remote-debugging-port=${port}`, DISPLAY: '', WAYLAND_DISPLAY: '' },
      });
      const ready = await cli.waitFor(/page main: (\{"ready".*\})/, 60_000);
      const { scale } = JSON.parse(ready[1] as string) as { scale: number };
      const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
      const page = await untilValue(
        () =>
          browser
            .contexts()
            .flatMap((c) => c.pages())
            .find((p) => p.url().startsWith('http://127.0.0.1')),
        'the app window in the debugging port',
      );
      const cdp = await page.context().newCDPSession(page);
      const data = { items: [], files: [a, b], dragOperationsMask: 1 };
      const dispatch = (type: 'dragEnter' | 'dragOver' | 'drop' | 'dragCancel', x: number, y: number) =>
        cdp.send('Input.dispatchDragEvent', { type, x, y, data });
      await dispatch('dragEnter', 50, 60);
      await dispatch('dragOver', 70, 80);
      // Out of the page: Chromium fires dragleave (a dragCancel alone fires nothing in the page).
      await dispatch('dragOver', 5000, 5000);
      await dispatch('dragCancel', 5000, 5000);
      await cli.waitFor(/page main: \{"leavePayload":null\}/);
      await dispatch('dragEnter', 20, 30);
      await dispatch('dragOver', 25, 35);
      await dispatch('drop', 25, 35);
      await cli.waitFor(/page main: \{"drag":"drop"/);
      const seen = [...cli.output().matchAll(/page main: (\{"(?:drag|leavePayload)".*\})/g)].map((m) => JSON.parse(m[1] as string));
      const px = (x: number, y: number) => [Math.round(x * scale), Math.round(y * scale)];
      // A dragover repeats while the pointer rests; each distinct position is reported once.
      const distinct = seen.filter((e, i) => i === 0 || JSON.stringify(e) !== JSON.stringify(seen[i - 1]));
      assert.deepEqual(distinct, [
        { drag: 'enter', paths: [], at: px(50, 60) },
        { drag: 'over', at: px(70, 80) },
        { drag: 'leave' },
        { leavePayload: null },
        { drag: 'enter', paths: [], at: px(20, 30) },
        { drag: 'over', at: px(25, 35) },
        { drag: 'drop', paths: [a, b], at: px(25, 35) },
      ]);
      await cdp.detach();
    } finally {
      removeProject(project);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
