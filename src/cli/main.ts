#!/usr/bin/env node
/**
 * The `airlock` command: `dev`, `run` and `init` for Tauri-shaped projects with a TypeScript backend.
 * Usage and conventions: docs/cli.md.
 */
import { parseArgs } from 'node:util';
import { CliError, printError } from './output.js';

const USAGE = `airlock — Tauri v2 apps with a TypeScript core

Usage
  airlock dev  [dir]   run build.beforeDevCommand, serve build.devUrl through the core, open the windows,
                       restart the core when src-tauri/ changes
  airlock run  [dir]   run build.beforeBuildCommand, serve build.frontendDist, open the windows
  airlock init <dir>   create a new project (vanilla TypeScript + Vite, a command, an event, a channel)

Options (dev, run)
  --no-window          print the one-time URLs instead of opening windows (also automatic without a display)
  --headless           open every window in headless Chromium (no display needed: CI, tests)
  --port <n>           port on 127.0.0.1 (default: the one its windows used last, else a free one)
  --config <file>      tauri.conf.json to use (default: <dir>/src-tauri/tauri.conf.json)
  --entry <file>       TypeScript backend entry (default: src-tauri/main.ts next to the config)
  --verbose            log every IPC call, not only the failed ones
  --inspector          serve the live IPC inspector (default in dev; --no-inspector turns it off)
  --no-build           run: skip build.beforeBuildCommand
  --no-watch           dev: do not restart the core on backend changes

Options (init)
  --name <name>        product name (default: the directory name)
  --template <t>       vite (default: vanilla TypeScript + Vite, like create-tauri-app vanilla-ts)
  --airlock <spec>     how the project depends on airlock (default: file:<this airlock>)
  --force              write into a non-empty directory

Project convention: <dir>/src-tauri/tauri.conf.json, src-tauri/capabilities/*.json, and src-tauri/main.ts whose
default export is a Builder (or a function returning one). Environment: AIRLOCK_BROWSER (browser binary),
AIRLOCK_BROWSER_ARGS (extra flags), NO_COLOR.`;

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      'no-window': { type: 'boolean' },
      headless: { type: 'boolean' },
      port: { type: 'string' },
      config: { type: 'string' },
      entry: { type: 'string' },
      verbose: { type: 'boolean' },
      inspector: { type: 'boolean' },
      'no-inspector': { type: 'boolean' },
      'no-build': { type: 'boolean' },
      'no-watch': { type: 'boolean' },
      'dev-timeout': { type: 'string' },
      name: { type: 'string' },
      template: { type: 'string' },
      airlock: { type: 'string' },
      force: { type: 'boolean' },
    },
  });
  const [command, dir, ...rest] = positionals;
  if (values.version === true) {
    console.log('airlock 0.1.0');
    return 0;
  }
  if (values.help === true || command === undefined || command === 'help') {
    console.log(USAGE);
    return command === undefined && values.help !== true ? 1 : 0;
  }
  if (rest.length > 0) throw new CliError(`unexpected argument \`${rest[0]}\``, 'see `airlock --help`');
  if (command === 'dev' || command === 'run') {
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number, got ${values.port}`);
    const devTimeout = values['dev-timeout'] === undefined ? 60 : Number(values['dev-timeout']);
    const { runApp } = await import('./supervisor.js');
    return runApp({
      mode: command,
      dir,
      config: values.config,
      entry: values.entry,
      window: values['no-window'] !== true,
      headless: values.headless === true,
      port,
      verbose: values.verbose === true,
      build: values['no-build'] !== true,
      watch: values['no-watch'] !== true,
      devTimeoutMs: Math.max(1, devTimeout) * 1000,
      inspector: values['no-inspector'] !== true && (values.inspector === true || command === 'dev'),
    });
  }
  if (command === 'init') {
    if (dir === undefined) throw new CliError('airlock init needs a directory', 'airlock init my-app');
    const { initProject } = await import('./init.js');
    return initProject(dir, { name: values.name, template: values.template, airlock: values.airlock, force: values.force === true });
  }
  throw new CliError(`unknown command \`${command}\``, 'commands: dev, run, init (see `airlock --help`)');
}

try {
  const code = await main(process.argv.slice(2));
  // dev/run stop everything they started; exit now rather than wait for a user's stray timer in this process.
  process.exit(code);
} catch (error) {
  if (
    (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
    (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
  ) {
    printError(new CliError((error as Error).message, 'see `airlock --help`'));
  } else printError(error);
  process.exitCode = 1;
}
