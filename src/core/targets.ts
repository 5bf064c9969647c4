/**
 * Event targets and Tauri's delivery matrix (Tauri ≥ 2.1's `emit_to`, plus "a listener on `Any`
 * always matches"):
 *
 *   emission ↓ / listener →   Any  App  AnyLabel{L}  Window{L}  Webview{L}  WebviewWindow{L}
 *   emit / Any                 ✓    ✓      ✓           ✓          ✓            ✓
 *   App                        ✓    ✓      ✗           ✗          ✗            ✗
 *   AnyLabel{L}                ✓    ✗      ✓           ✓          ✓            ✓
 *   Window{L}                  ✓    ✗      ✓           ✓          ✗            ✗
 *   Webview{L}                 ✓    ✗      ✓           ✗          ✓            ✗
 *   WebviewWindow{L}           ✓    ✗      ✓           ✗          ✗            ✓
 *
 * Labels must be equal wherever both sides carry one.
 */
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import { MAX_NAME_LENGTH } from './limits.js';

export type EventTarget =
  | { readonly kind: 'Any' }
  | { readonly kind: 'App' }
  | { readonly kind: 'AnyLabel'; readonly label: string }
  | { readonly kind: 'Window'; readonly label: string }
  | { readonly kind: 'Webview'; readonly label: string }
  | { readonly kind: 'WebviewWindow'; readonly label: string };

/** What `emitTo` accepts: a target, or a label string (meaning `AnyLabel`), as in `@tauri-apps/api`. */
export type EventTargetLike = EventTarget | string;

const LABELLED = new Set(['AnyLabel', 'Window', 'Webview', 'WebviewWindow']);

export const ANY: EventTarget = Object.freeze({ kind: 'Any' });
export const APP: EventTarget = Object.freeze({ kind: 'App' });

/** Unicode letters and digits (Rust's `char::is_alphanumeric`), `-`, `/`, `:` and `_`; the empty string passes. */
const NAME_RE = /^[\p{Alphabetic}\p{N}\-/:_]*$/u;

export function isValidEventName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_RE.test(name);
}

export const EVENT_NAME_MESSAGE = 'Event name must include only alphanumeric characters, `-`, `/`, `:` and `_`.';
export const LABEL_MESSAGE = 'Webview label must include only alphanumeric characters, `-`, `/`, `:` and `_`.';

export function assertEventName(name: unknown, command?: string): asserts name is string {
  if (typeof name === 'string' && isValidEventName(name)) return;
  const why =
    typeof name === 'string' && name.length > MAX_NAME_LENGTH
      ? `Event name is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}.`
      : EVENT_NAME_MESSAGE;
  if (command === undefined) throw new AirlockError(ErrorCode.INVALID_ARGS, why, { data: { field: 'event' } });
  throw new AirlockError(ErrorCode.INVALID_ARGS, `invalid args \`event\` for command \`${command}\`: ${why}`, {
    data: { command, field: 'event', issues: [{ path: 'event', message: why }] },
  });
}

export function isValidLabel(label: string): boolean {
  return label.length > 0 && label.length <= MAX_NAME_LENGTH && NAME_RE.test(label);
}

/** Reads a target from untrusted JSON (serde's internally tagged form). */
export function parseTarget(value: unknown, command: string): EventTarget {
  const fail = (why: string): never => {
    throw new AirlockError(ErrorCode.INVALID_ARGS, `invalid args \`target\` for command \`${command}\`: ${why}`, {
      data: { command, field: 'target', issues: [{ path: 'target', message: why }] },
    });
  };
  if (typeof value === 'string') {
    if (value.length > MAX_NAME_LENGTH) return fail(`label is ${value.length} characters long; the limit is ${MAX_NAME_LENGTH}`);
    return { kind: 'AnyLabel', label: value };
  }
  if (typeof value !== 'object' || value === null) return fail('expected an object with a `kind`');
  const { kind, label } = value as { kind?: unknown; label?: unknown };
  if (kind === 'Any') return ANY;
  if (kind === 'App') return APP;
  if (typeof kind !== 'string' || !LABELLED.has(kind)) {
    return fail(
      `unknown variant \`${String(kind)}\`, expected one of \`Any\`, \`AnyLabel\`, \`App\`, \`Window\`, \`Webview\`, \`WebviewWindow\``,
    );
  }
  if (typeof label !== 'string') return fail('missing field `label`');
  if (label.length > MAX_NAME_LENGTH) return fail(`label is ${label.length} characters long; the limit is ${MAX_NAME_LENGTH}`);
  return { kind, label } as EventTarget;
}

export function toTarget(target: EventTargetLike): EventTarget {
  return typeof target === 'string' ? { kind: 'AnyLabel', label: target } : target;
}

/** Does an emission to `emitted` reach a listener registered with `listener`? */
export function targetMatches(emitted: EventTarget, listener: EventTarget): boolean {
  if (listener.kind === 'Any' || emitted.kind === 'Any') return true;
  if (emitted.kind === 'App') return listener.kind === 'App';
  if (listener.kind === 'App') return false;
  if (emitted.label !== listener.label) return false;
  return emitted.kind === 'AnyLabel' || listener.kind === 'AnyLabel' || emitted.kind === listener.kind;
}
