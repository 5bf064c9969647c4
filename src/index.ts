/**
 * Airlock: Tauri v2's IPC with a TypeScript core.
 *
 * @example
 *   const app = await Builder.default()
 *     .invokeHandler({ greet: command(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}!`) })
 *     .build({ frontendDist: './dist' });
 *   const server = await app.serve();
 *   console.log(server.url('main'));
 */

// Building and running an app
export { Builder, type BuildOptions, type SetupFn } from './builder.js';
export type { Server, ServeOptions, Logger, CallObserver, CallRecord } from './core/app.js';
export type { AppHandle, ExplainRequest, RunningApp as App } from './core/handle.js';
export type { AppConfig, WindowConfig, PatternConfig } from './core/config.js';
export { DEFAULT_LIMITS, type Limits } from './core/limits.js';

// Commands and channels
export {
  command,
  type CommandDefinition,
  type CommandOptions,
  type CommandMap,
  type Handler,
  type InvokeContext,
  type CommandScope,
} from './core/commands.js';
export { Channel, channel, type ChannelSchema } from './core/channels.js';
export { InboundStream, stream, type StreamSchema, STREAM_WINDOW } from './core/streams.js';

// Types for the page's typed client (`airlock/client`): `export type AppCommands = CommandsOf<typeof builder>`
export type { CommandsOf, EventsOf, PluginSignatures, ResultOf, SignatureOf, SignaturesOf, TypedBuilder } from './core/inference.js';
export type { ChannelArg, CommandSignature, CommandTable, StreamSource } from './protocol/typed.js';
export type { StandardSchemaV1 } from './core/standard-schema.js';

// Plugins
export {
  PluginBuilder,
  type Plugin,
  type PluginApi,
  type PluginCommandNames,
  type PluginHooks,
  type PluginSetup,
  type SetupApp,
  type RuntimeScope,
  type RunEvent,
  type PageLoadPayload,
  type WebviewInfo,
  type WindowInfo,
} from './core/plugin.js';
export { ResourceTable, type Resource } from './core/resources.js';

// Events
export type { Event, EventCallback, UnlistenFn } from './core/events.js';
export type { EventTarget, EventTargetLike } from './core/targets.js';

// Errors
export { AirlockError, ErrorCode, type WireError } from './protocol/errors.js';
