/**
 * The clipboard helpers of each platform as exact command lines (pure, so the macOS and Windows ones are tested on
 * any machine): xclip, xsel or wl-clipboard on Linux, pbcopy/pbpaste and osascript on macOS, PowerShell on Windows.
 * `input` is what the helper reads on stdin; `output` says how its stdout is read back.
 */
import type { HelperCommand } from '../shared/os-helper.js';

export type ClipboardOp = 'readText' | 'writeText' | 'readImage' | 'writeImage' | 'writeHtml' | 'clear';

export interface ClipboardCommand extends HelperCommand {
  /** stdout holds: the text, PNG bytes, PNG bytes as base64 (PowerShell), or osascript's `«data PNGf…»` hex. */
  readonly output?: 'text' | 'png' | 'base64' | 'applescript-hex';
  /** The helper keeps running in the background to serve the selection (X11, Wayland): done when it exits. */
  readonly serves?: boolean;
  /**
   * How to read back what the helper was given. X11's helpers exit before the selection is theirs: xclip 0.13 forks
   * and exits while its request to own the selection still sits unsent in the child's buffer (the child flushes it
   * when it first waits for events), and xsel daemonizes before it asks for the selection. So such a write is done
   * only once this read gives back the bytes written. wl-copy needs none: it forks after a round trip that confirmed
   * the compositor took the selection.
   */
  readonly readBack?: HelperCommand;
  /**
   * The process left serving keeps the helper's stdout/stderr open until it loses the selection (xclip; not xsel,
   * which points them at /dev/null before it asks): its end also means the write took effect and was replaced since.
   */
  readonly ownerHoldsOutput?: boolean;
  /** A file the bytes must be written to first (macOS images): `{file}` in args is replaced by it. */
  readonly viaFile?: boolean;
}

export type ClipboardBackend = 'xclip' | 'xsel' | 'wl-clipboard' | 'macos' | 'windows';

/** Which helper a machine uses: Wayland's wl-clipboard when WAYLAND_DISPLAY is set, else xclip (or xsel when asked). */
export function clipboardBackend(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
  prefer?: ClipboardBackend,
): ClipboardBackend {
  if (prefer !== undefined) return prefer;
  if (platform === 'darwin') return 'macos';
  if (platform === 'win32') return 'windows';
  return env['WAYLAND_DISPLAY'] ? 'wl-clipboard' : 'xclip';
}

const PS = ['-NoProfile', '-NonInteractive', '-STA', '-Command'];
const PS_FORMS = 'Add-Type -AssemblyName System.Windows.Forms; Add-Type -AssemblyName System.Drawing; ';

export function clipboardCommand(backend: ClipboardBackend, op: ClipboardOp): ClipboardCommand {
  switch (backend) {
    case 'xclip': {
      const sel = ['-selection', 'clipboard'];
      const debianPackage = 'xclip';
      const target = op === 'readImage' || op === 'writeImage' ? ['-t', 'image/png'] : op === 'writeHtml' ? ['-t', 'text/html'] : [];
      const out = { program: 'xclip', args: [...sel, ...target, '-out'], debianPackage };
      if (op === 'readText') return { ...out, output: 'text' };
      if (op === 'readImage') return { ...out, output: 'png' };
      // writeText, writeImage, writeHtml, and clear (an empty selection replaces whatever was there)
      return { program: 'xclip', args: [...sel, ...target, '-in'], serves: true, readBack: out, ownerHoldsOutput: true, debianPackage };
    }
    case 'xsel': {
      const debianPackage = 'xsel';
      if (op === 'readText') return { program: 'xsel', args: ['--clipboard', '--output'], output: 'text', debianPackage };
      if (op === 'writeText') {
        const readBack = { program: 'xsel', args: ['--clipboard', '--output'], debianPackage };
        return { program: 'xsel', args: ['--clipboard', '--input'], serves: true, readBack, debianPackage };
      }
      if (op === 'clear') return { program: 'xsel', args: ['--clipboard', '--clear'], debianPackage };
      // xsel has no MIME targets: images and HTML go through xclip.
      return clipboardCommand('xclip', op);
    }
    case 'wl-clipboard': {
      const debianPackage = 'wl-clipboard';
      if (op === 'readText') return { program: 'wl-paste', args: ['--no-newline'], output: 'text', debianPackage };
      if (op === 'readImage') return { program: 'wl-paste', args: ['--type', 'image/png'], output: 'png', debianPackage };
      if (op === 'writeImage') return { program: 'wl-copy', args: ['--type', 'image/png'], serves: true, debianPackage };
      if (op === 'writeHtml') return { program: 'wl-copy', args: ['--type', 'text/html'], serves: true, debianPackage };
      if (op === 'clear') return { program: 'wl-copy', args: ['--clear'], debianPackage };
      return { program: 'wl-copy', args: [], serves: true, debianPackage };
    }
    case 'macos': {
      if (op === 'readText') return { program: 'pbpaste', args: [], output: 'text' };
      if (op === 'writeText' || op === 'clear') return { program: 'pbcopy', args: [] };
      if (op === 'readImage') return { program: 'osascript', args: ['-e', 'the clipboard as «class PNGf»'], output: 'applescript-hex' };
      if (op === 'writeImage') {
        return { program: 'osascript', args: ['-e', 'set the clipboard to (read (POSIX file "{file}") as «class PNGf»)'], viaFile: true };
      }
      return {
        program: 'osascript',
        args: ['-e', 'set the clipboard to (read (POSIX file "{file}") as «class HTML»)'],
        viaFile: true,
      };
    }
    case 'windows': {
      const program = 'powershell.exe';
      if (op === 'readText') return { program, args: [...PS, 'Get-Clipboard -Raw'], output: 'text' };
      if (op === 'writeText') return { program, args: [...PS, 'Set-Clipboard -Value ([Console]::In.ReadToEnd())'] };
      if (op === 'clear') return { program, args: [...PS, `${PS_FORMS}[System.Windows.Forms.Clipboard]::Clear()`] };
      if (op === 'readImage') {
        return {
          program,
          args: [
            ...PS,
            PS_FORMS +
              '$i = [System.Windows.Forms.Clipboard]::GetImage(); if ($i -eq $null) { exit 3 }; $m = New-Object System.IO.MemoryStream; $i.Save($m, [System.Drawing.Imaging.ImageFormat]::Png); [Convert]::ToBase64String($m.ToArray())',
          ],
          output: 'base64',
        };
      }
      if (op === 'writeImage') {
        return {
          program,
          args: [
            ...PS,
            PS_FORMS +
              '$b = [Convert]::FromBase64String([Console]::In.ReadToEnd()); $m = New-Object System.IO.MemoryStream(,$b); [System.Windows.Forms.Clipboard]::SetImage([System.Drawing.Image]::FromStream($m))',
          ],
        };
      }
      return { program, args: [...PS, 'Set-Clipboard -AsHtml -Value ([Console]::In.ReadToEnd())'] };
    }
  }
}
