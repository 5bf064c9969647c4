/**
 * The composition root: `Builder` collects commands, state and options, then `build()` makes a core `App` wired to
 * the loopback transport. This is the only module that knows both the core and the transports.
 */
import { authorize, explain, IMPLICIT_DEFAULT_NOTICE, loadAcl, parsePluginScopes, type ScopeParser } from './acl/index.js';
import { App, type Authorize, consoleLogger, type Explain, type Logger, type RegisteredPlugin, type ServeFn } from './core/app.js';
import { type CommandDefinition, type CommandMap, toDefinition } from './core/commands.js';
import type { RunningApp } from './core/handle.js';
import type { PluginSignatures, SignaturesOf, TypedBuilder } from './core/inference.js';
import { isPlugin, type Plugin } from './core/plugin.js';
import type { StandardSchemaV1 } from './core/standard-schema.js';
import { GENERATED_COMMANDS } from './core/plugin-listeners.js';
import { CORE_PLUGINS } from './plugins/core/index.js';
import { type AppConfig, loadConfig } from './core/config.js';
import { type Limits, resolveLimits } from './core/limits.js';
import { AirlockError, ErrorCode } from './protocol/errors.js';
import { CONTROL_PREFIX } from './protocol/isolation.js';
import { createIsolation } from './core/isolation.js';
import { prepareIsolationApp } from './transports/isolation-frame.js';
import { FsScope } from './core/fs-scope.js';
import { PathResolver } from './core/paths.js';
import { isProtocolName, type UriSchemeHandler } from './transports/asset-protocol.js';
import { type LoopbackExtras, serveLoopback } from './transports/server.js';

export interface BuildOptions {
  /** Directory of the built frontend (overrides `build.frontendDist` of the config). */
  readonly frontendDist?: string;
  /** A `tauri.conf.json` object, or the path of one. */
  readonly config?: string | object;
}

export type SetupFn = (app: RunningApp) => void | Promise<void>;

/** A plugin's scope schema as the ACL's parser: synchronous, its issues as the error message. */
function scopeParser(schema: StandardSchemaV1): ScopeParser {
  return (entry) => {
    const result = schema['~standard'].validate(entry);
    if (result instanceof Promise) throw new Error('the scope schema must validate synchronously');
    if (result.issues === undefined) return result.value;
    throw new Error(result.issues.map((i) => i.message).join('; '));
  };
}

/** Names a user plugin may not take: Tauri's core plugins (`core:<name>` permissions, `plugin:<name>|…` commands). */
const CORE_PLUGIN_NAMES = new Set(['core', 'path', 'event', 'window', 'webview', 'app', 'image', 'resources', 'menu', 'tray']);

/** Type-only: what `Builder.events` adds to the builder's events. */
type EventPayloads<E extends Readonly<Record<string, StandardSchemaV1>>> = { [K in keyof E]: StandardSchemaV1.InferOutput<E[K]> };

/**
 * Collects commands, plugins, state and options. It is typed by what it collects (`Commands`: command name →
 * signature, `Events`: event name → payload), so `export type AppCommands = CommandsOf<typeof builder>` gives the
 * page a typed client with no code generator.
 */
export class Builder<Commands = Record<never, never>, Events = Record<never, never>> implements TypedBuilder<Commands, Events> {
  declare readonly '~types'?: { readonly commands: Commands; readonly events: Events };
  readonly #commands = new Map<string, CommandDefinition>();
  readonly #events = new Map<string, StandardSchemaV1>();
  readonly #plugins: Plugin[] = [];
  readonly #state = new Map<unknown, unknown>();
  readonly #setup: SetupFn[] = [];
  readonly #protocols = new Map<string, UriSchemeHandler>();
  #limits: Partial<Limits> = {};
  #logger: Logger = consoleLogger;
  #scopedDenies = false;
  #dev = process.env['NODE_ENV'] !== 'production';

  /** A builder with Tauri's defaults: brownfield pattern, every local window allowed the core IPC. */
  static default(): Builder {
    return new Builder();
  }

