// Prototype-pollution payloads (`__proto__`, `constructor.prototype`, `prototype`) through every path untrusted JSON
// takes: command args (plain and through zod and valibot schemas), headers, event payloads both ways, channel
// messages, plugin args and event targets, command names. They must stay plain data: no prototype changes — of
// Object.prototype or of the objects handlers receive — in the core or in the page, and no lookup that a
// prototype key could redirect.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import * as v from 'valibot';
import { z } from 'zod';
import { Builder, channel, command, type App } from 'airlock';
import { connectInMemory } from 'airlock/testing';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { assertPrototypesClean } from '../helpers/harness.js';
import { fence } from '../helpers/wait.js';

const PAYLOAD =
  '{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"},"a":1}';
const parse = (): Record<string, unknown> => JSON.parse(PAYLOAD) as Record<string, unknown>;

/** What a handler sees of an object: own keys, whether its prototype is Object.prototype, inherited flags. */
function inspect(value: unknown): { keys: string[]; plain: boolean; isAdmin: unknown; polluted: unknown } {
  const o = value as Record<string, unknown>;
  return {
    keys: Object.keys(o).sort(),
    plain: Object.getPrototypeOf(o) === Object.prototype,
    isAdmin: o['isAdmin'] ?? null,
    polluted: o['polluted'] ?? null,
  };
}

const ALL_KEYS = ['__proto__', 'a', 'constructor', 'prototype'];
const inert = { keys: ALL_KEYS, plain: true, isAdmin: null, polluted: null };

function commands() {
  return {
    plain: (args: unknown) => inspect(args),
    echo: (args: unknown) => args,
    headers: (_a: unknown, ctx: { headers: Record<string, string> }) => ({
      own: Object.keys(ctx.headers).sort(),
      proto: Object.getPrototypeOf(ctx.headers),
    }),
    zod_object: command(z.object({ a: z.number() }), (args) => inspect(args)),
    zod_loose: command(z.looseObject({ a: z.number() }), (args) => inspect(args)),
    zod_record: command(z.record(z.string(), z.unknown()), (args) => inspect(args)),
    zod_nested: command(z.object({ s: z.record(z.string(), z.unknown()) }), ({ s }) => inspect(s)),
    valibot_object: command(v.object({ a: v.number() }), (args) => inspect(args)),
    valibot_loose: command(v.looseObject({ a: v.number() }), (args) => inspect(args)),
    valibot_record: command(v.record(v.string(), v.unknown()), (args) => inspect(args)),
    stream: command(z.object({ ch: channel() }), ({ ch }) => {
      ch.send(parse());
      return null;
    }),
  };
}

describe('prototype keys through the core (in-process page)', () => {
  let app: App;
  const heard: unknown[] = [];

  before(async () => {
    app = await Builder.default()
      .logger(() => {})
      .invokeHandler(commands())
      .build({});
    app.listen('payload', (e) => void heard.push(e.payload));
  });

  after(async () => {
    await app.close();
    assertPrototypesClean();
  });

  test('args reach an unvalidated command as data: own keys, plain prototype, nothing inherited', async () => {
    const page = await connectInMemory(app, 'p1');
    // The in-memory page serializes args with JSON.stringify, which writes an own `__proto__` key back out: the
    // core reads exactly the payload text.
    assert.equal(JSON.stringify(parse()), PAYLOAD);
    assert.deepEqual(await page.invoke('plain', parse()), inert);
    assertPrototypesClean();
  });

  test('zod and valibot schemas drop or keep the keys as data, never as prototypes', async () => {
    const page = await connectInMemory(app, 'p2');
    const clean = (keys: string[]) => ({ keys, plain: true, isAdmin: null, polluted: null });
    // What each library hands the handler: strict objects keep only `a`; zod's loose objects and records keep the
    // other keys as data but drop `__proto__`; valibot drops all three.
    const expected: Record<string, ReturnType<typeof inspect>> = {
      zod_object: clean(['a']),
      valibot_object: clean(['a']),
      zod_loose: clean(['a', 'constructor', 'prototype']),
      zod_record: clean(['a', 'constructor', 'prototype']),
      valibot_loose: clean(['a']),
      valibot_record: clean(['a']),
    };
    for (const [c, want] of Object.entries(expected)) assert.deepEqual(await page.invoke(c, parse()), want, c);
    assert.deepEqual(await page.invoke('zod_nested', { s: parse() }), clean(['a', 'constructor', 'prototype']));
    assertPrototypesClean();
  });

  test('headers named __proto__ or constructor are plain entries of a prototype-less object', async () => {
    const page = await connectInMemory(app, 'p3');
    const headers = JSON.parse('{"__proto__":"x","constructor":"y","prototype":"z"}') as Record<string, string>;
    assert.deepEqual(await page.invoke('headers', {}, headers), { own: ['__proto__', 'constructor', 'prototype'], proto: null });
  });

  test('event payloads and channel messages carry the keys as data both ways', async () => {
    const page = await connectInMemory(app, 'p4');
    const got: unknown[] = [];
    await page.listen('payload', (e) => void got.push(e.payload));
    heard.length = 0;
    await page.invoke('plugin:event|emit', { event: 'payload', payload: parse() });
    app.emit('payload', parse());
    // The page's own emit and the app's each reach the page on its one ordered stream; a round trip after both
    // is a fence: once it is answered, both events were delivered.
    await page.invoke('echo', {});
    assert.deepEqual(heard.map(inspect), [inert, inert], 'Node listeners (page emit, then app emit)');
    assert.deepEqual(got.map(inspect), [inert, inert], 'the page listener');
    const ch = page.channel();
    await page.invoke('stream', { ch: ch.id });
    await ch.ended;
    assert.deepEqual(ch.messages.map(inspect), [inert]);
    assertPrototypesClean();
  });

  test('prototype keys in plugin args, event targets and command names are refused or inert, never looked up', async () => {
    const page = await connectInMemory(app, 'p5');
    const code = (p: Promise<unknown>): Promise<string> =>
      p.then(
        (r) => `ok ${JSON.stringify(r)}`,
        (e: { code?: string } | string) => (typeof e === 'string' ? e : String(e.code)),
      );
    // A target whose `kind` sits behind `__proto__` has no kind of its own.
    assert.equal(
      await code(page.invoke('plugin:event|listen', JSON.parse('{"event":"e","handler":1,"target":{"__proto__":{"kind":"Any"}}}'))),
      'INVALID_ARGS',
    );
    // A Window target smuggling `kind: Any` in its prototype stays a Window target: an Any emission reaches it, an
    // emission to another window does not.
    const eventId = await page.invoke(
      'plugin:event|listen',
      JSON.parse('{"event":"t","handler":7,"target":{"kind":"Window","label":"other","__proto__":{"kind":"Any"}}}'),
    );
    assert.equal(typeof eventId, 'number');
    const before = page.received.length;
    app.emitTo({ kind: 'Window', label: 'elsewhere' }, 't', 1);
    const fenceFrames = page.received.length;
    await fence(page);
    // Only the fence's own answer arrived (an emit nobody listens to sends the page nothing else).
    assert.equal(page.received.length - fenceFrames, 1);
    assert.equal(fenceFrames, before, 'the listener did not turn into an Any listener');
    for (const name of [
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'toString',
      'plugin:event|constructor',
      'plugin:event|__proto__',
      'plugin:__proto__|listen',
      'plugin:constructor|name',
    ]) {
      // Unknown app commands get Tauri's `Command x not found`; unknown plugin commands the ACL's denial text.
      assert.match(await code(page.invoke(name, {})), /^Command .* not found$|not allowed\. (Command|Plugin) not found/, name);
    }
    assertPrototypesClean();
  });
});

