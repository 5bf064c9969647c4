// The dialog helpers' exact command lines on each platform (macOS and Windows cannot run here), the buttons' wire
// forms, and how each helper's answer is read back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileDialogCommand, messageAnswer, messageCommand, parseButtons } from '../../src/plugins/dialog/commands.ts';

const yesNo = { ok: 'Yes', cancel: 'No' };
const message = { message: 'Delete "a" & b?', title: 'Files', kind: 'warning' as const, buttons: yesNo };
const openRequest = {
  mode: 'open' as const,
  title: 'Pick',
  filters: [{ name: 'Images', extensions: ['png', 'jpg'] }],
  multiple: true,
  directory: false,
  directoryPath: '/home/u/Pictures',
};

describe('buttons', () => {
  test('every wire form of @tauri-apps/plugin-dialog', () => {
    assert.deepEqual(parseButtons('Ok'), { ok: 'Ok' });
    assert.deepEqual(parseButtons('OkCancel'), { ok: 'Ok', cancel: 'Cancel' });
    assert.deepEqual(parseButtons('YesNo'), yesNo);
    assert.deepEqual(parseButtons('YesNoCancel'), { ok: 'Yes', cancel: 'No', extra: 'Cancel' });
    assert.deepEqual(parseButtons({ OkCustom: 'Fine' }), { ok: 'Fine' });
    assert.deepEqual(parseButtons({ OkCancelCustom: ['Go', 'Stop'] }), { ok: 'Go', cancel: 'Stop' });
    assert.deepEqual(parseButtons({ YesNoCancelCustom: ['A', 'B', 'C'] }), { ok: 'A', cancel: 'B', extra: 'C' });
    assert.deepEqual(parseButtons({ Nonsense: 1 }), { ok: 'Ok' });
    assert.deepEqual(parseButtons(undefined), { ok: 'Ok' });
  });
});

describe('zenity and kdialog (Linux)', () => {
  test('zenity: the text as arguments, no markup', () => {
    assert.deepEqual(messageCommand('zenity', message), {
      program: 'zenity',
      debianPackage: 'zenity',
      args: ['--question', '--no-markup', '--text=Delete "a" & b?', '--title=Files', '--ok-label=Yes', '--cancel-label=No'],
    });
    assert.deepEqual(fileDialogCommand('zenity', openRequest).args, [
      '--file-selection',
      '--title=Pick',
      '--multiple',
      '--separator=\n',
      '--filename=/home/u/Pictures/',
      '--file-filter=Images | *.png *.jpg',
    ]);
  });

  test('kdialog', () => {
    assert.deepEqual(messageCommand('kdialog', { ...message, buttons: { ok: 'Yes', cancel: 'No', extra: 'Cancel' } }).args, [
      '--title',
      'Files',
      '--warningyesnocancel',
      'Delete "a" & b?',
      '--yes-label',
      'Yes',
      '--no-label',
      'No',
      '--cancel-label',
      'Cancel',
    ]);
    assert.deepEqual(fileDialogCommand('kdialog', { ...openRequest, mode: 'save', multiple: false, fileName: 'a.png' }).args, [
      '--title',
      'Pick',
      '--getsavefilename',
      '/home/u/Pictures/a.png',
      'Images (*.png *.jpg)',
    ]);
    assert.equal(messageAnswer('kdialog', { ok: 'Yes', cancel: 'No', extra: 'Cancel' }, 2, ''), 'Cancel');
  });

  test('answers: exit 0 is the first button, zenity’s extra button prints its label, Escape is the refusal', () => {
    assert.equal(messageAnswer('zenity', yesNo, 0, ''), 'Yes');
    assert.equal(messageAnswer('zenity', yesNo, 1, ''), 'No');
    assert.equal(messageAnswer('zenity', { ok: 'A', cancel: 'B', extra: 'C' }, 1, 'C\n'), 'C');
    assert.equal(messageAnswer('zenity', { ok: 'Ok' }, 1, ''), 'Ok');
  });
});

describe('osascript (macOS)', () => {
  test('message: the text and labels are argv items, never inside the script', () => {
    assert.deepEqual(messageCommand('osascript', message), {
      program: 'osascript',
      args: [
        '-e',
        'on run argv',
        '-e',
        'set r to display dialog (item 1 of argv) with title (item 2 of argv) buttons {item 4 of argv, item 3 of argv} default button (item 3 of argv) with icon caution',
        '-e',
        'return button returned of r',
        '-e',
        'end run',
        'Delete "a" & b?',
        'Files',
        'Yes',
        'No',
        '',
      ],
    });
    assert.equal(messageAnswer('osascript', yesNo, 0, 'No\n'), 'No');
    assert.equal(messageAnswer('osascript', yesNo, 1, '', 'execution error: User canceled. (-128)'), 'No');
  });

  test('open: choose file of the filters’ types, several allowed, paths as POSIX lines', () => {
    const cmd = fileDialogCommand('osascript', openRequest);
    assert.equal(cmd.program, 'osascript');
    const script = cmd.args.filter((_, i) => cmd.args[i - 1] === '-e');
    assert.ok(script.includes('set p to (choose file with prompt t of type (items 4 thru -1 of argv) with multiple selections allowed)'));
    assert.ok(script.includes('set out to out & POSIX path of f & linefeed'));
    assert.deepEqual(cmd.args.slice(-5), ['Pick', '/home/u/Pictures', '', 'png', 'jpg']);
  });
});

describe('PowerShell (Windows)', () => {
  test('message: MessageBox with the text in environment variables; its answer mapped to the labels', () => {
    const cmd = messageCommand('powershell', message);
    assert.equal(cmd.program, 'powershell.exe');
    assert.deepEqual(cmd.args.slice(0, 4), ['-NoProfile', '-NonInteractive', '-STA', '-Command']);
    assert.equal(
      cmd.args[4],
      "Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.MessageBox]::Show($env:AIRLOCK_DIALOG_TEXT, $env:AIRLOCK_DIALOG_TITLE, 'YesNo', 'Warning')",
    );
    assert.deepEqual(cmd.env, { AIRLOCK_DIALOG_TEXT: 'Delete "a" & b?', AIRLOCK_DIALOG_TITLE: 'Files' });
    assert.equal(messageAnswer('powershell', yesNo, 0, 'No\r\n'), 'No');
    assert.equal(messageAnswer('powershell', { ok: 'Go', cancel: 'Stop' }, 0, 'OK\r\n'), 'Go');
  });

  test('open: OpenFileDialog with Multiselect and the filter from the environment', () => {
    const cmd = fileDialogCommand('powershell', openRequest);
    assert.match(
      cmd.args[4] ?? '',
      /OpenFileDialog; .*\$d\.Filter = \$env:AIRLOCK_DIALOG_FILTER.*\$d\.Multiselect = \$true; .*FileNames -join/,
    );
    assert.deepEqual(cmd.env, {
      AIRLOCK_DIALOG_TITLE: 'Pick',
      AIRLOCK_DIALOG_DIR: '/home/u/Pictures',
      AIRLOCK_DIALOG_FILE: '',
      AIRLOCK_DIALOG_FILTER: 'Images|*.png;*.jpg',
    });
  });
});
