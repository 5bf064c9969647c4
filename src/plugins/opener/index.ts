/**
 * The `opener` plugin, for `@tauri-apps/plugin-opener` 2.x: `openUrl`, `openPath` and `revealItemInDir` through
 * the system's opener (`xdg-open` on Linux, `open` on macOS, `rundll32 url.dll,FileProtocolHandler` on Windows; a
 * file manager's `ShowItems` over D-Bus, `open -R`, `explorer /select,` to reveal), or the program a page names with
 * `with` when its scope entry allows it. Scope entries as Tauri's: `{ url: <glob> }` (here `*` crosses `/`) or
 * `{ path: <fs glob with $VARS> }`, each with an optional `app` (absent: only without `with`; true: any program; a
 * name: that one). Deny wins; with no allow entry nothing opens.
 *
 * `command` replaces the system opener (a program and its first arguments; the URL or path is appended, after
 * `--reveal` for revealItemInDir): tests record with it, and a kiosk can route every link elsewhere.
 *
 * @example
 *   import opener from 'airlock/plugins/opener';
 *   await Builder.default().plugin(opener()).build();
 *   // page: await openUrl('https://tauri.app');
 */
import { z } from 'zod';
import type { CommandScope, InvokeContext } from '../../core/commands.js';
import { FsScope } from '../../core/fs-scope.js';
import type { PathResolver } from '../../core/paths.js';
import { PluginBuilder } from '../../core/plugin.js';
import { pluginConfig } from '../shared/config.js';
import { globalApi } from '../shared/global-api.js';
import { type SystemOpenerOptions, systemOpen, systemReveal } from '../shared/os-helper.js';

export interface OpenerOptions extends SystemOpenerOptions {
  /** `plugins.opener.requireLiteralLeadingDot` for path entries (default: true on Unix). */
  readonly requireLiteralLeadingDot?: boolean | undefined;
}

const app = z.union([z.boolean(), z.string()]).optional();
/** A scope entry: a URL glob or a path glob, and which program may open it. */
export type OpenerScopeEntry =
  | { readonly url: RegExp; readonly app: boolean | string | undefined }
  | { readonly path: string; readonly app: boolean | string | undefined };

/** A Rust `glob::Pattern` under default options, as a RegExp: `*` and `**` match any run (slashes too), `?` one. */
export function urlGlob(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

const scopeEntry = z
  .union([z.object({ url: z.string(), app }), z.object({ path: z.string(), app })])
  .transform((e): OpenerScopeEntry => ('url' in e ? { url: urlGlob(e.url), app: e.app } : { path: e.path, app: e.app }));

const configSchema = z
  .object({ requireLiteralLeadingDot: z.boolean().optional(), command: z.array(z.string()).min(1).optional() })
  .strict();

function appAllows(entryApp: boolean | string | undefined, withApp: string | undefined): boolean {
  if (withApp === undefined) return entryApp !== false;
  return entryApp === true || entryApp === withApp;
}

type Args = Record<string, unknown>;
const record = (raw: unknown): Args => (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Args) : {});

function stringArg(cmd: string, args: Args, key: string): string {
  const v = args[key];
  if (v === undefined || v === null)
    throw new Error(`invalid args \`${key}\` for command \`${cmd}\`: command ${cmd} missing required key ${key}`);
  if (typeof v !== 'string')
    throw new Error(`invalid args \`${key}\` for command \`${cmd}\`: invalid type: ${typeof v}, expected a string`);
  return v;
}

function withArg(cmd: string, args: Args): string | undefined {
  const v = args['with'];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Error(`invalid args \`with\` for command \`${cmd}\`: invalid type: ${typeof v}, expected a string`);
  return v;
}

export default function opener(options: OpenerOptions = {}) {
  let config: z.infer<typeof configSchema> = {};
  const opening = (): SystemOpenerOptions => ({ command: config.command });

  const entries = (ctx: InvokeContext, key: 'allow' | 'deny'): OpenerScopeEntry[] =>
    [...(ctx.scope as CommandScope)[key], ...ctx.globalScope[key]] as OpenerScopeEntry[];

  const pathAllowed = (
    resolver: PathResolver,
    list: OpenerScopeEntry[],
    target: string,
    withApp: string | undefined,
    deny: boolean,
  ): boolean => {
    const patterns = list.filter(
      (e): e is Extract<OpenerScopeEntry, { path: string }> => 'path' in e && (deny || appAllows(e.app, withApp)),
    );
    if (patterns.length === 0) return false;
    const literal = config.requireLiteralLeadingDot;
    const scope = new FsScope(
      { allow: patterns.map((e) => e.path), deny: [], ...(literal === undefined ? {} : { requireLiteralLeadingDot: literal }) },
      resolver,
    );
    return scope.isAllowed(target);
  };

  return new PluginBuilder('opener')
    .invokeHandler({
      open_url: async (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const url = stringArg('open_url', args, 'url');
        const withApp = withArg('open_url', args);
        const matches = (e: OpenerScopeEntry): boolean => 'url' in e && e.url.test(url);
        const denied = entries(ctx, 'deny').some(matches);
        const allowed = entries(ctx, 'allow').some((e) => matches(e) && appAllows(e.app, withApp));
        if (denied || !allowed) throw new Error(`Not allowed to open url ${url}${withApp === undefined ? '' : ` with ${withApp}`}`);
        await systemOpen(url, withApp, opening());
        return null;
      },
      open_path: async (raw: unknown, ctx: InvokeContext) => {
        const args = record(raw);
        const target = stringArg('open_path', args, 'path');
        const withApp = withArg('open_path', args);
        const denied = pathAllowed(ctx.app.path, entries(ctx, 'deny'), target, withApp, true);
        const allowed = pathAllowed(ctx.app.path, entries(ctx, 'allow'), target, withApp, false);
        if (denied || !allowed) throw new Error(`Not allowed to open path ${target}${withApp === undefined ? '' : ` with ${withApp}`}`);
        await systemOpen(target, withApp, opening());
        return null;
      },
      reveal_item_in_dir: async (raw: unknown) => {
        const args = record(raw);
        // 2.7 guests send `paths`; older ones sent one `path`.
        const list = Array.isArray(args['paths']) ? args['paths'] : [stringArg('reveal_item_in_dir', args, 'path')];
        if (list.length === 0 || !list.every((p): p is string => typeof p === 'string')) {
          throw new Error('invalid args `paths` for command `reveal_item_in_dir`: expected a non-empty list of paths');
        }
        await systemReveal(list, opening());
        return null;
      },
    })
    .permissions(new URL('./permissions', import.meta.url))
    .scopeSchema(scopeEntry)
    .setup((_app, api) => {
      config = pluginConfig('opener', api.config, options, configSchema);
    })
    .jsInitScript(globalApi('opener'))
    .build();
}
