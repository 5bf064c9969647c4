/**
 * Running the OS's helper programs (xdg-open, notify-send, zenity, xclip, osascript, PowerShell …) for plugins: a
 * helper that is not installed is a clear `unsupported:` error naming the package that provides it, never a hang;
 * one that runs too long is killed. The platforms' command lines are pure functions here, so the macOS and Windows
 * ones are unit-tested as exact argv on any machine.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** A helper program and its arguments. */
export interface HelperCommand {
  readonly program: string;
  readonly args: readonly string[];
  /** The Debian package that provides `program`, named in the error when it is missing. */
  readonly debianPackage?: string;
}

export interface HelperResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** With `resolveOnExit` and `watchServing`: the process the helper left behind, still holding its output. */
  readonly serving?: ServingHelper;
}

/** What a helper left running in the background (a clipboard owner), seen through the output pipes it inherited. */
export interface ServingHelper {
  /** Resolves once every process holding the helper's stdout/stderr has let go, with all that was written to stderr. */
  readonly ended: Promise<string>;
  /** Stops watching: closes the core's end of the pipes (what still serves keeps running). */
  release(): void;
}

export interface RunHelperOptions {
  /** Written to the helper's stdin, which is then closed. */
  readonly input?: string | Uint8Array;
  /** Killed (SIGKILL) after this long; default 60 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  /** At most this much stdout/stderr is kept (default 16 MiB each). */
  readonly maxOutputBytes?: number;
  /**
   * Done when the helper exits with 0, even if a process it left behind still holds its output open: clipboard
   * owners (xclip, xsel, wl-copy) fork a child that keeps serving the selection, so waiting for their output to
   * close would wait until something else is copied.
   */
  readonly resolveOnExit?: boolean;
  /**
   * With `resolveOnExit`: keep reading the output the helper's background child inherited, and answer with
   * `serving`, whose `ended` tells when that child has gone (an xclip child exits when it loses the selection).
   * The caller must `release()` it.
   */
  readonly watchServing?: boolean;
}

/** The text every plugin rejects with when a helper is not installed. */
export function missingHelperText(command: HelperCommand): string {
  const pkg = command.debianPackage;
  return pkg === undefined
    ? `unsupported: \`${command.program}\` is not installed or not on PATH`
    : `unsupported: \`${command.program}\` is not installed; install the \`${pkg}\` package (on Debian/Ubuntu: apt-get install ${pkg})`;
}

/** Runs a helper to its end and collects its output; rejects on a missing program, a timeout or an abort. */
export function runHelper(command: HelperCommand, options: RunHelperOptions = {}): Promise<HelperResult> {
  const max = options.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const child = spawn(command.program, [...command.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on('data', (b: Buffer) => {
      if (outBytes < max) out.push(b);
      outBytes += b.length;
    });
    child.stderr.on('data', (b: Buffer) => {
      if (errBytes < max) err.push(b);
      errBytes += b.length;
    });
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(() => reject(new Error(`\`${command.program}\` did not finish within ${timeoutMs} ms and was stopped`)));
    }, timeoutMs);
    const onAbort = (): void => {
      child.kill('SIGKILL');
      done(() => reject(new Error(`\`${command.program}\` was stopped: the call was cancelled`)));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) => {
      done(() =>
        reject(new Error(e.code === 'ENOENT' ? missingHelperText(command) : `\`${command.program}\` could not start: ${e.message}`)),
      );
    });
    child.on('close', (code, signal) => {
      done(() => resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }));
    });
    if (options.resolveOnExit === true) {
      child.on('exit', (code, signal) => {
        if (code !== 0) return; // a failure leaves nothing behind: 'close' follows with all of stderr
        const release = (): void => {
          child.stdout.destroy();
          child.stderr.destroy();
        };
        if (options.watchServing !== true) {
          release();
          done(() => resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }));
          return;
        }
        const ended = new Promise<string>((resolveEnded) => child.once('close', () => resolveEnded(Buffer.concat(err).toString('utf8'))));
        done(() => resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), serving: { ended, release } }));
      });
    }
    child.stdin.on('error', () => {}); // a helper that exits without reading its input
    child.stdin.end(options.input);
  });
}

/** Runs a helper and fails unless it exits with 0; the error carries its stderr's first line. */
export async function runHelperOk(command: HelperCommand, options: RunHelperOptions = {}): Promise<HelperResult> {
  const r = await runHelper(command, options);
  if (r.code !== 0) {
    const why = r.stderr.toString('utf8').trim().split('\n')[0] ?? '';
    throw new Error(
      `\`${command.program}\` failed (${r.signal === null ? `exit code ${r.code}` : `signal ${r.signal}`})${why === '' ? '' : `: ${why}`}`,
    );
  }
  return r;
}

