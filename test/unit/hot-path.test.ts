// The per-call hot path (issue 15): a synchronous handler is answered in the turn its frame arrived, and a call
// makes no AbortController unless its handler reads `ctx.signal` — while cancel, page-gone and deadlines still abort
// every call, including one whose signal is first read after the abort.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { type App, Builder, command } from 'airlock';
import { connectInMemory } from 'airlock/testing';
import { encodeCall } from '../../src/protocol/page.js';
import { until } from '../helpers/wait.js';

function build(configure: (b: Builder) => Builder): Promise<App> {
  return configure(Builder.default().logger(() => {})).build({ frontendDist: '/nonexistent' });
}

const call = (cmd: string, callback: number, args: unknown = {}): string =>
  encodeCall.invoke({ cmd, callback, error: callback + 1 }, JSON.stringify(args));

/** Counts the AbortControllers made while `fn` runs (the core reads the global at each `new`). */
async function countControllers(fn: () => Promise<void>): Promise<number> {
  const Original = globalThis.AbortController;
  let made = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      made++;
    }
  };
  try {
    await fn();
  } finally {
    globalThis.AbortController = Original;
  }
  return made;
}

describe('hot path', () => {
  test('a sync handler, with or without a sync schema, is answered before receive() returns', async () => {
    await using app = await build((b) =>
      b.invokeHandler({
        echo: (args) => args,
        checked: command(z.object({ n: z.number() }), ({ n }) => n + 1),
        later: async () => 'later',
      }),
    );
    const page = await connectInMemory(app);
    const before = page.received.length;
    page.sendRaw(call('echo', 10, { x: 1 }));
    assert.deepEqual(page.received.slice(before), ['{"r":10,"d":{"x":1}}']);
    page.sendRaw(call('checked', 20, { n: 1 }));
    assert.equal(page.received.at(-1), '{"r":20,"d":2}');
    // A schema failure is refused in the same turn too, on the error callback.
    page.sendRaw(call('checked', 30, { n: 'x' }));
    assert.match(String(page.received.at(-1)), /^\{"r":31,"d":\{.*"code":"INVALID_ARGS"/);
    // An async handler is answered later, in order with what follows.
    const count = page.received.length;
    page.sendRaw(call('later', 40));
    assert.equal(page.received.length, count);
    await until(() => page.received.at(-1) === '{"r":40,"d":"later"}', 'the async answer');
  });

  test('calls make no AbortController unless the handler reads ctx.signal', async () => {
    await using app = await build((b) =>
      b.invokeHandler({
        echo: (args) => args,
        later: async (args) => args,
        checked: command(z.object({ n: z.number() }), ({ n }) => n),
        reads: (_a, ctx) => ctx.signal.aborted,
      }),
    );
    const page = await connectInMemory(app);
    const idle = await countControllers(async () => {
      for (let i = 0; i < 50; i++) {
        assert.equal(await page.invoke('echo', i), i);
        assert.equal(await page.invoke('later', i), i);
        assert.equal(await page.invoke('checked', { n: i }), i);
      }
    });
    assert.equal(idle, 0);
    const reading = await countControllers(async () => {
      for (let i = 0; i < 5; i++) assert.equal(await page.invoke('reads'), false);
    });
    assert.equal(reading, 5);
  });

  test('a signal first read after the page cancelled the call, or after the page went, is already aborted', async () => {
    const gates: Array<{ open: () => void; reason?: unknown }> = [];
    await using app = await build((b) =>
      b.invokeHandler({
        wait: (_a, ctx) =>
          new Promise<void>((resolve) => {
            const gate: { open: () => void; reason?: unknown } = {
              open: () => {
                gate.reason = ctx.signal.aborted ? ctx.signal.reason : 'not aborted';
                resolve();
              },
            };
            gates.push(gate);
          }),
      }),
    );
    const page = await connectInMemory(app);
    page.sendRaw(call('wait', 100));
    page.sendRaw(encodeCall.cancel(100));
    // Two calls on one callback id (a page may reuse ids): the page going away must abort both.
    page.sendRaw(call('wait', 200));
    page.sendRaw(call('wait', 200));
    await until(() => gates.length === 3, 'the three handlers to run');
    const [cancelled, first, second] = gates as [(typeof gates)[0], (typeof gates)[0], (typeof gates)[0]];
    cancelled.open();
    assert.equal((cancelled.reason as { code?: string }).code, 'CANCELLED');
    page.close();
    first.open();
    second.open();
    assert.equal((first.reason as { code?: string }).code, 'DISCONNECTED');
    assert.equal((second.reason as { code?: string }).code, 'DISCONNECTED');
    await until(() => app.stats.pending === 0, 'the calls to be released');
  });

  test('a deadline still rejects a handler that never settles, and the call is released', async () => {
    let signal: AbortSignal | undefined;
    await using app = await build((b) =>
      b.invokeHandler({
        hang: command(
          z.object({}),
          (_a, ctx) => {
            signal = ctx.signal;
            return new Promise(() => {});
          },
          { timeoutMs: 50 },
        ),
      }),
    );
    const page = await connectInMemory(app);
    const err = (await page.invoke('hang').catch((e: unknown) => e)) as { code?: string };
    assert.equal(err.code, 'TIMEOUT');
    assert.equal(signal?.aborted, true);
    await until(() => app.stats.pending === 0, 'the call to be released');
  });
});
