/**
 * The types a typed client reads (type-only, nothing at run time): what `CommandsOf<typeof builder>` produces in the
 * core (src/core/inference.ts) and what `createClient<AppCommands>()` consumes in the page (src/client). Both sides
 * import them from here, so neither needs the other's code or its lib (Node or DOM) to type-check.
 */

/** One command as the page sees it: what it passes and what its promise resolves with. */
export interface CommandSignature<Args = unknown, Result = unknown> {
  readonly args: Args;
  readonly result: Result;
}

/** The key under which a command table carries the app's event payload types (`Builder.events`). */
export declare const EVENTS: unique symbol;

/** Command name → signature, and (optionally) event name → payload under `[EVENTS]`. */
export type CommandTable = { readonly [name: string]: CommandSignature } & { readonly [EVENTS]?: Readonly<Record<string, unknown>> };

/** The event payload types a command table carries (any name, `unknown` payloads when it declares none). */
export type EventTable<C> = C extends { readonly [EVENTS]?: infer E }
  ? E extends Readonly<Record<string, unknown>>
    ? E
    : Record<string, unknown>
  : Record<string, unknown>;

/** Command names of a table (never the events key). */
export type CommandName<C> = Extract<keyof C, string>;

/**
 * A `Channel` argument as the page passes it: `new Channel<T>()` of `@tauri-apps/api/core` (or any object that
 * serializes to Tauri's `__CHANNEL__:<id>` string).
 */
export interface ChannelArg<T = unknown> {
  readonly id: number;
  onmessage: (message: T) => void;
  toJSON(): string;
}

/** A page → core byte stream argument (`stream()` in the core): a `ReadableStream` or an async iterable of bytes. */
export type StreamSource =
  | AsyncIterable<Uint8Array | ArrayBuffer>
  | { getReader(): { read(): Promise<{ done: boolean; value?: unknown }>; cancel(reason?: unknown): Promise<void>; releaseLock(): void } };

/** A command table with event payload types attached (what `CommandsOf` builds). */
export type WithEvents<C, E> = C & { readonly [EVENTS]?: E };
