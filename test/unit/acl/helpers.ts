/** Shared helpers for the ACL unit tests: fixture paths and a request builder. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuthorizeRequest } from '../../../src/acl/index.js';

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
