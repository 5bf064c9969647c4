/**
 * Plugins, with Tauri's plugin model (`tauri::plugin::Builder`): a named bundle of commands reached as
 * `plugin:<name>|<cmd>`, a permission folder, a setup hook with its `tauri.conf.json > plugins > <name>` config, an
 * init script for every page, and lifecycle hooks. `Builder.plugin(plugin)` registers one; the core's own plugins
 * (`event`, `app`, `window`, …, in src/plugins/core) are written with this same builder.
 *
 * @example
 *   export const counter = new PluginBuilder('counter')
 *     .invokeHandler({ add: command(z.object({ by: z.number() }), ({ by }, ctx) => ctx.state(Counter).add(by)) })
 *     .permissions(new URL('./permissions', import.meta.url))
 *     .setup((app) => app.manage(new Counter()))
 *     .build();
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import { type CommandDefinition, type CommandMap, type CommandScope, toDefinition } from './commands.js';
import type { AppConfig } from './config.js';
import type { AppHandle } from './handle.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** A webview as hooks see it. */
export interface WebviewInfo {
  readonly label: string;
  /** Label of the window the webview is in. */
  readonly window: string;
  /** Origin of the page shown in it. */
  readonly origin: string;
}

/** A window as hooks see it. */
export interface WindowInfo {
  readonly label: string;
}

/** What `onPageLoad` receives (Tauri's `PageLoadPayload`): the page's URL and whether it started or finished loading. */
export interface PageLoadPayload {
  readonly url: string;
  readonly event: 'started' | 'finished';
}

/** App lifecycle events given to `onEvent` (the subset of Tauri's `RunEvent` a Node core has). */
export type RunEvent = { readonly type: 'Ready' } | { readonly type: 'ExitRequested' } | { readonly type: 'Exit' };

/**
 * A scope a plugin can widen or narrow while the app runs (Tauri's `fs_scope().allow_file()`). Its entries join
 * `ctx.globalScope` of every command of the plugin from the next call on; a denied entry wins over every allow.
 */
export interface RuntimeScope<Entry = unknown> {
  /** Entries added at run time, in order. */
  readonly allow: readonly Entry[];
  readonly deny: readonly Entry[];
  /** Allows one more entry; notifies `onChange` listeners. */
  allowEntry(entry: Entry): void;
  /** Forbids an entry; a forbidden entry wins over every allow, including the capabilities'. */
  denyEntry(entry: Entry): void;
  /** `granted` (a scope from the capabilities) with the run-time entries added, deny winning. */
  merged(granted: CommandScope): CommandScope;
  /** Called after every change; returns the function that stops it. */
  onChange(listener: () => void): () => void;
}

/** The second argument of a plugin's `setup`: what belongs to the plugin itself. */
export interface PluginApi<Config = unknown, Entry = unknown> {
  /** The plugin's name. */
  readonly name: string;
  /** `plugins.<name>` of `tauri.conf.json` (undefined when absent). */
  readonly config: Config;
  /** Sends `payload` to every page listener registered with `addPluginListener(<name>, event, cb)`. */
  emit(event: string, payload?: unknown): void;
  /** The plugin's run-time scope (see `RuntimeScope`); the same object as `app.scopeOf(name)`. */
  readonly scope: RuntimeScope<Entry>;
}

/** The `app` a plugin's setup receives: the public app, plus `manage` to register state for its commands. */
export interface SetupApp extends AppHandle {
  /** Makes `value` reachable as `ctx.state(TheClass)` in every command (and `app.state(TheClass)`). */
  manage(value: object): void;
}

export type PluginSetup<Config, Entry> = (app: SetupApp, api: PluginApi<Config, Entry>) => void | Promise<void>;

/**
 * An init script decided when the app is built: returns the source for this app's config, or `undefined` for none
 * (e.g. a plugin's `window.__TAURI__.<name>` only when `app.withGlobalTauri` is set).
 */
export type InitScriptFn = (config: AppConfig) => string | undefined;

/** Hooks of one plugin, all optional. */
export interface PluginHooks<Config = unknown, Entry = unknown> {
  readonly setup: PluginSetup<Config, Entry> | undefined;
  readonly onNavigation: ((webview: WebviewInfo, url: URL) => boolean) | undefined;
  readonly onPageLoad: ((webview: WebviewInfo, payload: PageLoadPayload) => void) | undefined;
  readonly onWebviewReady: ((webview: WebviewInfo) => void) | undefined;
  readonly onWindowReady: ((window: WindowInfo) => void) | undefined;
  readonly onEvent: ((app: AppHandle, event: RunEvent) => void) | undefined;
  readonly onDrop: ((app: AppHandle) => void) | undefined;
}

const PLUGIN = Symbol.for('airlock.plugin');

/**
 * A built plugin, typed by its name and its commands, so a typed client can name `plugin:<Name>|<cmd>`.
 * Register it with `Builder.plugin(plugin)`.
 */
