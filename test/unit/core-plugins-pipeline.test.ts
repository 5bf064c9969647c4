// Every command of the core's own plugins runs through the one pipeline, exactly as an app command does: the table
// below takes each of them (and one app command), and shows that the ACL's decision is made for that call and its
// scopes reach the handler as ctx.scope/globalScope, that the deadline aborts ctx.signal and rejects with TIMEOUT,
// and that bad args are refused as INVALID_ARGS in the same shape, before the handler runs.
import { PathResolver } from '../../src/core/paths.ts';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { App, type Authorize, type RegisteredPlugin } from '../../src/core/app.ts';
import { type CommandDefinition, type CommandScope, command, type InvokeContext } from '../../src/core/commands.ts';
import { loadConfig } from '../../src/core/config.ts';
import { resolveLimits } from '../../src/core/limits.ts';
import type { Plugin } from '../../src/core/plugin.ts';
import { CORE_PLUGINS } from '../../src/plugins/core/index.ts';
import { connectInMemory } from '../../src/transports/memory.ts';

const scopeOf = (allow: unknown[]): CommandScope => ({ allow, deny: [], matches: () => true });

/** The ACL stand-in: grants every call a scope naming the command, so a handler shows whose scope it got. */
const authorize: Authorize = (request) => {
  if (request.command.endsWith('|refused') || request.command === 'refused')
    throw Object.assign(new Error(`${request.command} not allowed`), { code: 'FORBIDDEN' });
  return { scope: scopeOf([{ for: request.command }]), globalScope: scopeOf([{ global: request.command }]), checked: true };
};

interface Observed {
  scope: readonly unknown[];
  globalScope: readonly unknown[];
  aborted: unknown;
}

function runtime(plugins: readonly RegisteredPlugin[], commands: Map<string, CommandDefinition>, timeoutMs: number): App {
  return new App({
    config: loadConfig({}),
    commands,
    plugins,
    state: new Map(),
    limits: resolveLimits({ commandTimeoutMs: timeoutMs }),
    logger: () => {},
    serve: () => Promise.reject(new Error('not served')),
    authorize,
    explain: () => '',
    isolation: undefined,
    paths: new PathResolver({ identifier: 'dev.airlock.test', resourceDir: undefined }),
  });
}

/** A copy of a plugin whose handlers record their ctx and wait for ctx.signal (the pipeline is what is tested). */
function observing(plugin: Plugin, seen: Map<string, Observed>): Plugin {
  const definitions = new Map<string, CommandDefinition>();
  for (const [name, def] of plugin.definitions) {
    definitions.set(name, {
      ...def,
      handler: (_args: unknown, ctx: InvokeContext) =>
        new Promise((_resolve, reject) => {
          const o: Observed = { scope: ctx.scope.allow, globalScope: ctx.globalScope.allow, aborted: undefined };
          seen.set(ctx.command, o);
          ctx.signal.addEventListener('abort', () => {
            o.aborted = ctx.signal.reason;
            reject(ctx.signal.reason);
          });
        }),
    });
  }
  return { ...plugin, definitions };
}

const coreCommands = CORE_PLUGINS.flatMap((p) => [...p.definitions.keys()].map((c) => `plugin:${p.name}|${c}`));

