/**
 * Declare: capability and permission files, parsed and validated into plain data (see model.ts), and permission
 * files merged into one Manifest per plugin. No file system access here: load.ts reads the files and hands the text in.
 */
import { parse as parseToml } from 'smol-toml';
import { parseCapabilityDocument } from './capability.js';
import { configError, Fields, isRecord } from './fields.js';
import { parseIdentifier } from './identifier.js';
import type { Capability, Manifest, Permission, PermissionFile, PermissionSet } from './model.js';

export { parseCapability, parseCapabilityDocument } from './capability.js';

export type DocumentFormat = 'json' | 'toml';

/** The format of a file by its extension, or undefined for anything else. */
export function formatOf(file: string): DocumentFormat | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.toml')) return 'toml';
  return undefined;
}

/**
 * Parses JSON or TOML text; a syntax error is a CONFIG error naming the file. TOML is normalized to JSON values
 * (plain objects, dates as strings), so scope values reach handlers in one shape whichever format declared them.
 */
export function parseDocument(text: string, format: DocumentFormat, source: string): unknown {
  try {
    return format === 'json' ? JSON.parse(text) : JSON.parse(JSON.stringify(parseToml(text)));
  } catch (cause) {
    throw configError(`${source}: invalid ${format.toUpperCase()}: ${(cause as Error).message.split('\n')[0]}`);
  }
}

/** Parses the text of a capability file (`.json` or `.toml`). */
export function parseCapabilityFile(text: string, format: DocumentFormat, source: string, warnings: string[]): Capability[] {
  return parseCapabilityDocument(parseDocument(text, format, source), source, warnings);
}

function parseMembers(f: Fields): readonly string[] {
  const members = f.stringArray('permissions', true);
  for (const member of members) {
    const id = parseIdentifier(member);
    if ('error' in id) f.fail(id.error);
  }
  return members;
}

function parseSet(value: unknown, source: string, index: number, warnings: string[]): PermissionSet {
  if (!isRecord(value)) throw configError(`${source}: set[${index}] must be a table`);
  const identifier = new Fields(`${source}: set[${index}]`, value).requiredString('identifier');
  const f = new Fields(`${source}: set \`${identifier}\``, value);
  f.warnUnknown(['identifier', 'description', 'permissions'], warnings);
  return { identifier, description: f.optionalString('description') ?? '', permissions: parseMembers(f), source };
}

function parseDefault(value: unknown, source: string, warnings: string[]): PermissionSet {
  if (!isRecord(value)) throw configError(`${source}: \`default\` must be a table`);
  const f = new Fields(`${source}: default`, value);
  f.warnUnknown(['description', 'permissions', 'version'], warnings);
  return { identifier: 'default', description: f.optionalString('description') ?? '', permissions: parseMembers(f), source };
}

function parsePermission(value: unknown, source: string, index: number, warnings: string[]): Permission {
  if (!isRecord(value)) throw configError(`${source}: permission[${index}] must be a table`);
  const identifier = new Fields(`${source}: permission[${index}]`, value).requiredString('identifier');
  const f = new Fields(`${source}: permission \`${identifier}\``, value);
  f.warnUnknown(['identifier', 'description', 'version', 'commands', 'scope', 'platforms'], warnings);
  const id = parseIdentifier(identifier);
  if ('error' in id || id.text.includes(':'))
    f.fail(`invalid permission identifier \`${identifier}\` (a plain name such as \`allow-read\`)`);
  const commands = f.optionalObject('commands');
  const scope = f.optionalObject('scope');
  const allow = scope?.optionalArray('allow');
  const deny = scope?.optionalArray('deny');
  return {
    identifier,
    description: f.optionalString('description') ?? '',
    commands: { allow: commands?.stringArray('allow') ?? [], deny: commands?.stringArray('deny') ?? [] },
    scope: { ...(allow === undefined ? {} : { allow }), ...(deny === undefined ? {} : { deny }) },
    platforms: f.platforms(),
    source,
  };
}

function tables(f: Fields, key: string): readonly unknown[] {
  return f.optionalArray(key) ?? [];
}

/** Parses a permission file: `[default]`, `[[set]]` and `[[permission]]` (or the same keys in JSON). */
export function parsePermissionFile(text: string, format: DocumentFormat, source: string, warnings: string[]): PermissionFile {
  const doc = parseDocument(text, format, source);
  if (!isRecord(doc)) throw configError(`${source}: a permission file must be a table/object`);
  const f = new Fields(source, doc);
  f.warnUnknown(['default', 'set', 'permission'], warnings);
  const rawDefault = doc['default'];
  return {
    source,
    default: rawDefault === undefined ? undefined : parseDefault(rawDefault, source, warnings),
    sets: tables(f, 'set').map((s, i) => parseSet(s, source, i, warnings)),
    permissions: tables(f, 'permission').map((p, i) => parsePermission(p, source, i, warnings)),
  };
}

/**
 * Merges one plugin's files into a Manifest. Two definitions of the same name are an error (Tauri silently keeps the
 * last one, which hides copy-paste mistakes); an explicit `allow-x` may replace the generated one, as in Tauri.
 */
export function buildManifest(key: string, files: readonly PermissionFile[], commands: readonly string[] = []): Manifest {
  const permissions = new Map<string, Permission>();
  const sets = new Map<string, PermissionSet>();
  let defaultSet: PermissionSet | undefined;
  const seen = new Map<string, string>();
  const claim = (name: string, source: string): void => {
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw configError(`${source}: permission or set \`${name}\` is already defined in ${previous}`);
    }
    seen.set(name, source);
  };
  for (const file of files) {
    if (file.default !== undefined) {
      claim('default', file.source);
      defaultSet = file.default;
    }
    for (const set of file.sets) {
      claim(set.identifier, set.source);
      sets.set(set.identifier, set);
    }
    for (const permission of file.permissions) {
      claim(permission.identifier, permission.source);
      permissions.set(permission.identifier, permission);
    }
  }
  return { key, default: defaultSet, permissions, sets, commands: [...new Set(commands)].sort() };
}
