/**
 * Commands: what the page reaches with `invoke(name, args)`.
 *
 * A command is a plain function `(args, ctx) => result` (unvalidated), or `command(schema, fn)`, whose args pass a
 * Standard Schema first. A returned `Uint8Array`/`ArrayBuffer`/`Buffer` goes back as raw bytes (the page gets an
 * `ArrayBuffer`, like `tauri::ipc::Response`); anything else is JSON. A thrown value becomes the rejection value.
 */
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import type { Headers } from '../protocol/frames.js';
import type { AppHandle } from './handle.js';
import type { ResourceTable } from './resources.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** What a handler knows about the call. */
export interface InvokeContext<App = AppHandle> {
  /** The command name as invoked (`greet`, `plugin:<name>|<cmd>`). */
  readonly command: string;
  /** Label of the calling webview, and of its window. */
  readonly webview: string;
  readonly window: string;
  /** Origin of the calling page (`http://127.0.0.1:<port>`). */
  readonly origin: string;
  /** The app's public face: `emit`, `emitTo`, `listen`, `state`, `resources` … (never the core's internals). */
  readonly app: App;
  /** The calling webview's resource table: freed, each value's `close()` called, when its page goes away. */
  readonly resources: ResourceTable;
  /** The resource table of the calling webview's window (kept while the app runs). */
  readonly windowResources: ResourceTable;
  /** The request body as sent: the raw bytes for a binary invoke, else the JSON args. */
  readonly body: unknown;
  /** Request headers (`invoke(cmd, args, { headers })`), lower-cased names. */
  readonly headers: Headers;
  /** Aborts when the calling page goes away (reload, navigation, close), the deadline passes, or the core closes. */
  readonly signal: AbortSignal;
  /** Managed state registered with `Builder.manage(value)`, looked up by its class. */
  state<T>(type: abstract new (...args: never[]) => T): T;
  /** Scope values granted to this call by the capabilities that allowed it (empty when no ACL applies). */
  readonly scope: CommandScope;
  /** The global scope of the app, or of the command's plugin for `plugin:<name>|…` commands. */
  readonly globalScope: CommandScope;
}

export interface CommandScope {
  readonly allow: readonly unknown[];
  readonly deny: readonly unknown[];
  /** False if any deny entry matches; otherwise true when there are no allow entries or one matches. */
  matches(predicate: (entry: unknown) => boolean): boolean;
}

export type Handler<Args = unknown, Result = unknown> = (args: Args, ctx: InvokeContext) => Result | Promise<Result>;

const COMMAND = Symbol.for('airlock.command');

export interface CommandDefinition<Args = unknown, Result = unknown, Input = Args> {
  readonly [COMMAND]: true;
  /** Type-only: what the page passes (the schema's input type), read by `CommandsOf`. Never set. */
  readonly '~input'?: Input;
  readonly schema: StandardSchemaV1 | undefined;
  readonly handler: Handler<Args, Result>;
  /** Deadline in ms (overrides `limits.commandTimeoutMs`); 0 = none. */
  readonly timeoutMs: number | undefined;
}

export interface CommandOptions {
  /** Reject with TIMEOUT and abort `ctx.signal` after this many milliseconds. */
  readonly timeoutMs?: number;
}

/**
 * A command whose args are validated by any Standard Schema (zod, valibot, arktype, …) before `handler` runs.
 *
 * @example
 *   greet: command(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}!`)
 */
export function command<S extends StandardSchemaV1, Result>(
  schema: S,
  handler: Handler<StandardSchemaV1.InferOutput<S>, Result>,
  options: CommandOptions = {},
): CommandDefinition<StandardSchemaV1.InferOutput<S>, Result, StandardSchemaV1.InferInput<S>> {
  if (typeof schema?.['~standard']?.validate !== 'function') {
    throw new AirlockError(
      ErrorCode.CONFIG,
      'command(schema, handler): schema must implement Standard Schema v1 (zod ≥ 3.24, valibot ≥ 1, arktype ≥ 2)',
    );
  }
  if (typeof handler !== 'function') throw new AirlockError(ErrorCode.CONFIG, 'command(schema, handler): handler must be a function');
  const { timeoutMs } = options;
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
    throw new AirlockError(ErrorCode.CONFIG, 'command(schema, handler, { timeoutMs }): timeoutMs must be a number of milliseconds ≥ 0');
  }
  return { [COMMAND]: true, schema, handler, timeoutMs };
}

// biome-ignore lint: handlers of any arity and argument type are accepted
export type CommandLike = CommandDefinition<any, any, any> | ((args: any, ctx: InvokeContext) => unknown);
export type CommandMap = Readonly<Record<string, CommandLike>>;

export function toDefinition(name: string, value: CommandLike): CommandDefinition {
  if (typeof value === 'function') return { [COMMAND]: true, schema: undefined, handler: value as Handler, timeoutMs: undefined };
  if (typeof value === 'object' && value !== null && (value as CommandDefinition)[COMMAND] === true) return value as CommandDefinition;
  throw new AirlockError(ErrorCode.CONFIG, `invokeHandler: command \`${name}\` must be a function or command(schema, handler)`);
}

function issuePath(issue: StandardSchemaV1.Issue): string {
  if (issue.path === undefined || issue.path.length === 0) return '';
  return issue.path.map((p) => String(typeof p === 'object' && p !== null && 'key' in p ? p.key : p)).join('.');
}

/**
 * Runs a command's args schema: the validated value, or a promise of it only when the schema validates
 * asynchronously (a synchronous schema costs the call no promise). Failures throw (or reject) INVALID_ARGS naming
 * the first offending field.
 */
export function checkArgs(command: string, schema: StandardSchemaV1, value: unknown): unknown {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) return result.then((r: StandardSchemaV1.Result<unknown>) => argsOf(command, r));
  return argsOf(command, result);
}

function argsOf(command: string, result: StandardSchemaV1.Result<unknown>): unknown {
  if (result.issues === undefined) return result.value;
  const issues = result.issues.map((issue) => ({ path: issuePath(issue), message: issue.message }));
  const first = issues[0];
  const field = first?.path ? `\`${first.path}\`` : 'args';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new AirlockError(
    ErrorCode.INVALID_ARGS,
    `invalid args ${field} for command \`${command}\`: ${first?.message ?? 'rejected by schema'}${more}`,
    {
      data: { command, issues },
    },
  );
}

/**
 * Runs a declared event's payload schema (`Builder.events`) on what a page emits; synchronous, as an emit is.
 * Failures become INVALID_ARGS naming the event and the first offending field.
 */
export function validateEventPayload(event: string, schema: StandardSchemaV1, payload: unknown): unknown {
  const result = schema['~standard'].validate(payload);
  if (result instanceof Promise)
    throw new AirlockError(ErrorCode.CONFIG, `the payload schema of event \`${event}\` must validate synchronously (Builder.events)`);
  if (result.issues === undefined) return result.value;
  const issues = result.issues.map((issue) => ({ path: issuePath(issue), message: issue.message }));
  const first = issues[0];
  const field = first?.path ? ` \`${first.path}\`` : '';
  throw new AirlockError(
    ErrorCode.INVALID_ARGS,
    `invalid payload${field} for event \`${event}\`: ${first?.message ?? 'rejected by schema'} (its schema is declared with Builder.events)`,
    { data: { event, issues } },
  );
}
