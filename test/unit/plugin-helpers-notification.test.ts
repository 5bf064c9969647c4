// The notification helpers' exact command lines on each platform (macOS and Windows cannot run here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notifyCommand } from '../../src/plugins/notification/commands.ts';

const request = { appName: 'My App', title: 'Hi "there"', body: 'line & more', icon: 'mail' };

test('Linux: notify-send with the app name, the icon and the text after --', () => {
  assert.deepEqual(notifyCommand('linux', request), {
    program: 'notify-send',
    args: ['--app-name=My App', '--icon=mail', '--', 'Hi "there"', 'line & more'],
    debianPackage: 'libnotify-bin',
  });
});

test('macOS: osascript display notification, the text as argv items (never inside the script)', () => {
  assert.deepEqual(notifyCommand('darwin', { ...request, sound: 'Ping' }), {
    program: 'osascript',
    args: [
      '-e',
      'on run argv',
      '-e',
      'display notification (item 2 of argv) with title (item 1 of argv) sound name (item 3 of argv)',
      '-e',
      'end run',
      'Hi "there"',
      'line & more',
      'Ping',
    ],
  });
});

test('Windows: a WinRT toast from PowerShell, the text in environment variables', () => {
  const cmd = notifyCommand('win32', request);
  assert.equal(cmd.program, 'powershell.exe');
  assert.deepEqual(cmd.args.slice(0, 3), ['-NoProfile', '-NonInteractive', '-Command']);
  assert.match(
    cmd.args[3] ?? '',
    /ToastText02.*\$env:AIRLOCK_NOTIFY_TITLE.*\$env:AIRLOCK_NOTIFY_BODY.*CreateToastNotifier\(\$env:AIRLOCK_NOTIFY_APP\)/,
  );
  assert.doesNotMatch(cmd.args[3] ?? '', /there|more/);
  assert.deepEqual(cmd.env, { AIRLOCK_NOTIFY_TITLE: 'Hi "there"', AIRLOCK_NOTIFY_BODY: 'line & more', AIRLOCK_NOTIFY_APP: 'My App' });
});
