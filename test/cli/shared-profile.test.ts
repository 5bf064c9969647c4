// All windows of an app share one persistent browser profile under the app's local data dir
// (`$XDG_DATA_HOME/<identifier>/airlock-chromium-profile` on Linux), as Tauri's webview keeps its data: a value the
// main window writes to localStorage and IndexedDB is read by a second window opened from the page, a value the
// second writes reaches the first as a `storage` event (one live profile, not copies), and both survive a restart of
// the app. With that shared profile, a Service Worker is still refused (security finding #8): neither window can
// register one, before or after the restart, so none can take over the other windows' pages. A second instance
// started while the first runs cannot share the profile (Chromium allows one browser per profile): it warns and
// runs on a throw-away one, and the first instance's storage is still there after the restart.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CHROMIUM } from '../helpers/browser.js';
import { makeProject, removeProject, startCli } from './helpers.js';

const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : false;

const REFUSED = { registered: false, refusedWith403: true, registrations: 0, controlled: false, owned: false };

function json(match: RegExpMatchArray): unknown {
  return JSON.parse(match[1] as string);
}

describe("the app's windows share one persistent profile", { skip }, () => {
  test('localStorage and IndexedDB are shared between windows and survive a restart; Service Workers stay refused', {
    timeout: 120_000,
  }, async () => {
    const project = await makeProject('profile');
    const dataHome = mkdtempSync(path.join(tmpdir(), 'airlock-profile-data-'));
    const env = { AIRLOCK_BROWSER: CHROMIUM, DISPLAY: '', WAYLAND_DISPLAY: '', XDG_DATA_HOME: dataHome };
    try {
      {
        await using cli = startCli(['run', project, '--headless'], { env });
        assert.deepEqual(json(await cli.waitFor(/page main: (\{"before".*\})/, 60_000)), { before: { local: null, idb: null } });
        assert.deepEqual(json(await cli.waitFor(/page main: (\{"sw".*\})/)), { sw: REFUSED });
        const seen = await cli.waitFor(/page second: (\{"seen".*\})/, 30_000);
        assert.deepEqual(json(seen), { seen: { local: 'written by main', idb: 'put by main' }, sw: REFUSED });
        await cli.waitFor(/page main: \{"reply":"written by second \d+"\}/);
        // A second instance of the app while this one runs: the profile is in use, so its windows get a throw-away
        // one (they open and work, with empty storage), and it leaves the remembered port alone.
        {
          await using other = startCli(['run', project, '--headless'], { env });
          await other.waitFor(/browser profile .* is in use \(is the app already running\?\)/, 60_000);
          assert.deepEqual(json(await other.waitFor(/page main: (\{"before".*\})/, 60_000)), { before: { local: null, idb: null } });
          await other.waitFor(/page second: \{"seen":\{"local":"written by main"/, 30_000);
        }
        // Ctrl-C: the app stops (and its browser with it, writing its profile out).
        cli.child.kill('SIGINT');
        assert.equal(await cli.exited, 0);
      }
      assert.ok(
        existsSync(path.join(dataHome, 'dev.airlock.fixture.profile', 'airlock-chromium-profile')),
        'the profile is under $XDG_DATA_HOME/<identifier>',
      );
      {
        await using cli = startCli(['run', project, '--headless'], { env });
        const before = await cli.waitFor(/page main: (\{"before".*\})/, 60_000);
        assert.deepEqual(json(before), { before: { local: 'written by main', idb: 'put by main' } });
        assert.deepEqual(json(await cli.waitFor(/page main: (\{"sw".*\})/)), { sw: REFUSED });
        const seen = await cli.waitFor(/page second: (\{"seen".*\})/, 30_000);
        assert.deepEqual(json(seen), { seen: { local: 'written by main', idb: 'put by main' }, sw: REFUSED });
      }
    } finally {
      removeProject(project);
      rmSync(dataHome, { recursive: true, force: true, maxRetries: 3 });
    }
  });
});
