// The mechanisms every first-party plugin shares: the window.__TAURI__.<name> init script (only with
// app.withGlobalTauri), plugins.<name> config with code options winning, OS helpers (a missing one is a clear
// `unsupported:` naming the Debian package, a slow one is stopped, never a hang), and the exact command lines of
// the macOS/Windows/Linux openers, which only run on their own systems.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { loadConfig } from '../../src/core/config.ts';
import { pluginConfig } from '../../src/plugins/shared/config.ts';
import { globalApi } from '../../src/plugins/shared/global-api.ts';
import { launchHelper, openerCommand, revealCommand, runHelper, runHelperOk } from '../../src/plugins/shared/os-helper.ts';
import { displayVersion, localeOf, osInfo, osReleaseVersion } from '../../src/plugins/os/index.ts';

describe('globalApi', () => {
  test('delivers the bundled guest package only when app.withGlobalTauri is set', () => {
    const script = globalApi('os');
    assert.equal(script(loadConfig({})), undefined);
    const source = script(loadConfig({ app: { withGlobalTauri: true } }));
    assert.ok(typeof source === 'string' && source.includes('__TAURI_OS_PLUGIN_INTERNALS__') && source.includes('__TAURI__'));
  });

  test('a plugin without a bundle stops start-up with a CONFIG error saying how to build it', () => {
    assert.throws(
      () => globalApi('no-such-plugin')(loadConfig({ app: { withGlobalTauri: true } })),
      /dist\/runtime\/plugins\/no-such-plugin\.js.*build/,
    );
  });
});

describe('pluginConfig', () => {
  const schema = z.object({ a: z.number().default(1), b: z.string().optional() });
  test('the file is read, options given in code win key by key, undefined options keep the file value', () => {
    assert.deepEqual(pluginConfig('x', { a: 2, b: 'file' }, { b: 'code' }, schema), { a: 2, b: 'code' });
    assert.deepEqual(pluginConfig('x', { a: 2 }, { a: undefined }, schema), { a: 2 });
    assert.deepEqual(pluginConfig('x', undefined, undefined, schema), { a: 1 });
  });
  test('a bad value names plugins.<name> and the key', () => {
    assert.throws(() => pluginConfig('fs', { a: 'no' }, {}, schema), /plugins\.fs .*a: /);
    assert.throws(() => pluginConfig('fs', [1], {}, schema), /plugins > fs: expected an object/);
  });
});

describe('OS helpers', () => {
  test('a missing helper rejects with unsupported: and the Debian package, at once', async () => {
    const started = Date.now();
    await assert.rejects(
      runHelper({ program: 'airlock-no-such-helper', args: [], debianPackage: 'zenity' }),
      new Error(
        'unsupported: `airlock-no-such-helper` is not installed; install the `zenity` package (on Debian/Ubuntu: apt-get install zenity)',
      ),
    );
    await assert.rejects(
      launchHelper({ program: 'airlock-no-such-helper', args: [], debianPackage: 'xdg-utils' }),
      /apt-get install xdg-utils/,
    );
    assert.ok(Date.now() - started < 2000);
  });

  test('a helper that hangs is stopped after its timeout', async () => {
    await assert.rejects(runHelper({ program: 'sleep', args: ['30'] }, { timeoutMs: 200 }), /did not finish within 200 ms/);
  });

  test('output and exit codes come back; a failing helper names its stderr', async () => {
    const r = await runHelper({ program: 'sh', args: ['-c', 'cat; echo err >&2; exit 4'] }, { input: 'in' });
    assert.deepEqual([r.code, r.stdout.toString(), r.stderr.toString()], [4, 'in', 'err\n']);
    await assert.rejects(runHelperOk({ program: 'sh', args: ['-c', 'echo nope >&2; exit 2'] }), /`sh` failed \(exit code 2\): nope/);
  });

  test('a launcher resolves when it exits 0 or keeps running past settleMs', async () => {
    await launchHelper({ program: 'true', args: [] });
    await launchHelper({ program: 'sleep', args: ['1'] }, 100);
    await assert.rejects(launchHelper({ program: 'false', args: [] }), /exit code 1/);
  });

  test('the openers as exact command lines per platform', () => {
    const url = 'https://example.com/?a=1&b=^2';
    assert.deepEqual(openerCommand('darwin', url), { program: 'open', args: [url] });
    assert.deepEqual(openerCommand('darwin', url, 'Safari'), { program: 'open', args: ['-a', 'Safari', url] });
    assert.deepEqual(openerCommand('win32', url), { program: 'rundll32.exe', args: ['url.dll,FileProtocolHandler', url] });
    assert.deepEqual(openerCommand('win32', 'C:\\x.txt', 'notepad.exe'), { program: 'notepad.exe', args: ['C:\\x.txt'] });
    assert.deepEqual(openerCommand('linux', url), { program: 'xdg-open', args: [url], debianPackage: 'xdg-utils' });
    assert.deepEqual(revealCommand('darwin', ['/a/b c']), { program: 'open', args: ['-R', '/a/b c'] });
    assert.deepEqual(revealCommand('win32', ['C:\\a\\b.txt']), { program: 'explorer.exe', args: ['/select,C:\\a\\b.txt'] });
    assert.deepEqual(revealCommand('linux', ['/a/b c']).args.slice(-2), ['array:string:file:///a/b%20c', 'string:']);
  });
});

