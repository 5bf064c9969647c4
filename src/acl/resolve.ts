/**
 * Resolve: a pure function from declared capabilities and permission manifests to lookup tables, computed once at
 * start-up (Tauri's `Resolved::resolve`). For every active capability and every permission it
 * expands to, each allowed or denied command gets one entry per execution context (local, and each remote URL
 * pattern), remembering the capability and permission that produced it, the precompiled window/webview globs, and
 * the scope values. A permission with scope but no commands feeds its plugin's global scope instead.
 */
import { CORE_PLUGINS, coreManifests } from './core-permissions.js';
import { configError } from './fields.js';
import { compileGlob, type Glob, GlobError } from './glob.js';
import { APP_KEY, qualify } from './identifier.js';
import { buildManifest } from './manifest.js';
import {
  type Capability,
  type Manifest,
  type PermissionEntry,
  type PermissionFile,
  type ScopeValues,
  type Target,
  targetOf,
} from './model.js';
import { compileEventScope, EVENT_COMMANDS, type EventScope } from './event-scope.js';
import { isCoreKey, type Traversed, Traverser } from './traverse.js';
import { compileUrlPattern, type UrlPattern, UrlPatternError } from './url-pattern.js';

export type ExecutionContext = { readonly kind: 'local' } | { readonly kind: 'remote'; readonly pattern: UrlPattern };

export interface ResolvedEntry {
  readonly capability: string;
  /** The permission that names the command, qualified (`core:event:allow-listen`, `fs:allow-read-dir`, `allow-greet`). */
  readonly permission: string;
  /** The capability's own entry that led to it (`core:default`, `fs:read`), for explanations. */
  readonly via: string;
  readonly context: ExecutionContext;
  readonly windows: readonly Glob[];
  readonly webviews: readonly Glob[];
  /** Undefined when neither the permission nor the capability entry gives scope values. */
  readonly scope: ScopeValues | undefined;
  /** Event-name globs, for the `plugin:event` commands only (see event-scope.ts). */
  readonly events: EventScope | undefined;
}

export interface ResolvedAcl {
  /** Command key (`greet`, `plugin:event|listen`, `plugin:fs|read_dir`) → entries allowing it. */
  readonly allowed: ReadonlyMap<string, readonly ResolvedEntry[]>;
  readonly denied: ReadonlyMap<string, readonly ResolvedEntry[]>;
  /** Manifest key (`fs`, `core:event`, `__app-acl__`) → global scope values. */
  readonly globalScopes: ReadonlyMap<string, ScopeValues>;
  /** Tauri's `has_app_acl`: the app defines permission files, so every app command must be granted. */
  readonly appCommandsChecked: boolean;
  /** False (default): Tauri's quirk, a deny entry anywhere denies everywhere. True: only where its capability matches. */
  readonly scopedDenies: boolean;
  /** Every manifest by key, for denial messages ("permissions associated with this command"). */
  readonly manifests: ReadonlyMap<string, Manifest>;
  /** The capabilities in effect on this platform, sorted by identifier (Tauri's order). */
  readonly capabilities: readonly Capability[];
}

/** A plugin other than the core ones: its name, its commands (for `allow-<cmd>`), and its permission files. */
export interface PluginManifestInput {
  readonly name: string;
  readonly commands?: readonly string[];
  readonly permissionFiles?: readonly PermissionFile[];
}

