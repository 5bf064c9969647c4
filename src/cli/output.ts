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

/**
 * Characters a terminal acts on instead of printing: C0 controls but newline and tab, DEL, C1 controls, and the
 * Unicode bidirectional overrides and isolates (which reorder what is shown).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** A colour sequence (SGR) with harmless parameters: no 8 (concealed text). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character starts the sequence
const SGR = /^\u001b\[(?:\d{1,3}(?:;\d{1,3}){0,7})?m/;

function visible(code: number): string {
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text made safe for a terminal: every control character shown as a visible escape (`\x1b`, `\u202e` …), so a
 * string from a page (a command name, an error that echoes an argument, a log message) cannot move the cursor,
 * clear the screen, set the window title, write the clipboard (OSC 52), make links, or forge a line with `\r`.
 * Colour sequences are kept when `colors` is true (the CLI's own, and Node's `util.inspect`), except concealment.
 */
export function terminalSafe(text: string, colors = useColor): string {
  if (!UNSAFE.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x1b && colors) {
      const m = SGR.exec(text.slice(i, i + 40));
      if (m !== null && !m[0].slice(2, -1).split(';').includes('8')) {
        out += m[0];
        i += m[0].length - 1;
        continue;
      }
    }
    const ch = text[i] as string;
    out += UNSAFE.test(ch) ? visible(code) : ch;
  }
  return out;
}

/**
 * Routes everything this process writes to its stdout and stderr through `terminalSafe` (the backend, whose
 * output — the core's log, the app's own, call lines — carries strings from pages).
 */
export function sanitizeTerminalOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const colors = stream.isTTY === true && useColor;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : chunk;
      const encoding = typeof rest[0] === 'string' ? rest.slice(1) : rest;
      return typeof text === 'string' ? write(terminalSafe(text, colors), ...encoding) : write(chunk, ...rest);
    }) as typeof stream.write;
  }
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
