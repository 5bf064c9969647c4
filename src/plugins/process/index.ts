/**
 * The `process` plugin, for `@tauri-apps/plugin-process` 2.x: `exit(code)` (`plugin:process|exit {code}`) and
 * `relaunch()` (`plugin:process|restart`). As Tauri's, `exit` ends the app: every page is closed, the app closes
 * (plugins' `onEvent(Exit)` and `onDrop` run) and the Node process then exits with `code` once nothing else keeps it
 * alive (`process.exitCode`; a host that embeds the app can pass `exit` to decide itself). `relaunch` starts a new
 * copy of the current Node process (same executable, flags, arguments, working directory and environment) and then
 * exits this one with code 0.
 *
 * @example
 *   import processPlugin from 'airlock/plugins/process';
 *   await Builder.default().plugin(processPlugin()).build();
 */
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { command } from '../../core/commands.js';
import type { AppHandle } from '../../core/handle.js';
import { PluginBuilder } from '../../core/plugin.js';
import { globalApi } from '../shared/global-api.js';

export interface ProcessOptions {
  /** Replaces what `exit(code)` does (default: close the app, then exit the Node process with `code`). */
  readonly exit?: ((code: number, app: AppHandle) => void) | undefined;
  /** Replaces what `relaunch()` does (default: spawn a copy of this process, then exit with 0). */
  readonly relaunch?: ((app: AppHandle) => void) | undefined;
}

/** The command line of the copy `relaunch()` starts: this process's executable, flags and arguments. */
export function relaunchCommand(): { program: string; args: string[] } {
  return { program: process.execPath, args: [...process.execArgv, ...process.argv.slice(1)] };
}

function defaultExit(code: number, app: AppHandle): void {
  process.exitCode = code;
  app.exit(code);
}

function defaultRelaunch(app: AppHandle): void {
  const { program, args } = relaunchCommand();
  const child = spawn(program, args, { cwd: process.cwd(), env: process.env, detached: true, stdio: 'inherit' });
  child.on('error', () => {}); // reported by the copy not starting; this one still exits as asked
  child.unref();
  defaultExit(0, app);
}

export default function processPlugin(options: ProcessOptions = {}) {
  const exit = options.exit ?? defaultExit;
  const relaunch = options.relaunch ?? defaultRelaunch;
  return new PluginBuilder('process')
    .invokeHandler({
      exit: command(z.object({ code: z.number().int().min(-2147483648).max(2147483647).nullish() }), ({ code }, ctx) => {
        // Answer first: the page's promise settles before its socket closes.
        setImmediate(() => exit(code ?? 0, ctx.app));
        return null;
      }),
      restart: (_args: unknown, ctx) => {
        // Under `airlock dev`/`airlock run` the CLI owns the core's process: a detached copy would escape it.
        const mode = process.env['AIRLOCK_MODE'];
        if (options.relaunch === undefined && mode !== undefined && mode !== '') {
          throw new Error(
            `relaunch() is not available while the core runs under \`airlock ${mode}\` (the CLI owns its process and restarts it when its files change); pass processPlugin({ relaunch }) to decide what it does`,
          );
        }
        setImmediate(() => relaunch(ctx.app));
        return null;
      },
    })
    .permissions(new URL('./permissions', import.meta.url))
    .jsInitScript(globalApi('process'))
    .build();
}
