/**
 * Capability declarations (`capabilities/**` files and inline `app.security.capabilities` entries), validated into
 * plain data. Globs and URL patterns are compiled here once so that a bad one fails start-up naming its file and
 * capability; resolution compiles them again from the validated text.
 */
import { configError, Fields, isRecord } from './fields.js';
import { compileGlob, GlobError } from './glob.js';
import { parseIdentifier } from './identifier.js';
import type { Capability, PermissionEntry } from './model.js';
import { compileUrlPattern, UrlPatternError } from './url-pattern.js';

const CAPABILITY_FIELDS = ['identifier', 'description', 'windows', 'webviews', 'permissions', 'local', 'remote', 'platforms'];

function parsePermissionEntry(f: Fields, value: unknown, index: number, warnings: string[]): PermissionEntry {
  if (typeof value === 'string') {
    const id = parseIdentifier(value);
    if ('error' in id) f.fail(id.error);
    return { identifier: value };
  }
  if (!isRecord(value)) f.fail(`\`permissions[${index}]\` must be an identifier or { identifier, allow?, deny? }`);
  const entry = new Fields(`${f.where}: \`permissions[${index}]\``, value);
  entry.warnUnknown(['identifier', 'allow', 'deny'], warnings);
  const identifier = entry.requiredString('identifier');
  const id = parseIdentifier(identifier);
  if ('error' in id) f.fail(id.error);
  const allow = entry.optionalArray('allow');
  const deny = entry.optionalArray('deny');
  return { identifier, ...(allow === undefined ? {} : { allow }), ...(deny === undefined ? {} : { deny }) };
}

function checkGlobs(f: Fields, key: string, globs: readonly string[]): void {
  for (const glob of globs) {
    try {
      compileGlob(glob);
    } catch (cause) {
      if (cause instanceof GlobError) f.fail(`\`${key}\`: ${cause.message}`);
      throw cause;
    }
  }
}

function remoteUrls(f: Fields): readonly string[] {
  const remote = f.optionalObject('remote');
  if (remote === undefined) return [];
  const urls = remote.stringArray('urls', true);
  for (const url of urls) {
    try {
      compileUrlPattern(url);
    } catch (cause) {
      if (cause instanceof UrlPatternError) f.fail(`\`remote.urls\`: ${cause.message}`);
      throw cause;
    }
  }
  return urls;
}

/** Validates one capability object; `where` locates it when it has no identifier yet. */
export function parseCapability(value: unknown, source: string, where: string, warnings: string[]): Capability {
  if (!isRecord(value)) throw configError(`${source}: ${where}: a capability must be an object`);
  const identifier = new Fields(`${source}: ${where}`, value).requiredString('identifier');
  const f = new Fields(`${source}: capability \`${identifier}\``, value);
  f.warnUnknown(CAPABILITY_FIELDS, warnings);
  const windows = f.stringArray('windows');
  const webviews = f.stringArray('webviews');
  checkGlobs(f, 'windows', windows);
  checkGlobs(f, 'webviews', webviews);
  const rawPermissions = f.optionalArray('permissions');
  if (rawPermissions === undefined) throw configError(`${f.where}: \`permissions\` is required (a list of permission identifiers)`);
  const permissions = rawPermissions.map((p, i) => parsePermissionEntry(f, p, i, warnings));
  const capability: Capability = {
    identifier,
    description: f.optionalString('description') ?? '',
    windows,
    webviews,
    permissions,
    local: f.boolean('local', true),
    remoteUrls: remoteUrls(f),
    platforms: f.platforms(),
    source,
  };
  if (windows.length === 0 && webviews.length === 0) {
    warnings.push(`${f.where}: names no \`windows\` or \`webviews\`, so it grants nothing`);
  } else if (!capability.local && capability.remoteUrls.length === 0) {
    warnings.push(`${f.where}: has \`local: false\` and no \`remote.urls\`, so it grants nothing`);
  }
  return capability;
}

/** A capability file holds one capability, an array of them, or `{ "capabilities": [...] }`. */
export function parseCapabilityDocument(doc: unknown, source: string, warnings: string[]): Capability[] {
  if (Array.isArray(doc)) return doc.map((c, i) => parseCapability(c, source, `capabilities[${i}]`, warnings));
  if (isRecord(doc) && Array.isArray(doc['capabilities']) && doc['identifier'] === undefined) {
    return doc['capabilities'].map((c, i) => parseCapability(c, source, `capabilities[${i}]`, warnings));
  }
  return [parseCapability(doc, source, 'capability', warnings)];
}
