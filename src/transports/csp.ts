/**
 * `app.security.csp` applied to every HTML document the core serves, with Tauri's rules:
 *
 * - the policy is the config's `csp` (in `airlock dev`, `devCsp` when set);
 * - every inline `<script>` and `<style>` of the document is allowed by its `'sha256-…'` hash;
 * - what the core itself adds is allowed: the page runtime's `<script>` tag carries a per-response nonce
 *   (`script-src 'nonce-…'`), the IPC WebSocket is added to `connect-src`, the isolation frame's origin to
 *   `frame-src`;
 * - Tauri's own scheme names are translated to the core's origins (`ipc:` / `http://ipc.localhost` → the IPC
 *   WebSocket, `asset:` / `http://asset.localhost` → the asset protocol's origin, `isolation:` → the isolation frame);
 * - `dangerousDisableAssetCspModification` (true, or a list of directives) leaves those directives as written.
 *
 * A directive the policy does not name is created from `default-src` when there is one (so adding a nonce does not
 * lift `default-src` for that kind), and left alone otherwise (adding it would restrict what the policy allows).
 */
import { createHash, randomBytes } from 'node:crypto';

export interface CspContext {
  /** The policy text from the config, already chosen between `csp` and `devCsp`. */
  readonly policy: string;
  readonly disableModification: boolean | readonly string[];
  /** Origins the page connects to (the IPC WebSocket, `ws://127.0.0.1:P` and `ws://localhost:P`). */
  readonly connect: readonly string[];
  /** The isolation frame's origin, under the isolation pattern. */
  readonly frame?: string;
  /** The asset protocol's origin, when it is served. */
  readonly asset?: string;
}

type Policy = Map<string, string[]>;

function parse(text: string): Policy {
  const policy: Policy = new Map();
  for (const part of text.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name === undefined || name === '') continue;
    const key = name.toLowerCase();
    if (!policy.has(key)) policy.set(key, sources); // the first occurrence wins, as in browsers
  }
  return policy;
}

function serialize(policy: Policy): string {
  return [...policy].map(([name, sources]) => [name, ...sources].join(' ')).join('; ');
}

/** Tauri's scheme names, as this core's origins. */
function translate(policy: Policy, ctx: CspContext): void {
  const map = new Map<string, readonly string[]>([
    ['ipc:', ctx.connect],
    ['http://ipc.localhost', ctx.connect],
    ['https://ipc.localhost', ctx.connect],
  ]);
  if (ctx.asset !== undefined) for (const s of ['asset:', 'http://asset.localhost', 'https://asset.localhost']) map.set(s, [ctx.asset]);
  if (ctx.frame !== undefined) map.set('isolation:', [ctx.frame]);
  for (const [name, sources] of policy) {
    const out: string[] = [];
    for (const s of sources) for (const t of map.get(s.toLowerCase()) ?? [s]) if (!out.includes(t)) out.push(t);
    policy.set(name, out);
  }
}

function hashes(html: string, tag: 'script' | 'style'): string[] {
  const out = new Set<string>();
  const re = tag === 'script' ? /<script(\s[^>]*)?>([\s\S]*?)<\/script\s*>/gi : /<style(\s[^>]*)?>([\s\S]*?)<\/style\s*>/gi;
  for (const m of html.matchAll(re)) {
    const attrs = m[1] ?? '';
    const body = m[2] ?? '';
    if (tag === 'script' && /\ssrc\s*=/i.test(` ${attrs}`)) continue;
    if (body === '') continue;
    out.add(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
  }
  return [...out];
}

/** A fresh nonce for one response. */
export function cspNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The policy for one HTML document, whose runtime tag carries `nonce`. */
export function documentPolicy(ctx: CspContext, html: string, nonce: string): string {
  const policy = parse(ctx.policy);
  translate(policy, ctx);
  const modifiable = (directive: string): boolean =>
    ctx.disableModification === false ? true : ctx.disableModification === true ? false : !ctx.disableModification.includes(directive);
  /** Adds `sources` to `directive`, creating it from the first of `fallbacks` the policy names (if any). */
  const add = (directive: string, sources: readonly string[], fallbacks: readonly string[] = ['default-src']): void => {
    if (sources.length === 0 || !modifiable(directive)) return;
    let list = policy.get(directive);
    if (list === undefined) {
      const fallback = fallbacks.map((f) => policy.get(f)).find((f) => f !== undefined);
      if (fallback === undefined) return; // unrestricted: leave it so
      list = [...fallback];
    }
    list = list.filter((s) => s.toLowerCase() !== "'none'");
    for (const s of sources) if (!list.includes(s)) list.push(s);
    policy.set(directive, list);
  };
  const scripts = [`'nonce-${nonce}'`, ...hashes(html, 'script')];
  const styles = hashes(html, 'style');
  add('script-src', scripts);
  if (policy.has('script-src-elem')) add('script-src-elem', scripts);
  add('style-src', styles);
  if (policy.has('style-src-elem')) add('style-src-elem', styles);
  add('connect-src', ctx.connect);
  if (ctx.frame !== undefined) add('frame-src', [ctx.frame], ['child-src', 'default-src']);
  return serialize(policy);
}