describe('the core plugins take the pipeline of app commands', () => {
  test(`every core command (${coreCommands.length}) and an app command: scope, global scope, deadline, signal`, async () => {
    const seen = new Map<string, Observed>();
    const app = runtime(
      CORE_PLUGINS.map((p) => ({ plugin: observing(p, seen), core: true })),
      new Map([
        [
          'app_cmd',
          observing(
            { name: 'x', definitions: new Map([['app_cmd', command(z.unknown(), () => null)]]) } as unknown as Plugin,
            seen,
          ).definitions.get('app_cmd') as CommandDefinition,
        ],
      ]),
      40,
    );
    const page = await connectInMemory(app, 'main');
    const all = [...coreCommands, 'app_cmd'];
    const results = await Promise.all(
      all.map((cmd) =>
        page.invoke(cmd, {}).then(
          () => 'resolved',
          (e: unknown) => e,
        ),
      ),
    );
    for (const [i, cmd] of all.entries()) {
      const o = seen.get(cmd);
      assert.ok(o, `${cmd} reached its handler`);
      assert.deepEqual(o.scope, [{ for: cmd }], `${cmd}: ctx.scope is the one the ACL computed for this call`);
      assert.deepEqual(o.globalScope, [{ global: cmd }], `${cmd}: ctx.globalScope too`);
      const err = results[i] as { code?: string; message?: string };
      assert.equal(err.code, 'TIMEOUT', `${cmd} rejects with TIMEOUT at its deadline`);
      assert.equal(err.message, `command \`${cmd}\` ran past its deadline of 40 ms`);
      assert.equal((o.aborted as { code?: string }).code, 'TIMEOUT', `${cmd}: ctx.signal aborted with the deadline`);
    }
    await app.close();
  });

  test('a call refused by the ACL never reaches a core handler, as for app commands', async () => {
    const seen = new Map<string, Observed>();
    const refusing: Plugin = {
      ...CORE_PLUGINS[0],
      definitions: new Map([['refused', command(z.unknown(), () => seen.set('ran', {} as Observed))]]),
    } as Plugin;
    const app = runtime(
      [{ plugin: refusing, core: true }],
      new Map([['refused', command(z.unknown(), () => seen.set('ran', {} as Observed))]]),
      0,
    );
    const page = await connectInMemory(app, 'main');
    for (const cmd of [`plugin:${refusing.name}|refused`, 'refused']) {
      const err = (await page.invoke(cmd).catch((e: unknown) => e)) as { message?: string };
      assert.match(String(err.message ?? err), /not allowed/);
    }
    assert.equal(seen.size, 0);
    await app.close();
  });

  // Bad args to the real handlers: INVALID_ARGS `invalid args `<key>` for command `<cmd>`: …`, the shape the
  // schema of an app command gives (`{ code, message, command, issues }`).
  const badArgs: [string, unknown][] = [
    ['plugin:event|listen', { event: 'e', target: { kind: 'Any' }, handler: 'x' }],
    ['plugin:event|listen', { event: 'no spaces', handler: 1 }],
    ['plugin:event|unlisten', { event: 'e' }],
    ['plugin:event|emit', {}],
    ['plugin:event|emit_to', { event: 'e', target: { kind: 'Nope' } }],
    ['plugin:app|exit', { code: 1.5 }],
    ['plugin:resources|close', { rid: -1 }],
    ['plugin:window|title', { label: 7 }],
    ['plugin:window|close', new Uint8Array([1])],
  ];
  for (const [cmd, args] of badArgs) {
    test(`${cmd} refuses ${args instanceof Uint8Array ? 'a bytes body' : JSON.stringify(args)} as an app command would`, async () => {
      const app = runtime(
        CORE_PLUGINS.map((plugin) => ({ plugin, core: true })),
        new Map([['app_cmd', command(z.object({ n: z.number() }), () => 1) as CommandDefinition]]),
        0,
      );
      const page = await connectInMemory(app, 'main');
      const err = (await page.invoke(cmd, args).catch((e: unknown) => e)) as Record<string, unknown>;
      const short = cmd.slice(cmd.indexOf('|') + 1);
      assert.equal(err['code'], 'INVALID_ARGS');
      assert.match(String(err['message']), new RegExp(`^invalid args \`\\w+\` for command \`${short}\`: `));
      const appErr = (await page.invoke('app_cmd', { n: 'x' }).catch((e: unknown) => e)) as Record<string, unknown>;
      for (const key of ['code', 'message', 'command', 'issues']) {
        assert.ok(key in err && key in appErr, `both carry \`${key}\``);
      }
      assert.equal(app.stats.pageListeners, 0, 'nothing was registered');
      await app.close();
    });
  }
});
