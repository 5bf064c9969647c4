// Shared by the first-party plugin tests: the fixture app's config and the guest packages as the page sees them
// (`window.__TAURI__.<name>`, bundled from the official packages, since the fixture sets app.withGlobalTauri).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

export const FIRST_PARTY = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'first-party');
export const FIRST_PARTY_CONFIG = path.join(FIRST_PARTY, 'tauri.conf.json');

export interface Guests {
  core: typeof import('@tauri-apps/api/core');
  event: typeof import('@tauri-apps/api/event');
  path: typeof import('@tauri-apps/api/path');
  os: typeof import('@tauri-apps/plugin-os');
  process: typeof import('@tauri-apps/plugin-process');
  fs: typeof import('@tauri-apps/plugin-fs');
  store: typeof import('@tauri-apps/plugin-store');
  opener: typeof import('@tauri-apps/plugin-opener');
  shell: typeof import('@tauri-apps/plugin-shell');
}

export type Outcome<T = unknown> = { ok: T } | { rejected: unknown };

/**
 * Runs `fn` in the page with the guest packages (`window.__TAURI__`) and reports whether it resolved or what it
 * rejected with (the exact value the guest package's promise rejects with).
 */
export function inPage<A, T>(page: Page, fn: (g: Guests, arg: A) => Promise<T> | T, arg: A): Promise<Outcome<T>> {
  return page.evaluate(
    async ([source, a]) => {
      const g = (window as unknown as { __TAURI__: Guests }).__TAURI__;
      try {
        // biome-ignore lint/security/noGlobalEval: the test's own function, sent as text to the page
        const indirect = globalThis.eval;
        const f = indirect(`(${source})`) as (g: Guests, arg: unknown) => unknown;
        return { ok: (await f(g, a)) as T };
      } catch (rejected) {
        return { rejected: rejected instanceof Error ? `Error: ${rejected.message}` : rejected };
      }
    },
    [fn.toString(), arg] as const,
  );
}
