/**
 * `airlock/plugins/log`: Tauri's log plugin (`tauri-plugin-log`) for `@tauri-apps/plugin-log`. The page's
 * `trace`…`error` send `plugin:log|log {level, message, location, file, line, keyValues}`; each record goes to the
 * configured targets, formatted as Tauri's default `[YYYY-MM-DD][HH:MM:SS][webview:<location>][LEVEL] message`:
 * stdout, stderr, a log file in the app's log directory (`BaseDirectory.AppLog`, named after the product), a file in
 * a folder of your choice, and the webviews (`log://log`, what `attachConsole`/`attachLogger` listen to; off by
 * default, as in Tauri). A file past `maxFileSize` is rotated (Tauri's KeepOne: deleted; KeepAll: renamed with a
 * timestamp).
 *
 * @example
 *   import log from 'airlock/plugins/log';
 *   Builder.default().plugin(log({ targets: [{ kind: 'stdout' }, { kind: 'logDir' }, { kind: 'webview' }] }));
 *   // page: import { info, attachConsole } from '@tauri-apps/plugin-log'; await attachConsole(); await info('ready');
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { command } from '../../core/commands.js';
import type { AppHandle } from '../../core/handle.js';
import { BaseDirectory } from '../../core/paths.js';
import { PluginBuilder } from '../../core/plugin.js';
import { AirlockError, ErrorCode } from '../../protocol/errors.js';
import { pluginConfig } from '../shared/config.js';
import { globalApi } from '../shared/global-api.js';

/** Where records go (Tauri's `TargetKind`). */
export type LogTarget =
  | { readonly kind: 'stdout' }
  | { readonly kind: 'stderr' }
  /** `<AppLog>/<fileName ?? productName>.log`. */
  | { readonly kind: 'logDir'; readonly fileName?: string }
  /** `<path>/<fileName ?? productName>.log`. */
  | { readonly kind: 'folder'; readonly path: string; readonly fileName?: string }
  /** Every page's `log://log` listeners (`attachConsole`, `attachLogger`). */
  | { readonly kind: 'webview' };

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LogOptions {
  /** Default: stdout and the log directory, as Tauri's. */
  readonly targets?: readonly LogTarget[];
  /** Records below this level are dropped (default `trace`: all). */
  readonly level?: LogLevelName;
  /** A log file larger than this many bytes is rotated before the next write (default 40 000, as Tauri). */
  readonly maxFileSize?: number;
  /** `keepOne` deletes the full file; `keepAll` renames it `<name>_<YYYY-MM-DD_HH-MM-SS>.log` (default `keepOne`). */
  readonly rotationStrategy?: 'keepOne' | 'keepAll';
  /** Timestamps in UTC (default, as Tauri) or in the machine's local time. */
  readonly timezoneStrategy?: 'utc' | 'local';
}

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
const LEVEL_OF: Record<LogLevelName, number> = { trace: 1, debug: 2, info: 3, warn: 4, error: 5 };

const target = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('stdout') }),
  z.object({ kind: z.literal('stderr') }),
  z.object({ kind: z.literal('logDir'), fileName: z.string().min(1).optional() }),
  z.object({ kind: z.literal('folder'), path: z.string().min(1), fileName: z.string().min(1).optional() }),
  z.object({ kind: z.literal('webview') }),
]);
const optionsSchema = z.object({
  targets: z.array(target).default([{ kind: 'stdout' }, { kind: 'logDir' }]),
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('trace'),
  maxFileSize: z.number().int().positive().default(40_000),
  rotationStrategy: z.enum(['keepOne', 'keepAll']).default('keepOne'),
  timezoneStrategy: z.enum(['utc', 'local']).default('utc'),
});
type Settings = z.output<typeof optionsSchema>;

const logArgs = z.object({
  level: z.number().int().min(1).max(5),
  message: z.string(),
  location: z.string().nullish(),
  file: z.string().nullish(),
  line: z.number().int().nullish(),
  keyValues: z.record(z.string(), z.string().nullish()).nullish(),
});

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `[YYYY-MM-DD][HH:MM:SS]` (and the rotation suffix `YYYY-MM-DD_HH-MM-SS`) in UTC or local time. */
function stamp(date: Date, utc: boolean): { day: string; time: string } {
  const [y, mo, d, h, mi, s] = utc
    ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()];
  return { day: `${y}-${pad(mo)}-${pad(d)}`, time: `${pad(h)}:${pad(mi)}:${pad(s)}` };
}