export interface Plugin<Name extends string = string, Commands extends CommandMap = CommandMap> {
  readonly [PLUGIN]: true;
  readonly name: Name;
  /** The commands as given to `invokeHandler` (for their types); the core runs `definitions`. */
  readonly commands: Commands;
  readonly definitions: ReadonlyMap<string, CommandDefinition>;
  /** Absolute directory of the plugin's permission files, if it has one. */
  readonly permissionsDir: string | undefined;
  readonly initScripts: readonly (string | InitScriptFn)[];
  /** Parses each scope entry of the plugin's permissions (`scopeSchema`); undefined = entries as written. */
  readonly scopeSchema: StandardSchemaV1 | undefined;
  readonly hooks: PluginHooks;
}

/** `plugin:<name>|<cmd>` for every command of a plugin: what a typed client will infer from `Plugin`. */
export type PluginCommandNames<P> = P extends Plugin<infer N, infer C> ? `plugin:${N}|${Extract<keyof C, string>}` : never;

export function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && (value as Plugin)[PLUGIN] === true;
}

/** Plugin names as Tauri allows them: lowercase ASCII letters, digits and `-`, starting with a letter. */
const NAME_RE = /^[a-z][a-z0-9-]*$/;
/** Command names: what Tauri's `#[command]` functions can be called. */
const COMMAND_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function toDir(dir: string | URL, name: string): string {
  const where = `PluginBuilder(${JSON.stringify(name)}).permissions()`;
  if (dir instanceof URL || (typeof dir === 'string' && dir.startsWith('file:'))) {
    const url = dir instanceof URL ? dir : new URL(dir);
    if (url.protocol !== 'file:') throw new AirlockError(ErrorCode.CONFIG, `${where}: a URL must be a file: URL, got ${url.href}`);
    return fileURLToPath(url);
  }
  if (typeof dir !== 'string' || !path.isAbsolute(dir)) {
    throw new AirlockError(
      ErrorCode.CONFIG,
      `${where}: give an absolute path or a file: URL such as new URL('./permissions', import.meta.url), got ${JSON.stringify(dir)}`,
    );
  }
  return dir;
}

