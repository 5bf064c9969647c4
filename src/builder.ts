/**
 * The composition root: `Builder` collects commands, state and options, then `build()` makes a core `App` wired to
 * the loopback transport. This is the only module that knows both the core and the transports.
 */
import { allowAll, App, type Authorize, consoleLogger, type Logger } from './core/app.js';
import { type CommandDefinition, type CommandMap, toDefinition } from './core/commands.js';
import { type AppConfig, loadConfig } from './core/config.js';
import { type Limits, resolveLimits } from './core/limits.js';
import { AirlockError, ErrorCode } from './protocol/errors.js';
import { serveLoopback } from './transports/server.js';

export interface BuildOptions {
  /** Directory of the built frontend (overrides `build.frontendDist` of the config). */
  readonly frontendDist?: string;
  /** A `tauri.conf.json` object, or the path of one. */
  readonly config?: string | object;
}

export type SetupFn = (app: App) => void | Promise<void>;

export class Builder {
  readonly #commands = new Map<string, CommandDefinition>();
  readonly #state = new Map<unknown, unknown>();
  readonly #setup: SetupFn[] = [];
  #limits: Partial<Limits> = {};
  #logger: Logger = consoleLogger;
  #authorize: Authorize = allowAll;

  /** A builder with Tauri's defaults: brownfield pattern, every local window allowed the core IPC. */
  static default(): Builder {
    return new Builder();
  }

  /** Makes `value` reachable from handlers as `ctx.state(TheClass)` and from `app.state(TheClass)`. */
  manage(value: object): this {
    const key = value.constructor;
    if (this.#state.has(key)) throw new AirlockError(ErrorCode.CONFIG, `manage(): a ${key.name} is already managed; manage one value per class`);
    this.#state.set(key, value);
    return this;
  }

  /** Registers commands by name. Call it more than once to add more; a name registered twice is an error. */
  invokeHandler(commands: CommandMap): this {
    for (const [name, value] of Object.entries(commands)) {
      if (name.startsWith('plugin:')) throw new AirlockError(ErrorCode.CONFIG, `invokeHandler: \`${name}\`: the plugin: prefix is reserved for plugins`);
      if (this.#commands.has(name)) throw new AirlockError(ErrorCode.CONFIG, `invokeHandler: command \`${name}\` is registered twice`);
      this.#commands.set(name, toDefinition(name, value));
    }
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

  /** @internal Replaces the access decision (used by the capabilities module). */
  authorize(authorize: Authorize): this {
    this.#authorize = authorize;
    return this;
  }

  async build(options: BuildOptions = {}): Promise<App> {
    const config: AppConfig = loadConfig(options.config ?? {}, options.frontendDist === undefined ? {} : { frontendDist: options.frontendDist });
    const app = new App({
      config,
      commands: this.#commands,
      state: this.#state,
      limits: resolveLimits(this.#limits),
      logger: this.#logger,
      serve: serveLoopback,
      authorize: this.#authorize,
      openSealed: undefined,
    });
    for (const fn of this.#setup) await fn(app);
    return app;
  }
}
