// Handlers that hang or throw anything: every call settles with a serializable rejection, the core never throws
// or rejects unhandled, and a handler that never returns — a promise, a bare thenable, an async schema — stops
// pinning its call as soon as its page goes or its deadline passes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { AirlockError, Builder, channel, command, type App } from 'airlock';
import { connectInMemory } from 'airlock/testing';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { collectUncaught } from '../helpers/harness.js';
import { until } from '../helpers/wait.js';

const never = (): Promise<never> => new Promise(() => {});

/** Values a handler may throw or reject with, and what the page must see. */
function exotic(): Record<string, [unknown, (rejection: unknown) => boolean]> {
  const cyclic: Record<string, unknown> = { name: 'cyclic' };
  cyclic['self'] = cyclic;
  const trapped = new Proxy({}, { getPrototypeOf: () => assert.fail('trap'), get: () => assert.fail('trap') });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const internal = (r: unknown): boolean =>
    (r as { code?: string }).code === 'INTERNAL' && /cannot be serialized to JSON/.test((r as { message: string }).message);
  return {
    error: [new Error('broken'), (r) => r === 'broken'],
    string: ['plain', (r) => r === 'plain'],
    object: [{ code: 42, message: 'boom' }, (r) => (r as { code?: number }).code === 42],
    undefined: [undefined, (r) => r === null],
    null: [null, (r) => r === null],
    number: [0, (r) => r === 0],
    cyclic: [cyclic, internal],
    bigint: [10n, internal],
    symbol: [Symbol('s'), internal],
    function: [() => 1, internal],
    'toJSON that throws': [{ toJSON: () => assert.fail('toJSON') }, internal],
    'Proxy whose traps throw': [trapped, internal],
    'revoked Proxy': [revocable.proxy, internal],
    'Error whose message getter throws': [Object.create(Error.prototype, { message: { get: () => assert.fail('getter') } }), internal],
    'AirlockError with cyclic data': [new AirlockError('INTERNAL', 'x', { data: { cyclic } }), internal],
    'frozen Error subclass': [Object.freeze(new RangeError('range')), (r) => r === 'range'],
  };
}

function handlers(): Record<string, (args: unknown) => unknown> {
  const out: Record<string, (args: unknown) => unknown> = {};
  for (const [name, [value]] of Object.entries(exotic())) {
    out[`throw ${name}`] = () => {
      throw value;
    };
    out[`reject ${name}`] = () => Promise.reject(value);
  }
  return out;
}

const hangs = {
  hang_promise: () => never(),
  // biome-ignore lint/suspicious/noThenProperty: a thenable that never settles is the input under test
  hang_thenable: () => ({ then() {} }),
  hang_async_schema: command(
    z.object({ n: z.number() }).refine(() => never()),
    () => 1,
  ),
  hang_with_channel: command(z.object({ ch: channel() }), () => never()),
  hang_deadline: command(z.object({}), () => never(), { timeoutMs: 30 }),
  // biome-ignore lint/suspicious/noThenProperty: a thenable that never settles is the input under test
  hang_thenable_deadline: command(z.object({}), () => ({ then() {} }), { timeoutMs: 30 }),
  hang_schema_deadline: command(
    z.object({}).refine(() => never()),
    () => 1,
    { timeoutMs: 30 },
  ),
  ping: () => 'pong',
};

const build = (): Promise<App> =>
  Builder.default()
    .logger(() => {})
    .invokeHandler({ ...handlers(), ...hangs })
    .build({});

describe('exotic throws (in-process page)', () => {
  test('every value a handler throws or rejects with becomes a serializable rejection, and nothing escapes', async () => {
    await using app = await build();
    const page = await connectInMemory(app);
    const { result: outcomes, uncaught } = await collectUncaught(async () => {
      const out: Record<string, unknown> = {};
      for (const [name, [, expected]] of Object.entries(exotic())) {
        for (const how of ['throw', 'reject']) {
          const r = await Promise.race([
            page.invoke(`${how} ${name}`).then(
              () => 'resolved',
              (e: unknown) => (expected(e) ? 'ok' : `unexpected ${JSON.stringify(e)}`),
            ),
            new Promise((resolve) => setTimeout(() => resolve('never settled'), 2000)),
          ]);
          if (r !== 'ok') out[`${how} ${name}`] = r;
        }
      }
      return out;
    });
    assert.deepEqual(outcomes, {});
    assert.deepEqual(uncaught, []);
    assert.equal(app.stats.pending, 0);
  });
});