  /** Makes `value` reachable from handlers as `ctx.state(TheClass)` and from `app.state(TheClass)`. */
  manage(value: object): this {
    const key = value.constructor;
    if (this.#state.has(key))
      throw new AirlockError(ErrorCode.CONFIG, `manage(): a ${key.name} is already managed; manage one value per class`);
    this.#state.set(key, value);
    return this;
  }

  /** Registers commands by name. Call it more than once to add more; a name registered twice is an error. */
  invokeHandler<C extends CommandMap>(commands: C): Builder<Commands & SignaturesOf<C>, Events> {
    for (const [name, value] of Object.entries(commands)) {
      if (name.startsWith('plugin:'))
        throw new AirlockError(ErrorCode.CONFIG, `invokeHandler: \`${name}\`: the plugin: prefix is reserved for plugins`);
      if (name.startsWith(CONTROL_PREFIX))
        throw new AirlockError(
          ErrorCode.CONFIG,
          `invokeHandler: \`${name}\`: the ${CONTROL_PREFIX} prefix is reserved for Airlock's control messages`,
        );
      if (this.#commands.has(name)) throw new AirlockError(ErrorCode.CONFIG, `invokeHandler: command \`${name}\` is registered twice`);
      this.#commands.set(name, toDefinition(name, value));
    }
    return this as unknown as Builder<Commands & SignaturesOf<C>, Events>;
  }

  /**
   * Declares events by name with a Standard Schema for their payload: a page's `emit`/`emitTo` of one is validated
   * (a payload that fails is refused with INVALID_ARGS and reaches no listener), and `CommandsOf` carries the payload
   * types to the typed client's `listen`/`emit`. Events not declared stay untyped and unchecked.
   */
  events<E extends Readonly<Record<string, StandardSchemaV1>>>(schemas: E): Builder<Commands, Events & EventPayloads<E>> {
    for (const [name, schema] of Object.entries(schemas)) {
      if (typeof schema?.['~standard']?.validate !== 'function')
        throw new AirlockError(ErrorCode.CONFIG, `events(): the schema of \`${name}\` must implement Standard Schema v1`);
      if (this.#events.has(name)) throw new AirlockError(ErrorCode.CONFIG, `events(): event \`${name}\` is declared twice`);
      this.#events.set(name, schema);
    }
    return this as unknown as Builder<Commands, Events & EventPayloads<E>>;
  }

  /**
   * Registers a plugin made with `PluginBuilder`: its commands become `plugin:<name>|<cmd>`, its permissions
   * `<name>:…`. Plugins are set up in registration order, before the app's own `setup` hooks.
   */
  plugin<P extends Plugin>(plugin: P): Builder<Commands & PluginSignatures<P>, Events> {
    if (!isPlugin(plugin)) throw new AirlockError(ErrorCode.CONFIG, 'Builder.plugin(plugin): pass what PluginBuilder.build() returns');
    if (CORE_PLUGIN_NAMES.has(plugin.name)) {
      throw new AirlockError(
        ErrorCode.CONFIG,
        `Builder.plugin(): plugin \`${plugin.name}\` is named like a core plugin (${[...CORE_PLUGIN_NAMES].join(', ')}); rename it`,
      );
    }
    if (this.#plugins.some((p) => p.name === plugin.name)) {
      throw new AirlockError(ErrorCode.CONFIG, `Builder.plugin(): two plugins are named \`${plugin.name}\`; plugin names must be unique`);
    }
    this.#plugins.push(plugin);
    return this as unknown as Builder<Commands & PluginSignatures<P>, Events>;
  }

  /**
   * Serves `convertFileSrc(path, name)` URLs with `handler` (Tauri's `register_uri_scheme_protocol`): it gets a
   * WHATWG `Request` whose `url` is `<name>://localhost/<path as the page encoded it>` and answers with a `Response`.
   * Served from the asset protocol's own origin, never the app's.
   */
  registerUriSchemeProtocol(name: string, handler: UriSchemeHandler): this {
    if (!isProtocolName(name) || name === 'asset') {
      throw new AirlockError(
        ErrorCode.CONFIG,
        `registerUriSchemeProtocol: \`${name}\` is not a usable protocol name (lower-case letters, digits, + - .; \`asset\` is the asset protocol's)`,
      );
    }
    if (this.#protocols.has(name)) throw new AirlockError(ErrorCode.CONFIG, `registerUriSchemeProtocol: \`${name}\` is registered twice`);
    this.#protocols.set(name, handler);
    return this;
  }

  /** Runs once the app is built, before it serves: register listeners, start background work. */
  setup(fn: SetupFn): this {
    this.#setup.push(fn);
    return this;
  }

  /** Overrides the safety limits (frame size, nesting depth, calls in flight, listeners, send buffer). */
  limits(limits: Partial<Limits>): this {
    this.#limits = { ...this.#limits, ...limits };
    return this;
  }

  /** Where the core's log lines go (default: the console). */
  logger(logger: Logger): this {
    this.#logger = logger;
    return this;
  }

  /** Development mode (default unless NODE_ENV=production): extra warnings, e.g. isolation hooks written for Tauri v1. */
  dev(enabled: boolean): this {
    this.#dev = enabled;
    return this;
  }

  /**
   * Makes a capability's deny apply only where that capability matches. By default a deny in any capability
   * denies the command everywhere, as Tauri does (see docs/capabilities.md).
   */
  scopedDenies(enabled = true): this {
    this.#scopedDenies = enabled;
    return this;
  }

  /** Builds the app: reads the config and the ACL, sets the plugins up in order, then runs `setup`. */
  async build(options: BuildOptions = {}): Promise<RunningApp> {
    const config: AppConfig = loadConfig(
      options.config ?? {},
      options.frontendDist === undefined ? {} : { frontendDist: options.frontendDist },
    );
    const limits = resolveLimits(this.#limits);
    const logger = this.#logger;
    let isolation: ReturnType<typeof createIsolation> | undefined;
    const extras: { -readonly [K in keyof LoopbackExtras]: LoopbackExtras[K] } = {};
    // The app's one path resolver: the asset scope, `app.path` and every plugin's BaseDirectory use it.
    const resolver = new PathResolver({ identifier: config.identifier, resourceDir: config.configDir ?? process.cwd() });
    const assetScope = config.assetProtocol.enable ? new FsScope(config.assetProtocol.scope, resolver) : undefined;
    if (assetScope !== undefined || this.#protocols.size > 0) extras.assets = { scope: assetScope, protocols: new Map(this.#protocols) };
    if (config.pattern.use === 'isolation') {
      const isolationApp = await prepareIsolationApp(config.pattern.dir);
      for (const file of isolationApp.v1Suspects) {
        logger(
          'warn',
          `isolation: ${file} looks written for Tauri v1's message shape (payload.message / cmd === 'invoke'), which v2 never sends, so such checks never match; use payload.cmd and payload.payload (see docs/isolation.md)`,
        );
      }
      const iso = createIsolation((message) => logger('warn', message), limits.maxDepth);
      isolation = iso;
      extras.isolation = { app: isolationApp, core: iso, dev: this.#dev };
    }
    const serve: ServeFn = (app, opts) => serveLoopback(app, opts, extras);
    const acl = loadAcl({
      configDir: config.configDir,
      capabilities: config.capabilities,
      appCommands: [...this.#commands.keys()],
      plugins: this.#plugins.map((p) => ({
        name: p.name,
        commands: [...new Set([...p.definitions.keys(), ...GENERATED_COMMANDS])],
        ...(p.permissionsDir === undefined ? {} : { permissionsDir: p.permissionsDir }),
      })),
      scopedDenies: this.#scopedDenies,
    });
    for (const warning of acl.warnings) logger('warn', `capabilities: ${warning}`);
    if (acl.implicitDefault) logger('info', IMPLICIT_DEFAULT_NOTICE);
    let resolved = acl.resolved;
    for (const p of this.#plugins)
      if (p.scopeSchema !== undefined) resolved = parsePluginScopes(resolved, p.name, scopeParser(p.scopeSchema));
    const dev = this.#dev;
    const check: Authorize = (request) => {
      const decision = authorize(resolved, request);
      if (!decision.allowed) throw new AirlockError(ErrorCode.FORBIDDEN, dev ? decision.message : decision.releaseMessage);
      return decision;
    };
    const why: Explain = (request) => explain(resolved, request);
    const plugins: RegisteredPlugin[] = [
      ...CORE_PLUGINS.map((plugin) => ({ plugin, core: true })),
      ...this.#plugins.map((plugin) => ({ plugin, core: false })),
    ];
    const app = new App({
      config,
      commands: this.#commands,
      plugins,
      state: new Map(this.#state),
      limits,
      logger,
      serve,
      authorize: check,
      explain: why,
      isolation,
      eventSchemas: new Map(this.#events),
      paths: resolver,
      assetScope,
    });
    await app.setupPlugins();
    for (const fn of this.#setup) await fn(app);
    app.runEvent({ type: 'Ready' });
    return app;
  }
}
