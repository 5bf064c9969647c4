/** Shared helpers for the ACL unit tests: fixture paths and a request builder. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AuthorizeRequest,
  type PluginManifestInput,
  parseCapabilityFile,
  parsePermissionFile,
  type ResolvedAcl,
  resolveAcl,
} from '../../../src/acl/index.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/acl');

export function fixture(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}

/** The fake plugins of Tauri's ACL tests, with their permission directories. */
export function fakePlugins(...names: string[]): { name: string; permissionsDir: string }[] {
  return names.map((name) => ({ name, permissionsDir: fixture('plugins', name) }));
}

/** A local request from window and webview `main`, overridable field by field. */
export function ask(command: string, overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
  return { command, window: 'main', webview: 'main', local: true, origin: 'http://127.0.0.1:1420', ...overrides };
}

/** A request from a remote page. */
export function remote(command: string, url: string, overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
  return ask(command, { local: false, origin: url, ...overrides });
}

/** Resolves an ACL from capability JSON text (and optional app permission TOML), as if read from files. */
export function resolveText(options: {
  capabilities: string;
  permissions?: string;
  appCommands?: string[];
  plugins?: PluginManifestInput[];
  platform?: NodeJS.Platform;
  scopedDenies?: boolean;
}): { resolved: ResolvedAcl; warnings: string[] } {
  const warnings: string[] = [];
  const capabilities = parseCapabilityFile(options.capabilities, 'json', 'capabilities/test.json', warnings);
  const appPermissionFiles =
    options.permissions === undefined ? [] : [parsePermissionFile(options.permissions, 'toml', 'permissions/test.toml', warnings)];
  const result = resolveAcl({
    capabilities,
    appCommands: options.appCommands ?? [],
    appPermissionFiles,
    platform: options.platform ?? 'linux',
    ...(options.plugins === undefined ? {} : { plugins: options.plugins }),
    ...(options.scopedDenies === undefined ? {} : { scopedDenies: options.scopedDenies }),
  });
  return { resolved: result.resolved, warnings: [...warnings, ...result.warnings] };
}