/**
 * Starts a launcher (an opener hands the target to another program and usually exits at once): resolves when it
 * exits with 0, or when it is still running after `settleMs` (it is then left running, detached from the core).
 */
export function launchHelper(command: HelperCommand, settleMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const child = spawn(command.program, [...command.args], { stdio: ['ignore', 'ignore', 'pipe'], detached: true, windowsHide: true });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (stderr.length < 4096) stderr += s;
    });
    const timer = setTimeout(() => {
      settled = true;
      child.stderr.destroy();
      child.unref();
      resolve();
    }, settleMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(e.code === 'ENOENT' ? missingHelperText(command) : `\`${command.program}\` could not start: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (code === 0) resolve();
      else {
        const why = stderr.trim().split('\n')[0] ?? '';
        reject(
          new Error(
            `\`${command.program}\` failed (${signal === null ? `exit code ${code}` : `signal ${signal}`})${why === '' ? '' : `: ${why}`}`,
          ),
        );
      }
    });
  });
}

export type HelperPlatform = NodeJS.Platform;

/**
 * The system opener for a URL or path (Tauri's opener: the default handler, or the program `withApp`):
 * `xdg-open` on Linux and the BSDs, `open` on macOS, `rundll32 url.dll,FileProtocolHandler` on Windows (no shell
 * parses the target there, so `&` or `^` in a URL cannot run anything).
 */
export function openerCommand(platform: HelperPlatform, target: string, withApp?: string): HelperCommand {
  if (platform === 'darwin') return { program: 'open', args: withApp === undefined ? [target] : ['-a', withApp, target] };
  if (platform === 'win32') {
    return withApp === undefined
      ? { program: 'rundll32.exe', args: ['url.dll,FileProtocolHandler', target] }
      : { program: withApp, args: [target] };
  }
  return withApp === undefined ? { program: 'xdg-open', args: [target], debianPackage: 'xdg-utils' } : { program: withApp, args: [target] };
}

/**
 * Shows a file selected in the file manager: `open -R` on macOS, `explorer /select,` on Windows, the freedesktop
 * `FileManager1.ShowItems` D-Bus call on Linux (its caller falls back to opening the parent folder).
 */
export function revealCommand(platform: HelperPlatform, paths: readonly string[]): HelperCommand {
  if (platform === 'darwin') return { program: 'open', args: ['-R', ...paths] };
  if (platform === 'win32') return { program: 'explorer.exe', args: [`/select,${paths[0] ?? ''}`] };
  const uris = paths.map((p) => pathToFileURL(p).href).join(',');
  return {
    program: 'dbus-send',
    args: [
      '--session',
      '--print-reply',
      '--dest=org.freedesktop.FileManager1',
      '--type=method_call',
      '/org/freedesktop/FileManager1',
      'org.freedesktop.FileManager1.ShowItems',
      `array:string:${uris}`,
      'string:',
    ],
    debianPackage: 'dbus',
  };
}

/** Options every plugin that opens things takes: a command that replaces the system opener (tests record with it). */
export interface SystemOpenerOptions {
  /**
   * Runs instead of the system opener (`xdg-open`/`open`/`rundll32`): program and leading arguments; the URL or
   * path is appended, and `--reveal` before the paths for `revealItemInDir`. Tests use a recording command.
   */
  readonly command?: readonly string[] | undefined;
}

/** Opens `target` with the system opener, the `withApp` program, or the replacement command. */
export function systemOpen(target: string, withApp: string | undefined, options: SystemOpenerOptions): Promise<void> {
  const [program, ...args] = options.command ?? [];
  if (program !== undefined && withApp === undefined) return launchHelper({ program, args: [...args, target] });
  return launchHelper(openerCommand(process.platform, target, withApp));
}

/** Reveals paths in the file manager (falls back to opening the parent folder on Linux without FileManager1). */
export async function systemReveal(paths: readonly string[], options: SystemOpenerOptions): Promise<void> {
  const [program, ...args] = options.command ?? [];
  if (program !== undefined) return launchHelper({ program, args: [...args, '--reveal', ...paths] });
  const platform = process.platform;
  if (platform === 'darwin' || platform === 'win32') return launchHelper(revealCommand(platform, paths));
  try {
    await runHelperOk(revealCommand(platform, paths), { timeoutMs: 5000 });
  } catch {
    const parent = path.dirname(paths[0] ?? '.');
    await launchHelper(openerCommand(platform, parent));
  }
}