describe('os values', () => {
  test("Node's names become Rust's, per platform", () => {
    assert.deepEqual(
      { ...osInfo('darwin', 'arm64'), version: '' },
      { eol: '\n', os_type: 'macos', platform: 'macos', family: 'unix', version: '', arch: 'aarch64', exe_extension: '' },
    );
    assert.deepEqual(
      { ...osInfo('win32', 'x64'), version: '' },
      { eol: '\r\n', os_type: 'windows', platform: 'windows', family: 'windows', version: '', arch: 'x86_64', exe_extension: 'exe' },
    );
    assert.equal(osInfo('freebsd', 'ia32').os_type, 'linux');
  });
  test('version and locale as Tauri prints them', () => {
    assert.equal(displayVersion(osReleaseVersion('NAME="Debian"\nVERSION_ID="12"\n')), '12.0.0');
    assert.equal(displayVersion('22.04'), '22.04.0');
    assert.equal(displayVersion(undefined), 'Unknown');
    assert.equal(localeOf({ LANG: 'de_DE.UTF-8' }), 'de-DE');
    assert.equal(localeOf({ LC_ALL: 'fr_FR@euro', LANG: 'de_DE' }), 'fr-FR');
    assert.equal(localeOf({ LANG: 'C.UTF-8' }), null);
    assert.equal(localeOf({}), null);
  });
});

describe('scope matching of opener and shell', () => {
  test("opener URL globs are Rust glob::Pattern's: * crosses /, the rest is literal", async () => {
    const { urlGlob } = await import('../../src/plugins/opener/index.ts');
    assert.equal(urlGlob('https://*').test('https://a.example/b/c?d=1'), true);
    assert.equal(urlGlob('https://*').test('http://a.example'), false);
    assert.equal(urlGlob('https://a.example/?').test('https://a.example/x'), true);
    assert.equal(urlGlob('https://a.example/x.y').test('https://a.example/xzy'), false);
    assert.equal(urlGlob('mailto:[a-c]*').test('mailto:bob'), true);
  });

  test("shell arguments are checked by position, fixed ones replace the page's, validators are anchored", async () => {
    const { checkArgs } = await import('../../src/plugins/shell/index.ts');
    const entry = { name: 'git', cmd: 'git', sidecar: false, args: [{ fixed: 'log' }, { validator: /^-n\d+$/u, source: '^-n\\d+$' }] };
    const run = (args: unknown) => {
      const out: string[] = [];
      return { why: checkArgs(entry, args, out), out };
    };
    assert.deepEqual(run(['whatever', '-n5']), { why: undefined, out: ['log', '-n5'] });
    assert.deepEqual(
      run(['log', '-n5; rm -rf /']).why,
      'Scoped command argument at position 1 was found, but failed regex validation ^-n\\d+$',
    );
    assert.deepEqual(run(['log']).why, 'Scoped command argument at position 1 must match regex validation ^-n\\d+$ but it was not found');
    assert.deepEqual(run('log').why, 'Scoped command git received arguments in an unexpected format');
    assert.deepEqual(checkArgs({ ...entry, args: false }, ['x'], []), 'Scoped command git received arguments in an unexpected format');
    const fixedOnly = { ...entry, args: [{ fixed: 'status' }] };
    const out: string[] = [];
    assert.equal(checkArgs(fixedOnly, [], out), undefined);
    assert.deepEqual(out, ['status']);
  });

  test('a path allowed at run time is glob-escaped, so it matches only itself', async () => {
    const { escapeGlob } = await import('../../src/plugins/fs/index.ts');
    assert.equal(escapeGlob('/a/[x]*?{y}.txt'), '/a/\\[x\\]\\*\\?\\{y\\}.txt');
  });
});
