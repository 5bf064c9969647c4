/**
 * Access control: Tauri v2 capabilities, permissions and scopes, in three pure stages (declare → resolve →
 * authorize) plus one loader that reads the files. See docs/capabilities.md.
 */

// Load: read capability and permission files next to the config, select, resolve.
export { IMPLICIT_DEFAULT_NOTICE, type LoadAclOptions, type LoadedAcl, loadAcl, type PluginAclSource } from './load.js';

// Declare: parse and validate files into plain data.
export { buildManifest, type DocumentFormat, formatOf, parseCapability, parseCapabilityFile, parsePermissionFile } from './manifest.js';
export type { Capability, Manifest, Permission, PermissionEntry, PermissionFile, PermissionSet, ScopeValues, Target } from './model.js';

// Resolve: capabilities → lookup tables.
export {
  type ExecutionContext,
  type PluginManifestInput,
  type ResolvedAcl,
  type ResolvedEntry,
  type ResolveInput,
  resolveAcl,
} from './resolve.js';

// Authorize: the per-invoke check, and its explanation.
export { type Authorization, type AuthorizeRequest, authorize } from './authorize.js';
export { explain } from './explain.js';

// Scopes handed to command handlers, and their parsing by a plugin's schema.
export { parsePluginScopes, type ScopeParser } from './parse-scopes.js';
export { type CommandScope, commandScope, EMPTY_SCOPE } from './scope.js';

// Matchers, for tools that want to show what a pattern matches.
export { compileGlob, type Glob, globMatches } from './glob.js';
export { compileUrlPattern, type UrlPattern, urlPatternMatches } from './url-pattern.js';
export { APP_KEY } from './identifier.js';
