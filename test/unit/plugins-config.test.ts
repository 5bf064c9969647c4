// plugins.<name> of tauri.conf.json reaches the first-party plugins as in Tauri, and options given in code win:
// fs's requireLiteralLeadingDot (dot-files matched by $APPDATA/** once it is false), shell's `open` validator, and a
// bad value stopping start-up with a message naming the key. Also: process's relaunch refused under the CLI.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Builder } from 'airlock';
import fs from 'airlock/plugins/fs';
import processPlugin from 'airlock/plugins/process';
import shell from 'airlock/plugins/shell';
import { connectInMemory } from 'airlock/testing';

const config = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'first-party-conf', 'tauri.conf.json');
const dataHome = mkdtempSync(path.join(os.tmpdir(), 'airlock-conf-xdg-'));
const dotfile = path.join(dataHome, 'dev.airlock.first-party-conf', '.settings');
const saved = process.env['XDG_DATA_HOME'];

before(() => {
  process.env['XDG_DATA_HOME'] = dataHome;
  mkdirSync(path.dirname(dotfile), { recursive: true });
  writeFileSync(dotfile, 'dot');
});
after(() => {
  if (saved === undefined) delete process.env['XDG_DATA_HOME'];
  else process.env['XDG_DATA_HOME'] = saved;
});

const quiet = () => Builder.default().logger(() => {});

describe('plugins.<name> from tauri.conf.json', () => {
  test('fs: requireLiteralLeadingDot false from the file lets $APPDATA/** match a dot-file; true in code wins', async () => {
    await using fromFile = await quiet().plugin(fs()).build({ config });
    const page = await connectInMemory(fromFile);
    assert.equal(new TextDecoder().decode((await page.invoke('plugin:fs|read_text_file', { path: dotfile })) as ArrayBuffer), 'dot');
    await using fromCode = await quiet()
      .plugin(fs({ requireLiteralLeadingDot: true }))
      .build({ config });
    const refused = await (await connectInMemory(fromCode)).invoke('plugin:fs|read_text_file', { path: dotfile }).catch((e: unknown) => e);
    assert.equal(refused, `forbidden path: ${dotfile}`);
  });

  test("shell: the file's `open` regex replaces the default one (anchored)", async () => {
    await using app = await quiet()
      .plugin(shell({ command: ['true'] }))
      .build({ config });
    const page = await connectInMemory(app);
    assert.equal(await page.invoke('plugin:shell|open', { path: 'https://example.com/x' }), null);
    const refused = await page.invoke('plugin:shell|open', { path: 'https://tauri.app' }).catch((e: unknown) => e);
    assert.equal(refused, 'Scoped command argument at position 0 was found, but failed regex validation ^https://example\\.com/.*$');
  });

  test('a bad value stops start-up naming plugins.<name> and the key', async () => {
    await assert.rejects(
      quiet()
        .plugin(fs({ requireLiteralLeadingDot: 'yes' as unknown as boolean }))
        .build({ config }),
      /plugins\.fs \(tauri\.conf\.json, or the options given in code\): requireLiteralLeadingDot: /,
    );
  });
});

describe('process under the CLI', () => {
  test('relaunch() is refused with a reason while AIRLOCK_MODE says the CLI owns the process', async () => {
    const before = process.env['AIRLOCK_MODE'];
    process.env['AIRLOCK_MODE'] = 'dev';
    try {
      await using app = await quiet().plugin(processPlugin()).build({ config });
      const refused = await (await connectInMemory(app)).invoke('plugin:process|restart').catch((e: unknown) => e);
      assert.match(String(refused), /relaunch\(\) is not available while the core runs under `airlock dev`/);
      assert.equal(app.closed, false);
    } finally {
      if (before === undefined) delete process.env['AIRLOCK_MODE'];
      else process.env['AIRLOCK_MODE'] = before;
    }
  });
});