/** Parses (never runs) an init script, so a syntax error stops start-up instead of breaking every page's runtime. */
export function checkInitScript(plugin: string, source: string): void {
  try {
    new Function(source);
  } catch (cause) {
    throw new AirlockError(ErrorCode.CONFIG, `plugin \`${plugin}\`: jsInitScript: ${(cause as Error).message}`, { cause });
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Builds a plugin (`tauri::plugin::Builder`). Every method returns the builder; `build()` ends it. */
export class PluginBuilder<Name extends string, Commands extends CommandMap = Record<never, never>, Config = unknown, Entry = unknown> {
  readonly #name: Name;
  readonly #commands: Record<string, unknown> = {};
  readonly #definitions = new Map<string, CommandDefinition>();
  readonly #initScripts: (string | InitScriptFn)[] = [];
  readonly #hooks: Mutable<PluginHooks<Config, Entry>> = {
    setup: undefined,
    onNavigation: undefined,
    onPageLoad: undefined,
    onWebviewReady: undefined,
    onWindowReady: undefined,
    onEvent: undefined,
    onDrop: undefined,
  };
  #permissionsDir: string | undefined;
  #scopeSchema: StandardSchemaV1 | undefined;
  #built = false;

  constructor(name: Name) {
    if (typeof name !== 'string' || !NAME_RE.test(name)) {
      throw new AirlockError(
        ErrorCode.CONFIG,
        `new PluginBuilder(${JSON.stringify(name)}): a plugin name is lowercase ASCII letters, digits and \`-\`, starting with a letter (e.g. \`my-plugin\`)`,
      );
    }
    if (name.startsWith('tauri-plugin-')) {
      throw new AirlockError(
        ErrorCode.CONFIG,
        `new PluginBuilder(${JSON.stringify(name)}): name the plugin without \`tauri-plugin-\` (\`${name.slice(13)}\`), as its permissions and commands are named`,
      );
    }
    this.#name = name;
  }

  /** Registers the plugin's commands, in the same forms as `Builder.invokeHandler`; reached as `plugin:<name>|<cmd>`. */
  invokeHandler<C extends CommandMap>(commands: C): PluginBuilder<Name, Commands & C, Config, Entry> {
    this.#open('invokeHandler');
    for (const [cmd, value] of Object.entries(commands)) {
      const where = `plugin \`${this.#name}\`: invokeHandler`;
      if (!COMMAND_RE.test(cmd))
        throw new AirlockError(ErrorCode.CONFIG, `${where}: \`${cmd}\` is not a command name (letters, digits and \`_\`)`);
      if (this.#definitions.has(cmd)) throw new AirlockError(ErrorCode.CONFIG, `${where}: command \`${cmd}\` is registered twice`);
      this.#definitions.set(cmd, toDefinition(cmd, value));
      this.#commands[cmd] = value;
    }
    return this as unknown as PluginBuilder<Name, Commands & C, Config, Entry>;
  }

  /**
   * The plugin's permission folder, laid out as a Tauri plugin's `permissions/` (`*.toml`/`*.json` with `[default]`,
   * `[[set]]`, `[[permission]]`; an `autogenerated/` subfolder is fine). An absolute path or a `file:` URL, so a
   * plugin published as a package finds its own folder: `new URL('./permissions', import.meta.url)`.
   */
  permissions(dir: string | URL): this {
    this.#open('permissions');
    this.#permissionsDir = toDir(dir, this.#name);
    return this;
  }

  /**
   * A Standard Schema every scope entry of this plugin's permissions and capabilities must pass at start-up; its
   * output is what `ctx.scope` / `ctx.globalScope` hold (Tauri's `ScopeObject::deserialize`).
   */
  scopeSchema<S extends StandardSchemaV1>(schema: S): PluginBuilder<Name, Commands, Config, StandardSchemaV1.InferOutput<S>> {
    this.#open('scopeSchema');
    if (typeof schema?.['~standard']?.validate !== 'function') {
      throw new AirlockError(ErrorCode.CONFIG, `plugin \`${this.#name}\`: scopeSchema(schema) needs a Standard Schema`);
    }
    this.#scopeSchema = schema;
    return this as unknown as PluginBuilder<Name, Commands, Config, StandardSchemaV1.InferOutput<S>>;
  }

  /** Runs once when the app is built, in registration order: `app.manage(value)` here makes state for the commands. */
  setup<C = Config>(fn: PluginSetup<C, Entry>): PluginBuilder<Name, Commands, C, Entry> {
    this.#open('setup');
    this.#hook('setup', fn as unknown as PluginSetup<Config, Entry>);
    return this as unknown as PluginBuilder<Name, Commands, C, Entry>;
  }

  /**
   * Script run in every page (also after reloads) before the app's own scripts, as Tauri's `js_init_script`. A
   * function is called once when the app is built, with its config, and returns the source (or `undefined`: none).
   */
  jsInitScript(source: string | InitScriptFn): this {
    this.#open('jsInitScript');
    if (typeof source === 'function') {
      this.#initScripts.push(source);
      return this;
    }
    if (typeof source !== 'string')
      throw new AirlockError(ErrorCode.CONFIG, `plugin \`${this.#name}\`: jsInitScript(source) takes a string or a function`);
    checkInitScript(this.#name, source);
    this.#initScripts.push(source);
    return this;
  }

  /** Decides whether a webview may show `url`; returning false refuses it (see docs/plugins.md for what is seen). */
  onNavigation(fn: (webview: WebviewInfo, url: URL) => boolean): this {
    return this.#hook('onNavigation', fn);
  }

  /** Called when a page has loaded in a webview (each load, reloads included). */
  onPageLoad(fn: (webview: WebviewInfo, payload: PageLoadPayload) => void): this {
    return this.#hook('onPageLoad', fn);
  }

  /** Called the first time a webview connects. */
  onWebviewReady(fn: (webview: WebviewInfo) => void): this {
    return this.#hook('onWebviewReady', fn);
  }

  /** Called the first time a page of a window connects. */
  onWindowReady(fn: (window: WindowInfo) => void): this {
    return this.#hook('onWindowReady', fn);
  }

  /** App lifecycle: `Ready` once every plugin is set up, `ExitRequested` and `Exit` when the app closes. */
  onEvent(fn: (app: AppHandle, event: RunEvent) => void): this {
    return this.#hook('onEvent', fn);
  }

  /** Called when the app closes, after every page is gone (Tauri: when the plugin is dropped). */
  onDrop(fn: (app: AppHandle) => void): this {
    return this.#hook('onDrop', fn);
  }

  /** The plugin, typed by its name and commands. A builder builds once. */
  build(): Plugin<Name, Commands> {
    this.#open('build');
    this.#built = true;
    return Object.freeze({
      [PLUGIN]: true as const,
      name: this.#name,
      commands: Object.freeze({ ...this.#commands }) as unknown as Commands,
      definitions: this.#definitions,
      permissionsDir: this.#permissionsDir,
      initScripts: Object.freeze([...this.#initScripts]),
      scopeSchema: this.#scopeSchema,
      hooks: Object.freeze({ ...this.#hooks }) as PluginHooks,
    });
  }

  #hook<K extends keyof PluginHooks<Config, Entry>>(key: K, fn: PluginHooks<Config, Entry>[K]): this {
    this.#open(key);
    if (typeof fn !== 'function') throw new AirlockError(ErrorCode.CONFIG, `plugin \`${this.#name}\`: ${key}(fn) takes a function`);
    if (this.#hooks[key] !== undefined) throw new AirlockError(ErrorCode.CONFIG, `plugin \`${this.#name}\`: ${key} is set twice`);
    this.#hooks[key] = fn;
    return this;
  }

  #open(method: string): void {
    if (this.#built)
      throw new AirlockError(ErrorCode.CONFIG, `plugin \`${this.#name}\`: ${method}() after build(); make a new PluginBuilder`);
  }
}
