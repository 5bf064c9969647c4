/**
 * The dialog helpers of each platform as exact command lines (pure, so the macOS and Windows ones are tested on any
 * machine): zenity or kdialog on Linux, osascript on macOS, PowerShell's Windows Forms on Windows. Text the page
 * gives (message, title, labels, paths) never becomes code: it is a separate argument (zenity, kdialog, osascript's
 * `argv`) or an environment variable (PowerShell), so no quoting can be escaped.
 */
import type { HelperCommand } from '../shared/os-helper.js';

export type DialogBackend = 'zenity' | 'kdialog' | 'osascript' | 'powershell';

export interface DialogFilter {
  readonly name: string;
  readonly extensions: readonly string[];
}

export interface FileDialogRequest {
  readonly mode: 'open' | 'save';
  readonly title?: string | undefined;
  readonly filters: readonly DialogFilter[];
  readonly multiple: boolean;
  readonly directory: boolean;
  /** Where to start: a directory, or a file (its folder and name). */
  readonly directoryPath?: string | undefined;
  readonly fileName?: string | undefined;
}

/** The buttons of a message dialog: what the first (accepting) one, the second (refusing) and a third are labelled. */
export interface Buttons {
  readonly ok: string;
  readonly cancel?: string | undefined;
  readonly extra?: string | undefined;
}

export type MessageKind = 'info' | 'warning' | 'error';

export interface MessageRequest {
  readonly message: string;
  readonly title?: string | undefined;
  readonly kind: MessageKind;
  readonly buttons: Buttons;
}

export interface DialogCommand extends HelperCommand {
  /** Extra environment for the helper (PowerShell reads the page's text from it). */
  readonly env?: Readonly<Record<string, string>>;
}

/** `@tauri-apps/plugin-dialog`'s `buttons` wire form (a serde enum) → labels. An unknown form is `Ok`. */
export function parseButtons(raw: unknown, fallback: 'Ok' | 'OkCancel' | 'YesNo' = 'Ok'): Buttons {
  const named = (name: unknown): Buttons | undefined => {
    if (name === 'Ok') return { ok: 'Ok' };
    if (name === 'OkCancel') return { ok: 'Ok', cancel: 'Cancel' };
    if (name === 'YesNo') return { ok: 'Yes', cancel: 'No' };
    if (name === 'YesNoCancel') return { ok: 'Yes', cancel: 'No', extra: 'Cancel' };
    return undefined;
  };
  if (typeof raw === 'string') return named(raw) ?? (named(fallback) as Buttons);
  if (typeof raw === 'object' && raw !== null) {
    const r = raw as Record<string, unknown>;
    const str = (v: unknown): v is string => typeof v === 'string';
    if (str(r['OkCustom'])) return { ok: r['OkCustom'] };
    const two = r['OkCancelCustom'];
    if (Array.isArray(two) && two.length === 2 && two.every(str)) return { ok: two[0] as string, cancel: two[1] as string };
    const three = r['YesNoCancelCustom'];
    if (Array.isArray(three) && three.length === 3 && three.every(str)) {
      return { ok: three[0] as string, cancel: three[1] as string, extra: three[2] as string };
    }
  }
  return named(fallback) as Buttons;
}

const ZENITY = { program: 'zenity', debianPackage: 'zenity' } as const;
const KDIALOG = { program: 'kdialog', debianPackage: 'kdialog' } as const;