export interface ResolveInput {
  readonly capabilities: readonly Capability[];
  /** Registered app command names; each gets `allow-<cmd>` / `deny-<cmd>`. */
  readonly appCommands: readonly string[];
  /** The app's `permissions/**` files. Any file at all makes app commands checked (Tauri's rule). */
  readonly appPermissionFiles: readonly PermissionFile[];
  readonly plugins?: readonly PluginManifestInput[];
  /** Defaults to the running platform. */
  readonly platform?: NodeJS.Platform;
  readonly scopedDenies?: boolean;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Capability identifiers are unique across files and inline entries. */
export function assertUniqueCapabilities(capabilities: readonly Capability[]): void {
  const seen = new Map<string, Capability>();
  for (const c of capabilities) {
    const previous = seen.get(c.identifier);
    if (previous !== undefined) {
      throw configError(`${c.source}: capability with identifier \`${c.identifier}\` already exists (first defined in ${previous.source})`);
    }
    seen.set(c.identifier, c);
  }
}

function buildManifests(input: ResolveInput): Map<string, Manifest> {
  const manifests = coreManifests();
  manifests.set(APP_KEY, buildManifest(APP_KEY, input.appPermissionFiles, input.appCommands));
  for (const plugin of input.plugins ?? []) {
    // A plugin named like a core one would share its `plugin:<name>|cmd` keys.
    if (isCoreKey(plugin.name) || CORE_PLUGINS.includes(plugin.name) || !/^[A-Za-z0-9-]+$/.test(plugin.name)) {
      throw configError(
        `plugin name \`${plugin.name}\` is not allowed (ASCII letters, digits and \`-\`; not \`core\` or a core plugin's name)`,
      );
    }
    if (manifests.has(plugin.name)) throw configError(`plugin \`${plugin.name}\` is registered twice`);
    manifests.set(plugin.name, buildManifest(plugin.name, plugin.permissionFiles ?? [], plugin.commands ?? []));
  }
  return manifests;
}

function commandKey(key: string, command: string): string {
  if (key === APP_KEY) return command;
  return `plugin:${key.startsWith('core:') ? key.slice(5) : key}|${command}`;
}

/** The scope of one expanded permission: the capability entry's values first, then the permission's (as Tauri). */
function scopeOf(entry: PermissionEntry, traversed: Traversed): ScopeValues | undefined {
  const own = traversed.permission.scope;
  if (entry.allow === undefined && entry.deny === undefined && own.allow === undefined && own.deny === undefined) return undefined;
  return deepFreeze({ allow: [...(entry.allow ?? []), ...(own.allow ?? [])], deny: [...(entry.deny ?? []), ...(own.deny ?? [])] });
}

function contextsOf(capability: Capability): ExecutionContext[] {
  const contexts: ExecutionContext[] = capability.local ? [{ kind: 'local' }] : [];
  for (const url of capability.remoteUrls) contexts.push({ kind: 'remote', pattern: compileUrlPattern(url) });
  return contexts;
}

function compiled<T>(where: string, build: () => T): T {
  try {
    return build();
  } catch (cause) {
    if (cause instanceof GlobError || cause instanceof UrlPatternError) throw configError(`${where}: ${cause.message}`);
    throw cause;
  }
}

function push(table: Map<string, ResolvedEntry[]>, key: string, entry: ResolvedEntry): void {
  const list = table.get(key);
  if (list === undefined) table.set(key, [entry]);
  else list.push(entry);
}

/** Resolves the ACL; throws a CONFIG AirlockError naming the file and entry on an invalid reference. */
export function resolveAcl(input: ResolveInput): { resolved: ResolvedAcl; warnings: string[] } {
  const warnings: string[] = [];
  assertUniqueCapabilities(input.capabilities);
  const manifests = buildManifests(input);
  const traverser = new Traverser(manifests, warnings);
  traverser.validateSets();
  const target: Target | undefined = targetOf(input.platform ?? process.platform);
  const active = (platforms: readonly Target[] | undefined): boolean =>
    platforms === undefined || (target !== undefined && platforms.includes(target));

  const allowed = new Map<string, ResolvedEntry[]>();
  const denied = new Map<string, ResolvedEntry[]>();
  const global = new Map<string, { allow: unknown[]; deny: unknown[] }>();
  const capabilities = input.capabilities.filter((c) => active(c.platforms)).sort((a, b) => (a.identifier < b.identifier ? -1 : 1));

  for (const capability of capabilities) {
    const where = `${capability.source}: capability \`${capability.identifier}\``;
    // Already validated when parsed; a hand-built Capability still gets a CONFIG error naming it.
    const [contexts, windows, webviews] = compiled(where, (): [ExecutionContext[], Glob[], Glob[]] => [
      contextsOf(capability),
      capability.windows.map((g) => compileGlob(g)),
      capability.webviews.map((g) => compileGlob(g)),
    ]);
    for (const entry of capability.permissions) {
      for (const traversed of traverser.expand(entry.identifier, where) ?? []) {
        const { permission, key } = traversed;
        if (!active(permission.platforms)) continue;
        const scope = scopeOf(entry, traversed);
        if (permission.commands.allow.length === 0 && permission.commands.deny.length === 0) {
          const g = global.get(key) ?? { allow: [], deny: [] };
          g.allow.push(...(scope?.allow ?? []));
          g.deny.push(...(scope?.deny ?? []));
          global.set(key, g);
          continue;
        }
        const base = {
          capability: capability.identifier,
          permission: qualify(key, permission.identifier),
          via: entry.identifier,
          windows,
          webviews,
          scope,
        };
        for (const [table, commands] of [
          [allowed, permission.commands.allow],
          [denied, permission.commands.deny],
        ] as const) {
          for (const command of commands) {
            const ck = commandKey(key, command);
            const events = EVENT_COMMANDS.has(ck) ? compileEventScope(scope, `${where}: \`${entry.identifier}\``) : undefined;
            for (const context of contexts) push(table, ck, { ...base, context, events });
          }
        }
      }
    }
  }
  const globalScopes = new Map<string, ScopeValues>([...global].map(([k, v]) => [k, deepFreeze(v)]));
  const resolved: ResolvedAcl = {
    allowed,
    denied,
    globalScopes,
    appCommandsChecked: input.appPermissionFiles.length > 0,
    scopedDenies: input.scopedDenies ?? false,
    manifests,
    capabilities,
  };
  return { resolved, warnings: [...new Set(warnings)] };
}
