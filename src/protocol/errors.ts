/**
 * The one error type of Airlock, with a closed set of codes.
 *
 * Two audiences read these errors: the developer of the core (a Node stack trace, `cause` kept) and the page
 * (`invoke` rejects with the error's wire form). Where Tauri defines the exact rejection text that frontends
 * already match on (`Command x not found`, ACL denials), the wire form is that text; everything else goes over
 * the wire as `{ code, message, ...data }`.
 */

export const ErrorCode = {
  /** No handler is registered under the invoked name. */
  COMMAND_NOT_FOUND: 'COMMAND_NOT_FOUND',
  /** The arguments did not pass the command's schema, or are not the shape the command needs. */
  INVALID_ARGS: 'INVALID_ARGS',
  /** The access-control list does not grant this call to this webview/origin. */
  FORBIDDEN: 'FORBIDDEN',
  /** The isolation hook refused the message, or returned something that is not a message. */
  ISOLATION_REFUSED: 'ISOLATION_REFUSED',
  /** Under the isolation pattern, a message was not sealed, was tampered with, replayed or moved. */
  ISOLATION_INVALID: 'ISOLATION_INVALID',
  /** A frame, body or nested structure is larger than the configured limit. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A per-webview limit (pending invokes, listeners, event rate, channel buffer) was reached. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** A resource id (rid) names nothing in the tables the call can reach (Tauri's `BadResourceId`). */
  BAD_RESOURCE_ID: 'BAD_RESOURCE_ID',
  /**
   * A plugin's own failure, with the text Tauri's plugin sends (`url not allowed on the configured scope: …`,
   * `Request canceled`): frontends written for Tauri compare against it, so it goes over the wire as that text.
   */
  PLUGIN: 'PLUGIN',
  /** A channel was used after it was closed, or its webview went away. */
  CHANNEL_CLOSED: 'CHANNEL_CLOSED',
  /** The page cancelled the call (`client.cmd(args, { signal })` aborted): the handler's `ctx.signal` aborts with it. */
  CANCELLED: 'CANCELLED',
  /** The webview that made the call is gone (reload, navigation, close) or the core shut down. */
  DISCONNECTED: 'DISCONNECTED',
  /** A command ran past its deadline. */
  TIMEOUT: 'TIMEOUT',
  /** A frame did not follow the wire protocol. */
  PROTOCOL: 'PROTOCOL',
  /** The app's configuration (tauri.conf.json, options, capability files) is invalid. */
  CONFIG: 'CONFIG',
  /** A bug or an unexpected failure inside the core; the message says what failed. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes whose wire form is Tauri's plain text, because frontends compare against it. */
const TEXT_ON_WIRE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.COMMAND_NOT_FOUND,
  ErrorCode.FORBIDDEN,
  ErrorCode.BAD_RESOURCE_ID,
  ErrorCode.PLUGIN,
]);

export type ErrorData = Readonly<Record<string, unknown>>;

export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly [key: string]: unknown;
}

/** A rejection in its wire form, for code that rejects a call without an AirlockError (the page runtime). */
export function wireError(code: ErrorCode, message: string): WireError {
  return { code, message };
}

export class AirlockError extends Error {
  override readonly name = 'AirlockError';
  readonly code: ErrorCode;
  /** Extra, JSON-serializable facts for the page (e.g. validation issues). */
  readonly data: ErrorData;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; data?: ErrorData } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.data = options.data ?? {};
  }

  /** What the page's `invoke` rejects with. */
  toWire(): string | WireError {
    if (TEXT_ON_WIRE.has(this.code)) return this.message;
    return { ...this.data, code: this.code, message: this.message };
  }

  static is(value: unknown, code?: ErrorCode): value is AirlockError {
    return value instanceof AirlockError && (code === undefined || value.code === code);
  }
}