export function fileDialogCommand(backend: DialogBackend, r: FileDialogRequest): DialogCommand {
  const start =
    r.directoryPath !== undefined && r.fileName !== undefined ? `${r.directoryPath}/${r.fileName}` : (r.directoryPath ?? r.fileName);
  switch (backend) {
    case 'zenity': {
      const args = ['--file-selection'];
      if (r.title !== undefined) args.push(`--title=${r.title}`);
      if (r.mode === 'save') args.push('--save');
      if (r.directory) args.push('--directory');
      if (r.multiple) args.push('--multiple', '--separator=\n');
      // A directory ends with `/` so zenity starts inside it rather than selecting it.
      if (start !== undefined) args.push(`--filename=${r.fileName === undefined ? `${start.replace(/\/$/, '')}/` : start}`);
      for (const f of r.filters) args.push(`--file-filter=${f.name} | ${f.extensions.map((e) => `*.${e}`).join(' ')}`);
      return { ...ZENITY, args };
    }
    case 'kdialog': {
      const args: string[] = [];
      if (r.title !== undefined) args.push('--title', r.title);
      const filter = r.filters.map((f) => `${f.name} (${f.extensions.map((e) => `*.${e}`).join(' ')})`).join('\n');
      if (r.directory) args.push('--getexistingdirectory', start ?? '.');
      else if (r.mode === 'save') args.push('--getsavefilename', start ?? '.', ...(filter === '' ? [] : [filter]));
      else args.push('--getopenfilename', start ?? '.', ...(filter === '' ? [] : [filter]));
      if (r.multiple && !r.directory && r.mode === 'open') args.push('--multiple', '--separate-output');
      return { ...KDIALOG, args };
    }
    case 'osascript': {
      // argv: 1 prompt, 2 start folder ('' = none), 3 file name ('' = none), 4… extensions.
      const exts = r.filters.flatMap((f) => f.extensions);
      const lines = ['on run argv', 'set t to item 1 of argv', 'set d to item 2 of argv', 'set n to item 3 of argv'];
      let choose: string;
      if (r.mode === 'save') choose = 'choose file name with prompt t';
      else if (r.directory) choose = 'choose folder with prompt t';
      else choose = `choose file with prompt t${exts.length > 0 ? ' of type (items 4 thru -1 of argv)' : ''}`;
      if (r.mode === 'open' && r.multiple) choose += ' with multiple selections allowed';
      lines.push(
        `if d is "" then`,
        `set p to (${choose})`,
        'else',
        `set p to (${choose} default location (POSIX file d))`,
        'end if',
        'if class of p is not list then set p to {p}',
        'set out to ""',
        'repeat with f in p',
        'set out to out & POSIX path of f & linefeed',
        'end repeat',
        'return out',
        'end run',
      );
      if (r.mode === 'save')
        lines.splice(
          lines.indexOf(`set p to (${choose})`),
          1,
          `if n is "" then`,
          `set p to (${choose})`,
          'else',
          `set p to (${choose} default name n)`,
          'end if',
        );
      return {
        program: 'osascript',
        args: [...lines.flatMap((l) => ['-e', l]), r.title ?? '', r.directoryPath ?? '', r.fileName ?? '', ...exts],
      };
    }
    case 'powershell': {
      const env: Record<string, string> = {
        AIRLOCK_DIALOG_TITLE: r.title ?? '',
        AIRLOCK_DIALOG_DIR: r.directoryPath ?? '',
        AIRLOCK_DIALOG_FILE: r.fileName ?? '',
        AIRLOCK_DIALOG_FILTER: r.filters.map((f) => `${f.name}|${f.extensions.map((e) => `*.${e}`).join(';')}`).join('|'),
      };
      let script: string;
      if (r.directory) {
        script =
          '$d = New-Object System.Windows.Forms.FolderBrowserDialog; $d.Description = $env:AIRLOCK_DIALOG_TITLE; if ($env:AIRLOCK_DIALOG_DIR) { $d.SelectedPath = $env:AIRLOCK_DIALOG_DIR }; if ($d.ShowDialog() -eq "OK") { $d.SelectedPath }';
      } else {
        const type = r.mode === 'save' ? 'SaveFileDialog' : 'OpenFileDialog';
        script = `$d = New-Object System.Windows.Forms.${type}; $d.Title = $env:AIRLOCK_DIALOG_TITLE; if ($env:AIRLOCK_DIALOG_FILTER) { $d.Filter = $env:AIRLOCK_DIALOG_FILTER }; if ($env:AIRLOCK_DIALOG_DIR) { $d.InitialDirectory = $env:AIRLOCK_DIALOG_DIR }; if ($env:AIRLOCK_DIALOG_FILE) { $d.FileName = $env:AIRLOCK_DIALOG_FILE }; ${r.multiple && r.mode === 'open' ? '$d.Multiselect = $true; ' : ''}if ($d.ShowDialog() -eq "OK") { $d.FileNames -join "\`n" }`;
      }
      return {
        program: 'powershell.exe',
        args: ['-NoProfile', '-NonInteractive', '-STA', '-Command', `Add-Type -AssemblyName System.Windows.Forms; ${script}`],
        env,
      };
    }
  }
}