/** One line in Tauri's default format. */
export function formatRecord(date: Date, utc: boolean, target: string, level: number, message: string): string {
  const { day, time } = stamp(date, utc);
  return `[${day}][${time}][${target}][${LEVELS[level - 1] ?? 'INFO'}] ${message}`;
}

/** A log file, appended in order, rotated when it grows past the limit. */
class LogFile {
  #queue: Promise<void> = Promise.resolve();
  #size: number | undefined;
  constructor(
    readonly file: string,
    readonly settings: Settings,
  ) {}

  append(line: string): Promise<void> {
    const run = this.#queue.then(() => this.#write(line));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #write(line: string): Promise<void> {
    const bytes = Buffer.byteLength(line) + 1;
    if (this.#size === undefined) {
      await mkdir(path.dirname(this.file), { recursive: true });
      this.#size = await stat(this.file).then(
        (s) => s.size,
        () => 0,
      );
    }
    if (this.#size > 0 && this.#size + bytes > this.settings.maxFileSize) {
      if (this.settings.rotationStrategy === 'keepAll') {
        const { day, time } = stamp(new Date(), this.settings.timezoneStrategy === 'utc');
        const parsed = path.parse(this.file);
        const stem = path.join(parsed.dir, `${parsed.name}_${day}_${time.replaceAll(':', '-')}`);
        // Two rotations in one second must not overwrite each other: the second gets `_1`, and so on.
        let target = `${stem}${parsed.ext}`;
        for (let n = 1; existsSync(target); n++) target = `${stem}_${n}${parsed.ext}`;
        await rename(this.file, target);
      } else {
        await rm(this.file, { force: true });
      }
      this.#size = 0;
    }
    await appendFile(this.file, `${line}\n`);
    this.#size += bytes;
  }
}

function logFiles(app: AppHandle, settings: Settings): LogFile[] {
  const files: LogFile[] = [];
  for (const t of settings.targets) {
    if (t.kind !== 'logDir' && t.kind !== 'folder') continue;
    const name = `${t.fileName ?? app.config.productName}.log`;
    let dir: string | undefined;
    if (t.kind === 'folder') dir = path.resolve(t.path);
    else dir = app.path.baseDirectory(BaseDirectory.AppLog);
    if (dir === undefined) {
      throw new AirlockError(
        ErrorCode.CONFIG,
        'plugin `log`: the app log directory (BaseDirectory.AppLog) cannot be determined on this machine; set HOME, or use a `folder` target',
      );
    }
    files.push(new LogFile(path.join(dir, name), settings));
  }
  return files;
}

class LogState {
  constructor(
    readonly settings: Settings,
    readonly files: LogFile[],
  ) {}
}

export default function log(options: LogOptions = {}) {
  return new PluginBuilder('log')
    .permissions(new URL('./permissions', import.meta.url))
    .jsInitScript(globalApi('log'))
    .setup((app, api) => {
      const settings = pluginConfig('log', api.config, options, optionsSchema);
      app.manage(new LogState(settings, logFiles(app, settings)));
    })
    .invokeHandler({
      log: command(logArgs, async (record, ctx) => {
        const { settings, files } = ctx.state(LogState);
        if (record.level < LEVEL_OF[settings.level]) return null;
        const where = record.location ? `webview:${record.location}` : 'webview';
        const line = formatRecord(new Date(), settings.timezoneStrategy === 'utc', where, record.level, record.message);
        const writes: Promise<void>[] = files.map((f) => f.append(line));
        for (const t of settings.targets) {
          if (t.kind === 'stdout') process.stdout.write(`${line}\n`);
          else if (t.kind === 'stderr') process.stderr.write(`${line}\n`);
          else if (t.kind === 'webview') ctx.app.emit('log://log', { message: line, level: record.level });
        }
        try {
          await Promise.all(writes);
        } catch (cause) {
          throw new AirlockError(ErrorCode.PLUGIN, `failed to write the log file: ${(cause as Error).message}`, { cause });
        }
        return null;
      }),
    })
    .build();
}
