/**
 * Argument reading for the core's plugins, with Tauri's error texts (`crates/tauri/src/error.rs` `InvalidArgs`):
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
