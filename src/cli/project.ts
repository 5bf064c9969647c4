/**
 * A Tauri-shaped project, as the CLI finds it:
 *
 *   <dir>/src-tauri/tauri.conf.json     the config, untouched from a Tauri project (or <dir>/tauri.conf.json)
 *   <dir>/src-tauri/capabilities/*.json  capability files, next to the config
 *   <dir>/src-tauri/main.ts             the TypeScript backend that takes Rust's place (`--entry` overrides; also
 *                                       main.mts/.js/.mjs, or src-tauri/src/main.ts)
 *
 * The entry's default export is an Airlock `Builder` (commands, state, setup), or a function that returns one,
 * given `{ mode, projectDir, configPath }`. The CLI builds it with the config and serves it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type AppConfig, loadConfig } from '../core/config.js';
import { CliError, shown } from './output.js';

export interface ShellCommand {
  readonly script: string;
  /** Absolute working directory. */
  readonly cwd: string;
  /** Tauri's `wait`: wait for the command to exit before going on. */
  readonly wait: boolean;
}

export interface Project {
  readonly dir: string;
  readonly configPath: string;
  readonly entry: string;
  readonly config: AppConfig;
  readonly beforeDevCommand: ShellCommand | undefined;
  readonly beforeBuildCommand: ShellCommand | undefined;
  /** Raw `build.frontendDist` when it is a directory (absolute), as written. */
  readonly frontendDist: string | undefined;
  readonly devUrl: string | undefined;
}

const ENTRY_NAMES = ['main.ts', 'main.mts', 'main.js', 'main.mjs', path.join('src', 'main.ts'), path.join('src', 'main.js')];

export function findConfig(dir: string, explicit: string | undefined): string {
  if (explicit !== undefined) {
    const file = path.resolve(explicit);
    if (!existsSync(file)) throw new CliError(`config file ${shown(file)} does not exist`);
    return file;
  }
  for (const candidate of [path.join(dir, 'src-tauri', 'tauri.conf.json'), path.join(dir, 'tauri.conf.json')]) {
    if (existsSync(candidate)) return candidate;
  }
  const other = ['tauri.conf.json5', 'Tauri.toml'].map((n) => path.join(dir, 'src-tauri', n)).find((f) => existsSync(f));
  if (other !== undefined) {
    throw new CliError(
      `${shown(other)}: only tauri.conf.json is supported`,
      'convert the config to JSON (same keys), or pass --config <file>',
    );
  }
  throw new CliError(
    `no tauri.conf.json in ${shown(dir)} (looked for src-tauri/tauri.conf.json and tauri.conf.json)`,
    'run the command in a project directory, pass the directory (`airlock dev path/to/app`), or create one with `airlock init <dir>`',
  );
}

export function findEntry(configDir: string, explicit: string | undefined): string {
  if (explicit !== undefined) {
    const file = path.resolve(explicit);
    if (!existsSync(file)) throw new CliError(`entry ${shown(file)} does not exist`);
    return file;
  }
  for (const name of ENTRY_NAMES) {
    const file = path.join(configDir, name);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  throw new CliError(
    `no backend entry next to ${shown(path.join(configDir, 'tauri.conf.json'))} (looked for ${ENTRY_NAMES.join(', ')})`,
    `create ${shown(path.join(configDir, 'main.ts'))} with \`export default Builder.default().invokeHandler({ ... })\`, or pass --entry <file>`,
  );
}

type Json = Record<string, unknown>;

function readShellCommand(build: Json, key: string, source: string, base: string): ShellCommand | undefined {
  const v = build[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return { script: v, cwd: base, wait: false };
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Json;
    if (typeof o['script'] === 'string') {
      const cwd = typeof o['cwd'] === 'string' ? path.resolve(base, o['cwd']) : base;
      return { script: o['script'], cwd, wait: o['wait'] === true };
    }
  }
  throw new CliError(
    `${shown(source)}: \`build.${key}\` must be a string or { "script": string, "cwd"?: string }`,
    `got ${JSON.stringify(v)}`,
  );
}

export interface ProjectOptions {
  readonly config?: string | undefined;
  readonly entry?: string | undefined;
}

export function loadProject(dirArg: string | undefined, options: ProjectOptions = {}): Project {
  const dir = path.resolve(dirArg ?? '.');
  if (!existsSync(dir)) throw new CliError(`project directory ${shown(dir)} does not exist`);
  const configPath = findConfig(dir, options.config);
  const configDir = path.dirname(configPath);
  const config = loadConfig(configPath);
  const raw = JSON.parse(readFileSync(configPath, 'utf8')) as Json;
  const build = (typeof raw['build'] === 'object' && raw['build'] !== null ? raw['build'] : {}) as Json;
  // Tauri runs the before-commands in the frontend's directory: the project root, i.e. the parent of src-tauri/.
  const root = path.basename(configDir) === 'src-tauri' ? path.dirname(configDir) : configDir;
  return {
    dir,
    configPath,
    entry: findEntry(configDir, options.entry),
    config,
    beforeDevCommand: readShellCommand(build, 'beforeDevCommand', configPath, root),
    beforeBuildCommand: readShellCommand(build, 'beforeBuildCommand', configPath, root),
    frontendDist: config.frontendDist,
    devUrl: config.devUrl,
  };
}
