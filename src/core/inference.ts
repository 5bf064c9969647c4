/**
 * Types from the handlers, with no code generator: `CommandsOf<typeof builder>` turns a `Builder`'s commands,
 * plugins and declared events into the table a typed client reads (`createClient<AppCommands>()`, src/client).
 *
 * - args: a `command(schema, fn)`'s schema input type, or a plain handler's first parameter; a `channel()` field
 *   becomes the page's `Channel<T>` and a `stream()` field a `ReadableStream`/async iterable of bytes;
 * - result: the handler's return type, awaited; bytes (`Uint8Array`, `ArrayBuffer`, `Buffer`) arrive as `ArrayBuffer`;
 * - plugins' commands as `plugin:<name>|<cmd>`; events (`Builder.events`) under the table's events key.
 *
 * Type-only: nothing here exists at run time.
 */
import type { ChannelArg, CommandSignature, StreamSource, WithEvents } from '../protocol/typed.js';
import type { Channel } from './channels.js';
import type { CommandDefinition, CommandMap } from './commands.js';
import type { Plugin } from './plugin.js';
import type { InboundStream } from './streams.js';

/** What the page resolves with for a handler result `R`. */
export type ResultOf<R> = Awaited<R> extends infer A ? (A extends Uint8Array | ArrayBuffer ? ArrayBuffer : A) : never;

/** One field as the page passes it: channels and streams by their page-side types. */
type PageField<Out, In> = [Out] extends [Channel<infer T>] ? ChannelArg<T> : [Out] extends [InboundStream] ? StreamSource : In;

/** The page-side args of a schema command: its input type, with channel and stream fields mapped. */
type PageArgs<Out, In> = Out extends object
  ? In extends object
    ? { [K in keyof In]: K extends keyof Out ? PageField<Out[K], In[K]> : In[K] }
    : In
  : In;

// biome-ignore lint: any is how "any handler" is spelled in a conditional type
type AnyFn = (args: any, ctx: any) => unknown;

/** The signature of one entry of `invokeHandler`. */
export type SignatureOf<C> =
  C extends CommandDefinition<infer Out, infer R, infer In>
    ? CommandSignature<PageArgs<Out, In>, ResultOf<R>>
    : C extends AnyFn
      ? CommandSignature<Parameters<C>[0], ResultOf<ReturnType<C>>>
      : never;

/** A command map as the page sees it. */
export type SignaturesOf<M extends CommandMap> = { [K in Extract<keyof M, string>]: SignatureOf<M[K]> };

/** A plugin's commands as `plugin:<name>|<cmd>`. */
export type PluginSignatures<P> =
  P extends Plugin<infer N, infer C> ? { [K in Extract<keyof C, string> as `plugin:${N}|${K}`]: SignatureOf<C[K]> } : never;

/** The builder's type parameters, as `Builder<Commands, Events>` declares them. */
export interface TypedBuilder<Commands, Events> {
  /** Type-only: never set. */
  readonly '~types'?: { readonly commands: Commands; readonly events: Events };
}

/**
 * The command table of a builder, for the page: `export type AppCommands = CommandsOf<typeof builder>`.
 * Import it in the frontend with `import type` only.
 */
export type CommandsOf<B> =
  B extends TypedBuilder<infer Commands, infer Events> ? WithEvents<{ readonly [K in keyof Commands]: Commands[K] }, Events> : never;

/** Event name → payload type declared with `Builder.events`. */
export type EventsOf<B> = B extends TypedBuilder<unknown, infer Events> ? Events : never;