export function messageCommand(backend: DialogBackend, r: MessageRequest): DialogCommand {
  const { ok, cancel, extra } = r.buttons;
  switch (backend) {
    case 'zenity': {
      const args: string[] = [];
      if (cancel === undefined) args.push(`--${r.kind}`);
      else args.push('--question');
      args.push('--no-markup', `--text=${r.message}`);
      if (r.title !== undefined) args.push(`--title=${r.title}`);
      args.push(`--ok-label=${ok}`);
      if (cancel !== undefined) args.push(`--cancel-label=${cancel}`);
      if (extra !== undefined) args.push(`--extra-button=${extra}`);
      return { ...ZENITY, args };
    }
    case 'kdialog': {
      const args: string[] = [];
      if (r.title !== undefined) args.push('--title', r.title);
      if (cancel === undefined) {
        args.push(r.kind === 'error' ? '--error' : r.kind === 'warning' ? '--sorry' : '--msgbox', r.message, '--ok-label', ok);
      } else if (extra === undefined) {
        args.push(r.kind === 'info' ? '--yesno' : '--warningyesno', r.message, '--yes-label', ok, '--no-label', cancel);
      } else {
        args.push(
          r.kind === 'info' ? '--yesnocancel' : '--warningyesnocancel',
          r.message,
          '--yes-label',
          ok,
          '--no-label',
          cancel,
          '--cancel-label',
          extra,
        );
      }
      return { ...KDIALOG, args };
    }
    case 'osascript': {
      // argv: 1 message, 2 title, 3 accepting label, 4 refusing label, 5 third label. The default (rightmost) is the first.
      const labels =
        extra !== undefined
          ? '{item 5 of argv, item 4 of argv, item 3 of argv}'
          : cancel !== undefined
            ? '{item 4 of argv, item 3 of argv}'
            : '{item 3 of argv}';
      const icon = r.kind === 'error' ? 'stop' : r.kind === 'warning' ? 'caution' : 'note';
      const lines = [
        'on run argv',
        `set r to display dialog (item 1 of argv) with title (item 2 of argv) buttons ${labels} default button (item 3 of argv) with icon ${icon}`,
        'return button returned of r',
        'end run',
      ];
      return { program: 'osascript', args: [...lines.flatMap((l) => ['-e', l]), r.message, r.title ?? '', ok, cancel ?? '', extra ?? ''] };
    }
    case 'powershell': {
      const buttons = extra !== undefined ? 'YesNoCancel' : cancel !== undefined ? (ok === 'Yes' ? 'YesNo' : 'OKCancel') : 'OK';
      const icon = r.kind === 'error' ? 'Error' : r.kind === 'warning' ? 'Warning' : 'Information';
      return {
        program: 'powershell.exe',
        args: [
          '-NoProfile',
          '-NonInteractive',
          '-STA',
          '-Command',
          `Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.MessageBox]::Show($env:AIRLOCK_DIALOG_TEXT, $env:AIRLOCK_DIALOG_TITLE, '${buttons}', '${icon}')`,
        ],
        env: { AIRLOCK_DIALOG_TEXT: r.message, AIRLOCK_DIALOG_TITLE: r.title ?? '' },
      };
    }
  }
}

/** Which button a finished message helper means, from its exit code and output. */
export function messageAnswer(backend: DialogBackend, buttons: Buttons, code: number | null, stdout: string, stderr = ''): string {
  const { ok, cancel, extra } = buttons;
  const out = stdout.replace(/\r?\n$/, '');
  const dismissed = extra ?? cancel ?? ok;
  switch (backend) {
    case 'zenity':
      if (code === 0) return ok;
      if (extra !== undefined && out === extra) return extra;
      return code === 1 && stdout === '' ? (cancel ?? ok) : dismissed;
    case 'kdialog':
      if (code === 0) return ok;
      if (code === 1) return cancel ?? ok;
      return dismissed;
    case 'osascript':
      if (code === 0 && [ok, cancel, extra].includes(out)) return out;
      // A button named "Cancel" (or Esc) ends the script with error -128.
      return /-128/.test(stderr) ? (cancel ?? ok) : dismissed;
    case 'powershell': {
      const r = out.trim();
      if (r === 'OK' || r === 'Yes') return ok;
      if (r === 'No') return cancel ?? ok;
      if (r === 'Cancel') return extra ?? cancel ?? ok;
      return dismissed;
    }
  }
}
