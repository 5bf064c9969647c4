/**
 * What a person reads: colours (only on a terminal, never with NO_COLOR), the start-up banner, one-line logs, and
 * errors that say where the problem is and how to fix it.
 */
import path from 'node:path';

const useColor = process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined && process.env['TERM'] !== 'dumb';

const paint =
  (code: number) =>
  (text: string): string =>
    useColor ? `\u001b[${code}m${text}\u001b[0m` : text;
export const bold = paint(1);
export const dim = paint(2);
export const red = paint(31);
export const green = paint(32);
export const yellow = paint(33);
export const cyan = paint(36);

/** An error the CLI explains itself: a message, and what to do about it. */
export class CliError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'CliError';
    this.hint = hint;
  }
}

/** A path as short as possible for display: relative to the working directory when inside it. */
export function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

export function log(line: string): void {
  console.log(`${dim('[airlock]')} ${line}`);
}

export function warn(line: string): void {
  console.warn(`${yellow('[airlock]')} ${line}`);
}

export function printError(error: unknown): void {
  if (error instanceof CliError) {
    console.error(`${red('error:')} ${error.message}`);
    if (error.hint !== undefined) for (const line of error.hint.split('\n')) console.error(`  ${dim('→')} ${line}`);
    return;
  }
  const e = error as { code?: unknown; message?: unknown; stack?: unknown };
  if (e !== null && typeof e === 'object' && e.code === 'CONFIG' && typeof e.message === 'string') {
    console.error(`${red('error:')} ${e.message}`);
    console.error(`  ${dim('→')} fix the key in the config file and run again; keys Airlock reads are listed in docs/cli.md`);
    return;
  }
  console.error(`${red('error:')}`, error);
}

/** `label: value` rows with aligned values. */
export function rows(entries: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `  ${dim(k.padEnd(width))}  ${v}`).join('\n');
}