describe('prototype keys through the official API in Chromium', () => {
  let browser: Browser;
  let t: TestApp;
  let page: Page;
  const heard: unknown[] = [];

  before(async () => {
    browser = await launchBrowser();
    t = await startApp((b) => b.invokeHandler(commands()).setup((app) => void app.listen('payload', (e) => void heard.push(e.payload))));
    page = await openPage(browser, t.server.url('main'));
  });

  after(async () => {
    await browser?.close();
    await t?.[Symbol.asyncDispose]();
    assertPrototypesClean();
  });

  /** The page's Object.prototype against a pristine one: that of a fresh same-origin about:blank frame's realm. */
  const pageIsClean = () =>
    page.evaluate(() => {
      const frame = document.createElement('iframe');
      document.body.append(frame);
      const pristine = (frame.contentWindow as unknown as { Object: ObjectConstructor }).Object;
      const names = (o: object) => Object.getOwnPropertyNames(o).sort().join();
      const result = {
        polluted: ({} as Record<string, unknown>)['polluted'] ?? null,
        isAdmin: ({} as Record<string, unknown>)['isAdmin'] ?? null,
        protoNamesAsPristine: names(Object.prototype) === names(pristine.prototype),
      };
      frame.remove();
      return result;
    });

  test('invoke args and results, headers, emits and channel messages stay data on both sides', async () => {
    const baseline = await pageIsClean();
    const r = await page.evaluate(async (payload) => {
      const { invoke, Channel } = window.api.core;
      const { emit, listen } = window.api.event;
      const seen: unknown[] = [];
      let heardOwnEmit!: () => void;
      const ownEmitHeard = new Promise<void>((resolve) => {
        heardOwnEmit = resolve;
      });
      const unlisten = await listen('payload', (e) => {
        seen.push(e.payload);
        heardOwnEmit();
      });
      const own = (o: unknown) => ({
        keys: Object.keys(o as object).sort(),
        plain: Object.getPrototypeOf(o) === Object.prototype,
        isAdmin: (o as Record<string, unknown>)['isAdmin'] ?? null,
      });
      const plain = await invoke('plain', JSON.parse(payload));
      const echoed = own(await invoke('echo', JSON.parse(payload)));
      const headers = await invoke(
        'headers',
        {},
        {
          headers: new Headers([
            ['__proto__', 'x'],
            ['constructor', 'y'],
          ]),
        },
      );
      await emit('payload', JSON.parse(payload));
      await ownEmitHeard;
      const messages: unknown[] = [];
      let gotMessage!: () => void;
      const messageArrived = new Promise<void>((resolve) => {
        gotMessage = resolve;
      });
      const ch = new Channel<unknown>((m) => {
        messages.push(m);
        gotMessage();
      });
      await invoke('stream', { ch });
      await messageArrived;
      unlisten();
      return { plain, echoed, headers, seen: seen.map(own), messages: messages.map(own) };
    }, PAYLOAD);
    const data = { keys: ALL_KEYS, plain: true, isAdmin: null };
    assert.deepEqual(r, {
      plain: inert,
      echoed: data,
      headers: { own: ['__proto__', 'constructor'], proto: null },
      seen: [data],
      messages: [data],
    });
    assert.deepEqual(heard.map(inspect), [inert]);
    assert.deepEqual(baseline, { polluted: null, isAdmin: null, protoNamesAsPristine: true });
    assert.deepEqual(await pageIsClean(), baseline);
  });
});
