/**
 * The ACL's only I/O: reads `capabilities/**` and `permissions/**` next to the config (and plugins' permission
 * directories), applies `app.security.capabilities` selection, and resolves. Synchronous, because it runs once at
 * start-up and a failure must stop start-up.
 *
 * With no capability configuration at all (no files, no inline entries) the app gets an implicit default, so a new
 * project works out of the box: `core:default` for every local window. `implicitDefault: true` tells the core to log
 * IMPLICIT_DEFAULT_NOTICE. Once any capability exists, only what is granted works (Tauri's rule).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseCapability } from './capability.js';
import { configError, isRecord } from './fields.js';
import { formatOf, parseCapabilityFile, parsePermissionFile } from './manifest.js';
import type { Capability, PermissionFile } from './model.js';
import { assertUniqueCapabilities, type PluginManifestInput, type ResolvedAcl, resolveAcl } from './resolve.js';

/** A registered plugin other than the core ones: its commands and the directory of its permission files. */
export interface PluginAclSource {
  readonly name: string;
  readonly commands?: readonly string[];
  readonly permissionsDir?: string;
}

export interface LoadAclOptions {
  /** Directory of tauri.conf.json; `capabilities/` and `permissions/` are read from it. Undefined = no files. */
  readonly configDir: string | undefined;
  /** `app.security.capabilities`: identifiers of capability files and/or inline capabilities; empty = all files. */
  readonly capabilities?: readonly unknown[];
  /** Names of the app's registered commands. */
  readonly appCommands: readonly string[];
  /** Registered plugins besides the core ones; a permission of any other plugin is a warning. */
  readonly plugins?: readonly (string | PluginAclSource)[];
  readonly platform?: NodeJS.Platform;
  /** Apply a deny only where its capability matches, instead of Tauri's deny-everywhere (see docs/capabilities.md). */
  readonly scopedDenies?: boolean;
}

export interface LoadedAcl {
  readonly resolved: ResolvedAcl;
  readonly warnings: string[];
  /** True when no capability was configured and the implicit default applies. */
  readonly implicitDefault: boolean;
}

export const IMPLICIT_DEFAULT_NOTICE =
  'no capabilities configured: every local window may use core:default (events, window and app getters) and app ' +
  'commands are not checked. To tighten this, add capabilities/default.json, e.g. ' +
  '{ "identifier": "default", "windows": ["main"], "permissions": ["core:default"] }, and a permissions/ file to check app commands.';

const IMPLICIT_CAPABILITY: Capability = {
  identifier: 'implicit-default',
  description: 'Applies only when no capability is configured.',
  windows: ['*'],
  webviews: [],
  permissions: [{ identifier: 'core:default' }],
  local: true,
  remoteUrls: [],
  platforms: undefined,
  source: 'implicit default (no capabilities configured)',
};

/** Files under `dir`, recursively, as sorted paths relative to it with `/` separators; [] when it does not exist. */
function listFiles(dir: string, skipDirs: readonly string[] = []): string[] {
  try {
    if (!statSync(dir).isDirectory()) return [];
  } catch {
    return [];
  }
  return readdirSync(dir, { recursive: true, withFileTypes: false, encoding: 'utf8' })
    .map((p) => p.split(path.sep).join('/'))
    .filter((p) => !skipDirs.some((d) => p.startsWith(`${d}/`)) && statSync(path.join(dir, p)).isFile())
    .sort();
}

function read(file: string, source: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw configError(`${source}: cannot read: ${(cause as Error).message}`);
  }
}

/** Permission files of a directory; Tauri skips its generated `schemas/` folder, and so do we. */
function loadPermissionDir(dir: string, label: string, warnings: string[], skipDirs: readonly string[] = []): PermissionFile[] {
  const files: PermissionFile[] = [];
  for (const rel of listFiles(dir, ['schemas', ...skipDirs])) {
    const format = formatOf(rel);
    if (format === undefined) continue;
    const source = `${label}/${rel}`;
    files.push(parsePermissionFile(read(path.join(dir, rel), source), format, source, warnings));
  }
  return files;
}

function loadCapabilityFiles(configDir: string | undefined, warnings: string[]): Capability[] {
  if (configDir === undefined) return [];
  const dir = path.join(configDir, 'capabilities');
  const capabilities: Capability[] = [];
  for (const rel of listFiles(dir)) {
    const source = `capabilities/${rel}`;
    const format = formatOf(rel);
    if (format === undefined) {
      // Tauri fails on these (`unknown capability format`); a stray README or .DS_Store should not stop start-up.
      warnings.push(`${source}: unknown capability format (expected .json or .toml); ignored`);
      continue;
    }
    capabilities.push(...parseCapabilityFile(read(path.join(dir, rel), source), format, source, warnings));
  }
  assertUniqueCapabilities(capabilities);
  return capabilities;
}

function select(fromFiles: readonly Capability[], config: readonly unknown[], warnings: string[]): Capability[] {
  if (config.length === 0) return [...fromFiles];
  return config.map((entry, i) => {
    const where = `app.security.capabilities[${i}]`;
    if (typeof entry === 'string') {
      const found = fromFiles.find((c) => c.identifier === entry);
      if (found === undefined) {
        const known =
          fromFiles
            .map((c) => `\`${c.identifier}\``)
            .sort()
            .join(', ') || 'none';
        throw configError(`${where}: capability with identifier \`${entry}\` not found (capability files define: ${known})`);
      }
      return found;
    }
    if (isRecord(entry)) return parseCapability(entry, where, 'capability', warnings);
    throw configError(`${where}: must be a capability identifier or an inline capability object`);
  });
}

/** Reads, validates and resolves the app's ACL. Throws a CONFIG AirlockError naming the file and entry at fault. */
export function loadAcl(options: LoadAclOptions): LoadedAcl {
  const warnings: string[] = [];
  const fromFiles = loadCapabilityFiles(options.configDir, warnings);
  const config = options.capabilities ?? [];
  const implicitDefault = fromFiles.length === 0 && config.length === 0;
  const capabilities = implicitDefault ? [IMPLICIT_CAPABILITY] : select(fromFiles, config, warnings);
  const sources = (options.plugins ?? []).map((p) => (typeof p === 'string' ? { name: p } : p));
  // As Tauri's inlined plugins: the app's `permissions/<name>/`, for a plugin the app registers, holds that plugin's
  // permissions and is not read as the app's own.
  const appDir = options.configDir === undefined ? undefined : path.join(options.configDir, 'permissions');
  const pluginNames = sources.map((s) => s.name);
  const appPermissionFiles = appDir === undefined ? [] : loadPermissionDir(appDir, 'permissions', warnings, pluginNames);
  const plugins: PluginManifestInput[] = sources.map((source) => {
    const files = source.permissionsDir === undefined ? [] : loadPermissionDir(source.permissionsDir, `plugin ${source.name}`, warnings);
    if (appDir !== undefined) files.push(...loadPermissionDir(path.join(appDir, source.name), `permissions/${source.name}`, warnings));
    return { name: source.name, commands: source.commands ?? [], permissionFiles: files };
  });
  const { resolved, warnings: more } = resolveAcl({
    capabilities,
    appCommands: options.appCommands,
    appPermissionFiles,
    plugins,
    ...(options.platform === undefined ? {} : { platform: options.platform }),
    ...(options.scopedDenies === undefined ? {} : { scopedDenies: options.scopedDenies }),
  });
  return { resolved, warnings: [...new Set([...warnings, ...more])], implicitDefault };
}