describe('hung handlers (in-process page)', () => {
  test('a deadline settles a hung promise, a hung thenable and a hung async schema with TIMEOUT', async () => {
    await using app = await build();
    const page = await connectInMemory(app);
    for (const cmd of ['hang_deadline', 'hang_thenable_deadline', 'hang_schema_deadline']) {
      const err = (await page.invoke(cmd).catch((e: unknown) => e)) as { code?: string };
      assert.equal(err.code, 'TIMEOUT', cmd);
    }
    assert.equal(app.stats.pending, 0);
  });

  test('100 calls of each never-settling kind are released when the page goes; the channel one ends its channel', async () => {
    await using app = await build();
    const page = await connectInMemory(app);
    for (let i = 0; i < 100; i++) {
      for (const cmd of ['hang_promise', 'hang_thenable']) void page.invoke(cmd);
      void page.invoke('hang_async_schema', { n: i });
      void page.invoke('hang_with_channel', { ch: page.channel().id });
    }
    await until(() => app.stats.pending === 400, 'the calls to start');
    assert.equal(app.stats.channels, 100);
    page.close();
    await until(() => app.stats.pending === 0, 'the calls to be released');
    assert.deepEqual({ ...app.stats }, { webviews: 0, pending: 0, pageListeners: 0, nodeListeners: 0, channels: 0, droppedEvents: 0 });
    assert.equal(page.connection.stats.pending, 0, 'the gone page holds no call either');
  });

  test('a channel made while validating a call that then fails is ended, not kept', async () => {
    await using app = await Builder.default()
      .logger(() => {})
      .invokeHandler({ take: command(z.object({ ch: channel(), n: z.number() }), () => 1) })
      .build({});
    const page = await connectInMemory(app);
    const ch = page.channel();
    const err = (await page.invoke('take', { ch: ch.id, n: 'not a number' }).catch((e: unknown) => e)) as { code?: string };
    assert.equal(err.code, 'INVALID_ARGS');
    assert.equal(app.stats.channels, 0);
    assert.equal(await ch.ended, 0, 'the page is told the channel ended, so it can drop its callback');
  });
});

describe('hung handlers and exotic throws seen from the official API in Chromium', () => {
  let browser: Browser;
  let t: TestApp;
  let page: Page;

  before(async () => {
    browser = await launchBrowser();
    t = await startApp((b) => b.invokeHandler({ ...handlers(), ...hangs }));
    page = await openPage(browser, t.server.url('main'));
  });

  after(async () => {
    await browser?.close();
    await t?.[Symbol.asyncDispose]();
  });

  test('every exotic rejection reaches invoke() as a value the page can read', async () => {
    const names = Object.keys(exotic()).flatMap((n) => [`throw ${n}`, `reject ${n}`]);
    const results = await page.evaluate(
      (cmds) =>
        Promise.all(
          cmds.map((c) =>
            window.api.core.invoke(c).then(
              () => 'resolved',
              (e: unknown) => JSON.stringify(e) ?? 'undefined',
            ),
          ),
        ),
      names,
    );
    const expected = exotic();
    names.forEach((name, i) => {
      const [, check] = expected[name.replace(/^(throw|reject) /, '')] ?? assert.fail(name);
      assert.ok(check(JSON.parse(results[i] as string)), `${name} → ${results[i]}`);
    });
    assert.deepEqual(
      t.logs.filter((l) => l.startsWith('error')),
      [],
    );
  });

  test('hung calls of every kind are released when the page reloads, and leave nothing pending in the core', async () => {
    await page.evaluate(() => {
      const { invoke, Channel } = window.api.core;
      for (let i = 0; i < 25; i++) {
        for (const cmd of ['hang_promise', 'hang_thenable']) void invoke(cmd).catch(() => null);
        void invoke('hang_async_schema', { n: i }).catch(() => null);
        void invoke('hang_with_channel', { ch: new Channel() }).catch(() => null);
      }
    });
    await until(() => t.app.stats.pending === 100, 'the calls to start');
    await page.reload();
    await page.waitForFunction(() => typeof window.api === 'object');
    assert.equal(await page.evaluate(() => window.api.core.invoke('ping')), 'pong');
    await until(() => t.app.stats.pending === 0, 'the hung calls to be released');
    assert.deepEqual({ ...t.app.stats }, { webviews: 1, pending: 0, pageListeners: 0, nodeListeners: 0, channels: 0, droppedEvents: 0 });
  });
});
