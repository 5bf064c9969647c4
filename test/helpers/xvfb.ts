// A private X display for tests that drive real desktop helpers (zenity, xclip), and xdotool to answer them.
import { type ChildProcess, execFile, spawn } from 'node:child_process';

export interface Display extends AsyncDisposable {
  /** `:N`, for DISPLAY. */
  readonly display: string;
  /** The environment helpers run with: the test process's, on this display, without the accessibility bus. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs xdotool on this display (bounded); resolves with its stdout. */
  xdotool(...args: string[]): Promise<string>;
}

/** Starts Xvfb on a free display number (it picks one and reports it on fd 3). */
export async function startXvfb(): Promise<Display> {
  // -noreset: by default Xvfb resets when its last client disconnects, and a client connecting during the reset (an
  // xdotool between two dialogs) is refused ("Can't open display").
  const child: ChildProcess = spawn('Xvfb', ['-displayfd', '3', '-noreset', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const fd = child.stdio[3] as NodeJS.ReadableStream;
  const number = await new Promise<string>((resolve, reject) => {
    let text = '';
    fd.setEncoding('utf8');
    fd.on('data', (s: string) => {
      text += s;
      if (text.includes('\n')) resolve(text.trim());
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before reporting its display`)));
  });
  const display = `:${number}`;
  const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: display, NO_AT_BRIDGE: '1', GTK_A11Y: 'none' };
  delete env['WAYLAND_DISPLAY'];
  return {
    display,
    env,
    xdotool: (...args: string[]) =>
      new Promise((resolve, reject) => {
        execFile('xdotool', args, { env, timeout: 15_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`xdotool ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
        );
      }),
    async [Symbol.asyncDispose]() {
      child.kill('SIGTERM');
    },
  };
}
