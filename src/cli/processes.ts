/**
 * Child processes the CLI starts (the dev server command, browser windows): each in its own process group, so
 * stopping it stops everything it started (`npm run dev` → sh → node vite; chromium → its helpers), and so a
 * Ctrl-C in the terminal reaches the CLI first, which then stops them in order.
 */
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';

export interface Managed {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  readonly running: boolean;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the leader exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Managed>();

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    // already gone
  }
}

export function spawnManaged(command: string, args: readonly string[], options: SpawnOptions): Managed {
  const child = spawn(command, args, { ...options, detached: process.platform !== 'win32' });
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (error) => {
      running = false;
      resolve((error as NodeJS.ErrnoException).code ?? error.message);
    });
  });
  const pid = child.pid ?? -1;
  const managed: Managed = {
    child,
    pid,
    exited,
    get running() {
      return running;
    },
    async stop(graceMs = 3000) {
      if (pid > 0) signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => pid > 0 && signalGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Helpers of the group that outlive their leader (a browser's renderers, a dev server's workers).
      if (pid > 0) signalGroup(pid, 'SIGKILL');
    },
  };
  live.add(managed);
  void exited.then(() => live.delete(managed));
  return managed;
}

/** Last resort on an unexpected exit of the CLI itself: nothing it started may survive it. */
export function killAllSync(): void {
  for (const m of live) if (m.pid > 0) signalGroup(m.pid, 'SIGKILL');
}

process.once('exit', killAllSync);
