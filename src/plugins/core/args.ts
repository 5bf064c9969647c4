/**
 * Argument reading for the core's plugins, with Tauri's error texts (its `InvalidArgs` error):
 * ``invalid args `<key>` for command `<cmd>`: <why>`` — the same INVALID_ARGS shape `command(schema, …)` gives app
 * commands. Unknown keys are ignored and a missing optional key counts as absent, as serde does.
 */
import { AirlockError, ErrorCode } from '../../protocol/errors.js';

export type Args = Record<string, unknown>;

export function invalid(command: string, key: string, why: string): AirlockError {
  return new AirlockError(ErrorCode.INVALID_ARGS, `invalid args \`${key}\` for command \`${command}\`: ${why}`, {
    data: { command, field: key, issues: [{ path: key, message: why }] },
  });
}

/** The args as an object; a bytes body (or anything else) is refused the way Tauri refuses it. */
export function record(args: unknown, command: string, firstKey = 'args'): Args {
  if (args === undefined || args === null) return {};
  if (typeof args !== 'object' || Array.isArray(args) || args instanceof Uint8Array || args instanceof ArrayBuffer) {
    throw invalid(command, firstKey, `command ${command} expected a value for key ${firstKey} but the IPC call used a bytes payload`);
  }
  return args as Args;
}

export function required(args: Args, key: string, command: string): unknown {
  const v = args[key];
  if (v === undefined || v === null) throw invalid(command, key, `command ${command} missing required key ${key}`);
  return v;
}

export function u32(args: Args, key: string, command: string): number {
  const v = required(args, key, command);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
    throw invalid(command, key, `invalid value: ${JSON.stringify(v) ?? typeof v}, expected u32`);
  }
  return v;
}

export function i32(args: Args, key: string, command: string): number {
  const v = required(args, key, command);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x8000_0000 || v > 0x7fff_ffff) {
    throw invalid(command, key, `invalid value: ${JSON.stringify(v) ?? typeof v}, expected i32`);
  }
  return v;
}

/** The `label` a window command targets: the given one, else the caller's window. */
export function labelOr(args: Args, fallback: string, command: string): string {
  const v = args['label'];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw invalid(command, 'label', `invalid type: ${typeof v}, expected a string`);
  return v;
}

export function string(args: Args, key: string, command: string): string {
  const v = required(args, key, command);
  if (typeof v !== 'string') throw invalid(command, key, `invalid type: ${typeName(v)}, expected a string`);
  return v;
}

export function optionalString(args: Args, key: string, command: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(command, key, `invalid type: ${typeName(v)}, expected a string`);
  return v;
}

export function bool(args: Args, key: string, command: string): boolean {
  const v = required(args, key, command);
  if (typeof v !== 'boolean') throw invalid(command, key, `invalid type: ${typeName(v)}, expected a boolean`);
  return v;
}

export function f64(args: Args, key: string, command: string): number {
  const v = required(args, key, command);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(command, key, `invalid type: ${typeName(v)}, expected f64`);
  return v;
}

export function stringArray(args: Args, key: string, command: string): string[] {
  const v = required(args, key, command);
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
    throw invalid(command, key, `invalid type: ${typeName(v)}, expected a sequence of strings`);
  return v as string[];
}

/** Bytes as the page sends them inside JSON (a number array) or as a raw body. */
export function bytes(args: unknown, key: string, command: string): Uint8Array {
  if (args instanceof Uint8Array) return args;
  if (args instanceof ArrayBuffer) return new Uint8Array(args);
  const v = required(record(args, command, key), key, command);
  if (Array.isArray(v) && v.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 255))
    return Uint8Array.from(v as number[]);
  throw invalid(command, key, `invalid type: ${typeName(v)}, expected a sequence of bytes`);
}

/** serde's wording for the type of a JSON value. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'sequence';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``;
  if (typeof v === 'string') return `string ${JSON.stringify(v.slice(0, 40))}`;
  return `${typeof v} \`${String(v)}\``;
}

/** The rejection of a call whose result cannot be had here: Tauri-style text beginning `unsupported:`. */
export function unsupported(command: string, why: string): AirlockError {
  return new AirlockError(ErrorCode.PLUGIN, `unsupported: ${command}: ${why}`);
}

/** A core command failing with Tauri's own text (`window not found`, `unknown path` …). */
export function failed(text: string): AirlockError {
  return new AirlockError(ErrorCode.PLUGIN, text);
}
