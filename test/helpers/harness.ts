// What the fuzz, fault and attack tests share: the app they drive, a hostile page (a recording page, see peer.ts),
// the check that nothing went uncaught and no prototype changed, and fast-check with a short report.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as v from 'valibot';
import { z } from 'zod';
import { Builder, channel, command, type App, type Limits } from 'airlock';
import { connectInMemory } from 'airlock/testing';
import { type RecordingPage, recordingPage } from './peer.js';

export type HostilePage = RecordingPage;

let seq = 0;

/** Attaches a page as `label` (the previous page of that label must be gone) whose peer records everything. */
export function hostilePage(app: App, label = 'fuzz'): Promise<HostilePage> {
  return recordingPage(app, { label });
}

/** Every exception and rejection nobody handled while `fn` ran (the core must produce none). */
export async function collectUncaught<T>(fn: () => Promise<T>): Promise<{ result: T; uncaught: unknown[] }> {
  const uncaught: unknown[] = [];
  const onError = (e: unknown): void => void uncaught.push(e);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  try {
    const result = await fn();
    await new Promise((r) => setImmediate(r));
    return { result, uncaught };
  } finally {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  }
}

export const effects = { count: 0 };

/** The app every fuzz test drives: commands of every kind (plain, zod, valibot, channel, bytes, throwing, emitting). */
export function fuzzApp(options: { isolationDir?: string; limits?: Partial<Limits> } = {}): Promise<App> {
  const b = Builder.default()
    .logger(() => {})
    .limits(options.limits ?? {})
    .invokeHandler({
      ping: () => 'pong',
      echo: (args: unknown) => args,
      side_effect: () => ++effects.count,
      zod_cmd: command(
        z.object({
          name: z.string(),
          n: z.number().int(),
          tags: z.array(z.string()).optional(),
          meta: z.record(z.string(), z.unknown()).optional(),
        }),
        (a) => ({ ...a, polluted: ({} as Record<string, unknown>)['polluted'] ?? null }),
      ),
      valibot_cmd: command(v.object({ name: v.string(), n: v.number(), meta: v.optional(v.record(v.string(), v.unknown())) }), (a) => a),
      stream: command(
        z.object({ ch: channel(), count: z.number().int().min(0).max(20), bytes: z.boolean().optional() }),
        ({ ch, count, bytes }) => {
          for (let i = 0; i < count; i++) ch.send(bytes === true ? new Uint8Array([i]) : { i });
          return count;
        },
      ),
      bytes: (args: unknown) => new Uint8Array(args instanceof Uint8Array ? args.length : 3),
      throws: (args: unknown) => {
        throw args;
      },
      emit_back: (args: unknown, ctx) => {
        (ctx.app as App).emit('tick', args);
        return null;
      },
    });
  const config =
    options.isolationDir === undefined
      ? {}
      : { app: { security: { pattern: { use: 'isolation', options: { dir: options.isolationDir } } } } };
  return b.build({ config });
}

/** A well-behaved page still gets answers: the core is up after whatever came before. */
export async function assertCoreAnswers(app: App, command = 'ping', expected: unknown = 'pong'): Promise<void> {
  const page = await connectInMemory(app, `control-${++seq}`);
  assert.deepEqual(await page.invoke(command), expected);
  page.close();
}

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).sort().join();

export function assertPrototypesClean(): void {
  assert.equal(Object.getOwnPropertyNames(Object.prototype).sort().join(), PROTO_NAMES, 'Object.prototype gained or lost a property');
  for (const probe of [{}, [], Object.create(Object.prototype)]) {
    assert.equal((probe as Record<string, unknown>)['polluted'], undefined, 'an object inherited a polluted property');
  }
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
}

/** Runs a fast-check property and fails with a short report (the error, and the counterexample cut to 3,000 chars). */
export async function check<T>(property: fc.IAsyncProperty<T> | fc.IProperty<T>, params: fc.Parameters<T>): Promise<void> {
  const details = await fc.check(property, params);
  if (!details.failed) return;
  const e = details.errorInstance;
  const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  const example = JSON.stringify(details.counterexample, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)) ?? '';
  assert.fail(
    `property failed after ${details.numRuns} runs (seed ${details.seed}, path ${details.counterexamplePath}):\n${error}\ncounterexample: ${example.slice(0, 3000)}`,
  );
}
