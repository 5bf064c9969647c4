/**
 * `build.beforeDevCommand` / `build.beforeBuildCommand` and waiting for `build.devUrl`, as `tauri dev` does.
 */
import http from 'node:http';
import type { ShellCommand } from './project.js';
import { type Managed, spawnManaged } from './processes.js';
import { CliError, dim, log } from './output.js';

/** Runs a config command through the shell, output to the terminal, in its own process group. */
export function runShellCommand(command: ShellCommand, env: NodeJS.ProcessEnv = {}): Managed {
  const shell = process.platform === 'win32' ? (process.env['ComSpec'] ?? 'cmd.exe') : '/bin/sh';
  const args = process.platform === 'win32' ? ['/d', '/s', '/c', command.script] : ['-c', command.script];
  log(`running ${dim(command.script)}`);
  return spawnManaged(shell, args, { cwd: command.cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
}

function probe(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000, headers: { accept: 'text/html' } }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Resolves once `url` answers any HTTP response; rejects after `timeoutMs` or when `abort` fires. */
export async function waitForUrl(url: string, timeoutMs: number, abort: Promise<unknown>): Promise<void> {
  const end = Date.now() + timeoutMs;
  let told = false;
  let aborted = false;
  void abort.then(() => (aborted = true));
  for (;;) {
    if (await probe(url)) return;
    if (aborted) throw new CliError(`build.beforeDevCommand exited before ${url} answered`, 'check the dev server output above');
    if (Date.now() > end) {
      throw new CliError(
        `${url} (build.devUrl) did not answer within ${Math.round(timeoutMs / 1000)} s`,
        'does build.beforeDevCommand start the dev server on that port? (Vite: `server.port` + `server.strictPort: true`)',
      );
    }
    if (!told && Date.now() > end - timeoutMs + 1500) {
      told = true;
      log(`waiting for the dev server at ${url} …`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** An origin no page of the app has: a dev server that lets it read responses lets every local page read them. */
const OTHER_LOCAL_ORIGIN = 'http://localhost:9';

/**
 * Whether the dev server answers another local origin with CORS headers that let it read responses (Vite's default
 * does, for every localhost port). The core never needs that: it proxies the dev server as its own origin.
 */
export function readableByOtherOrigins(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000, headers: { origin: OTHER_LOCAL_ORIGIN } }, (res) => {
      res.resume();
      const allowed = res.headers['access-control-allow-origin'];
      resolve(allowed === '*' || allowed === OTHER_LOCAL_ORIGIN);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
