// Spawning the built CLI on fixture projects: temp copies of a fixture, the CLI's output as a waitable log, the
// whole process tree it started (read from /proc), and a cleanup that kills all of it even when a test fails.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testFrontend } from '../helpers/frontend.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO, 'dist', 'cli', 'main.js');
const FIXTURES = path.join(REPO, 'test', 'cli', 'fixtures');

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`node scripts/build.mjs\` first (npm test does)`);

/** A temp copy of `test/cli/fixtures/<name>`, with airlock (this repo) and the given packages linked in. */
export async function makeProject(name: string, options: { packages?: string[]; frontend?: boolean } = {}): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), `airlock-cli-${name}-`));
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  const modules = path.join(dir, 'node_modules');
  mkdirSync(path.join(modules, '@tauri-apps'), { recursive: true });
  symlinkSync(REPO, path.join(modules, 'airlock'), 'dir');
  for (const pkg of ['zod', ...(options.packages ?? [])]) {
    mkdirSync(path.dirname(path.join(modules, pkg)), { recursive: true });
    symlinkSync(path.join(REPO, 'node_modules', pkg), path.join(modules, pkg), 'dir');
  }
  if (options.frontend === true) {
    const built = await testFrontend();
    cpSync(built, path.join(dir, 'dist'), { recursive: true });
  }
  return dir;
}

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Pids of every live descendant of `pid` (from /proc; Linux). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const ppid = Number(fields[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process went away while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export interface Cli extends AsyncDisposable {
  readonly child: ChildProcess;
  /** Everything printed so far (stdout and stderr, colours off). */
  output(): string;
  /** Resolves with the first match of `re` in the output (waits for it). */
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the CLI exited. */
  readonly exited: Promise<number | null>;
  /** Every process the CLI started that is still alive (and every one ever seen, for the no-leftovers check). */
  tree(): number[];
  readonly seen: Set<number>;
}

/** Spawns `node dist/cli/main.js ...args`, or `...wrap node dist/cli/main.js ...args` (e.g. under xvfb-run). */
export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; wrap?: string[] } = {}): Cli {
  const argv = [...(options.wrap ?? []), process.execPath, CLI, ...args];
  // The app's browser profile lives under its local data dir: a temp one unless the test gives its own.
  const dataHome = options.env?.['XDG_DATA_HOME'] === undefined ? mkdtempSync(path.join(tmpdir(), 'airlock-cli-data-')) : undefined;
  const child = spawn(argv[0] ?? process.execPath, argv.slice(1), {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: '1', ...(dataHome === undefined ? {} : { XDG_DATA_HOME: dataHome }), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    text += chunk.toString();
    if (process.env['AIRLOCK_TEST_ECHO'] === '1') process.stderr.write(chunk);
    for (const w of waiters) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const seen = new Set<number>();
  const tree = (): number[] => {
    const pids = child.pid === undefined ? [] : descendants(child.pid);
    for (const p of pids) seen.add(p);
    return pids;
  };
  const sampler = setInterval(tree, 100);
  void exited.then(() => clearInterval(sampler));
  return {
    child,
    output: () => text,
    exited,
    tree,
    seen,
    waitFor(re, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = re.exec(text);
          if (m !== null) {
            finish();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`timed out after ${ms} ms waiting for ${re} in the CLI output:\n${text}`));
        }, ms);
        const onExit = (): void => {
          setTimeout(() => {
            if (re.exec(text) !== null) return check();
            finish();
            reject(new Error(`the CLI exited before printing ${re}:\n${text}`));
          }, 50);
        };
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
        };
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async [Symbol.asyncDispose]() {
      tree();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
        await exited;
        clearTimeout(timer);
      }
      clearInterval(sampler);
      for (const pid of seen) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      if (dataHome !== undefined) rmSync(dataHome, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** The launch URLs the CLI printed with --no-window, by label. */
export async function printedUrls(cli: Cli, labels: string[] = ['main']): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const label of labels) {
    const m = await cli.waitFor(new RegExp(`➜\\s+${label}\\s+(http://127\\.0\\.0\\.1:\\d+/\\S*)`));
    out[label] = m[1] ?? '';
  }
  return out;
}

export function writeFile(file: string, text: string): void {
  writeFileSync(file, text);
}
