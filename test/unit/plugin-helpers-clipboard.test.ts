// The clipboard helpers' exact command lines on each platform (macOS and Windows cannot run here), the choice of
// helper, and the shared runner's resolveOnExit for helpers that leave a process serving the selection.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clipboardBackend, clipboardCommand } from '../../src/plugins/clipboard-manager/commands.ts';
import { runHelper } from '../../src/plugins/shared/os-helper.ts';

describe('which helper', () => {
  test('Wayland when WAYLAND_DISPLAY is set, else xclip; pbcopy on macOS, PowerShell on Windows', () => {
    assert.equal(clipboardBackend('linux', { WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' }), 'wl-clipboard');
    assert.equal(clipboardBackend('linux', { DISPLAY: ':0' }), 'xclip');
    assert.equal(clipboardBackend('darwin', {}), 'macos');
    assert.equal(clipboardBackend('win32', {}), 'windows');
    assert.equal(clipboardBackend('linux', {}, 'xsel'), 'xsel');
  });
});

describe('command lines', () => {
  test('Linux: xclip, xsel (images through xclip), wl-clipboard', () => {
    assert.deepEqual(clipboardCommand('xclip', 'readImage'), {
      program: 'xclip',
      args: ['-selection', 'clipboard', '-t', 'image/png', '-out'],
      output: 'png',
      debianPackage: 'xclip',
    });
    // X11's writers return before the selection is theirs: each is confirmed with a read of the same target.
    assert.deepEqual(clipboardCommand('xclip', 'writeImage'), {
      program: 'xclip',
      args: ['-selection', 'clipboard', '-t', 'image/png', '-in'],
      serves: true,
      readBack: { program: 'xclip', args: ['-selection', 'clipboard', '-t', 'image/png', '-out'], debianPackage: 'xclip' },
      ownerHoldsOutput: true,
      debianPackage: 'xclip',
    });
    assert.deepEqual(clipboardCommand('xclip', 'writeHtml').readBack?.args, ['-selection', 'clipboard', '-t', 'text/html', '-out']);
    assert.deepEqual(clipboardCommand('xclip', 'clear').readBack?.args, ['-selection', 'clipboard', '-out']);
    assert.deepEqual(clipboardCommand('xsel', 'writeText'), {
      program: 'xsel',
      args: ['--clipboard', '--input'],
      serves: true,
      readBack: { program: 'xsel', args: ['--clipboard', '--output'], debianPackage: 'xsel' },
      debianPackage: 'xsel',
    });
    // wl-copy forks only after the compositor confirmed it has the selection.
    assert.equal(clipboardCommand('wl-clipboard', 'writeText').readBack, undefined);
    assert.deepEqual(clipboardCommand('xsel', 'clear'), { program: 'xsel', args: ['--clipboard', '--clear'], debianPackage: 'xsel' });
    assert.equal(clipboardCommand('xsel', 'writeImage').program, 'xclip');
    assert.deepEqual(clipboardCommand('wl-clipboard', 'readText'), {
      program: 'wl-paste',
      args: ['--no-newline'],
      output: 'text',
      debianPackage: 'wl-clipboard',
    });
    assert.deepEqual(clipboardCommand('wl-clipboard', 'clear'), { program: 'wl-copy', args: ['--clear'], debianPackage: 'wl-clipboard' });
  });

  test('macOS: pbcopy/pbpaste for text, osascript for images (PNGf), the image through a file', () => {
    assert.deepEqual(clipboardCommand('macos', 'readText'), { program: 'pbpaste', args: [], output: 'text' });
    assert.deepEqual(clipboardCommand('macos', 'writeText'), { program: 'pbcopy', args: [] });
    assert.deepEqual(clipboardCommand('macos', 'readImage'), {
      program: 'osascript',
      args: ['-e', 'the clipboard as «class PNGf»'],
      output: 'applescript-hex',
    });
    assert.deepEqual(clipboardCommand('macos', 'writeImage'), {
      program: 'osascript',
      args: ['-e', 'set the clipboard to (read (POSIX file "{file}") as «class PNGf»)'],
      viaFile: true,
    });
  });

  test('Windows: PowerShell in STA, text on stdin, images as base64 PNG', () => {
    const ps = ['-NoProfile', '-NonInteractive', '-STA', '-Command'];
    assert.deepEqual(clipboardCommand('windows', 'readText'), {
      program: 'powershell.exe',
      args: [...ps, 'Get-Clipboard -Raw'],
      output: 'text',
    });
    assert.deepEqual(clipboardCommand('windows', 'writeText'), {
      program: 'powershell.exe',
      args: [...ps, 'Set-Clipboard -Value ([Console]::In.ReadToEnd())'],
    });
    const read = clipboardCommand('windows', 'readImage');
    assert.equal(read.output, 'base64');
    assert.match(read.args[4] ?? '', /Clipboard\]::GetImage\(\).*ImageFormat\]::Png.*ToBase64String/);
    assert.match(clipboardCommand('windows', 'writeImage').args[4] ?? '', /FromBase64String\(\[Console\]::In\.ReadToEnd\(\)\).*SetImage/);
  });
});

describe('runHelper resolveOnExit', () => {
  // The helper exits at once but leaves a child holding its stdout, as xclip does while it serves the selection.
  const serving = { program: '/bin/sh', args: ['-c', 'sleep 8 & echo served; exit 0'] };

  test('done when the helper exits, not when its background child lets go of the output', async () => {
    const started = Date.now();
    const r = await runHelper(serving, { resolveOnExit: true, timeoutMs: 10_000 });
    assert.equal(r.code, 0);
    assert.ok(Date.now() - started < 4000, 'resolved well before the background child ends');
  });

  test('watchServing: `serving.ended` tells when the background child has let go of the output, with its stderr', async () => {
    const r = await runHelper(
      { program: '/bin/sh', args: ['-c', 'exec 3<&0; (read line <&3; echo "lost: $line" >&2) & exit 0'] },
      { resolveOnExit: true, watchServing: true, timeoutMs: 10_000, input: 'the selection\n' },
    );
    assert.equal(r.code, 0);
    assert.ok(r.serving !== undefined);
    assert.equal(await r.serving.ended, 'lost: the selection\n');
    r.serving.release();
  });

  test('watchServing: release() lets go without waiting for the background child', async () => {
    const started = Date.now();
    const r = await runHelper(serving, { resolveOnExit: true, watchServing: true, timeoutMs: 10_000 });
    r.serving?.release();
    await r.serving?.ended;
    assert.ok(Date.now() - started < 4000, 'ended resolves once released');
  });

  test('without it, the runner waits for the output to close (here: until its timeout)', async () => {
    await assert.rejects(runHelper(serving, { timeoutMs: 500 }), /did not finish within 500 ms/);
  });
});
