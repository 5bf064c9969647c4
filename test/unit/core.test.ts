import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as v from 'valibot';
import { z } from 'zod';
import { AirlockError, Builder, channel, command, type App } from 'airlock';
import { connectInMemory } from 'airlock/testing';
import { fence, until } from '../helpers/wait.js';

class Counter {
  n = 0;
}

function build(configure: (b: Builder) => Builder = (b) => b): Promise<App> {
  return configure(Builder.default().logger(() => {})).build({ frontendDist: '/nonexistent' });
}

describe('commands', () => {
  test('a validated command receives parsed args and resolves with its JSON result', async () => {
    await using app = await build((b) =>
      b.invokeHandler({ greet: command(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}!`) }),
    );
    const page = await connectInMemory(app);
    assert.equal(await page.invoke('greet', { name: 'Ada' }), 'Hello, Ada!');
  });

  test('a schema failure rejects with INVALID_ARGS naming the command and the field', async () => {
    await using app = await build((b) => b.invokeHandler({ greet: command(z.object({ name: z.string() }), ({ name }) => name) }));
    const page = await connectInMemory(app);
    const err = (await page.invoke('greet', { name: 5 }).catch((e: unknown) => e)) as Record<string, unknown>;
    assert.equal(err['code'], 'INVALID_ARGS');
    assert.equal(err['command'], 'greet');
    assert.match(String(err['message']), /^invalid args `name` for command `greet`: /);
    assert.deepEqual(
      (err['issues'] as { path: string }[]).map((i) => i.path),
      ['name'],
    );
  });

  test('valibot schemas work the same way', async () => {
    await using app = await build((b) => b.invokeHandler({ twice: command(v.object({ n: v.number() }), ({ n }) => n * 2) }));
    const page = await connectInMemory(app);
    assert.equal(await page.invoke('twice', { n: 21 }), 42);
    const err = (await page.invoke('twice', { n: 'x' }).catch((e: unknown) => e)) as Record<string, unknown>;
    assert.match(String(err['message']), /^invalid args `n` for command `twice`/);
  });

  test('a plain function is an unvalidated command', async () => {
    await using app = await build((b) => b.invokeHandler({ add: (a: { a: number; b: number }) => a.a + a.b }));
    assert.equal(await (await connectInMemory(app)).invoke('add', { a: 1, b: 2 }), 3);
  });

  test('a thrown value is the rejection value, exactly', async () => {
    await using app = await build((b) =>
      b.invokeHandler({
        obj: () => {
          throw { code: 42, message: 'boom' };
        },
        str: async () => {
          throw 'plain';
        },
        err: () => {
          throw new Error('broken');
        },
        undef: () => Promise.reject(undefined),
        cyclic: () => {
          const o: Record<string, unknown> = {};
          o['self'] = o;
          throw o;
        },
        coded: () => {
          throw new AirlockError('TIMEOUT', 'too slow');
        },
      }),
    );
    const page = await connectInMemory(app);
    const fail = (cmd: string) =>
      page.invoke(cmd).then(
        () => assert.fail('resolved'),
        (e: unknown) => e,
      );
    assert.deepEqual(await fail('obj'), { code: 42, message: 'boom' });
    assert.equal(await fail('str'), 'plain');
    assert.equal(await fail('err'), 'broken');
    assert.equal(await fail('undef'), null);
    const cyclic = (await fail('cyclic')) as Record<string, unknown>;
    assert.equal(cyclic['code'], 'INTERNAL');
    assert.match(String(cyclic['message']), /cannot be serialized/);
    assert.deepEqual(await fail('coded'), { code: 'TIMEOUT', message: 'too slow' });
  });

  test("an unknown command rejects with Tauri's text; a permitted but unknown plugin command without its prefix", async () => {
    await using app = await build();
    const page = await connectInMemory(app);
    assert.equal(await page.invoke('nope').catch((e: unknown) => e), 'Command nope not found');
    // internal_toggle_devtools is in core:webview:default (Tauri's drag/devtools scripts) but no API sends it.
    assert.equal(
      await page.invoke('plugin:webview|internal_toggle_devtools').catch((e: unknown) => e),
      'Command internal_toggle_devtools not found',
    );
    assert.match(
      String(await page.invoke('plugin:fs|read').catch((e: unknown) => e)),
      /^fs\.read not allowed\. Plugin not found/,
      'the ACL answers first',
    );
  });

  test('raw bytes in, raw bytes out', async () => {
    await using app = await build((b) =>
      b.invokeHandler({
        echo_bytes: (_a, ctx) => ctx.body,
        reverse: (args: Uint8Array) => Uint8Array.from(args).reverse(),
        buffer: () => new Uint8Array([9, 8]).buffer,
      }),
    );
    const page = await connectInMemory(app);
    assert.deepEqual([...((await page.invoke('echo_bytes', new Uint8Array([1, 2, 3]))) as Uint8Array)], [1, 2, 3]);
    assert.deepEqual([...((await page.invoke('reverse', new Uint8Array([1, 2, 3]))) as Uint8Array)], [3, 2, 1]);
    assert.deepEqual([...((await page.invoke('buffer')) as Uint8Array)], [9, 8]);
  });

  test('ctx carries labels, origin, headers, state and a signal', async () => {
    await using app = await build((b) =>
      b.manage(new Counter()).invokeHandler({
        inspect: (_a, ctx) => {
          ctx.state(Counter).n++;
          return {
            webview: ctx.webview,
            window: ctx.window,
            origin: ctx.origin,
            h: ctx.headers['x-trace'],
            aborted: ctx.signal.aborted,
            n: ctx.state(Counter).n,
          };
        },
      }),
    );
    const page = await connectInMemory(app, 'settings', 'http://127.0.0.1:9');
    assert.deepEqual(await page.invoke('inspect', {}, { 'X-Trace': 't1' }), {
      webview: 'settings',
      window: 'settings',
      origin: 'http://127.0.0.1:9',
      h: 't1',
      aborted: false,
      n: 1,
    });
    assert.equal(app.state(Counter).n, 1);
  });

  test('ctx.signal aborts when the page goes away', async () => {
    let seen: AbortSignal | undefined;
    await using app = await build((b) =>
      b.invokeHandler({
        wait: (_a, ctx) => {
          seen = ctx.signal;
          return new Promise(() => {});
        },
      }),
    );
    const page = await connectInMemory(app);
    void page.invoke('wait');
    await until(() => seen !== undefined, 'the handler to run');
    assert.equal(seen?.aborted, false);
    page.close();
    assert.equal(seen?.aborted, true);
  });
});

describe('channels', () => {
  test('channel() composes inside z.object and v.object and streams in order, then ends', async () => {
    await using app = await build((b) =>
      b.invokeHandler({
        zod: command(z.object({ onEvent: channel<number>() }), ({ onEvent }) => {
          for (let i = 0; i < 100; i++) onEvent.send(i);
        }),
        vali: command(v.object({ onEvent: channel<string>() }), ({ onEvent }) => {
          onEvent.send('a');
          onEvent.send(new Uint8Array([1]));
        }),
      }),
    );
    const page = await connectInMemory(app);
    const a = page.channel();
    await page.invoke('zod', { onEvent: a.id });
    assert.equal(await a.ended, 100);
    assert.deepEqual(
      a.messages,
      Array.from({ length: 100 }, (_, i) => i),
    );
    const b = page.channel();
    await page.invoke('vali', { onEvent: b.id });
    assert.equal(await b.ended, 2);
    assert.equal(b.messages[0], 'a');
    assert.ok(b.messages[1] instanceof Uint8Array);
  });

  test('a malformed channel value is an INVALID_ARGS naming the field', async () => {
    await using app = await build((b) => b.invokeHandler({ c: command(z.object({ ch: channel() }), () => null) }));
    const err = (await (await connectInMemory(app)).invoke('c', { ch: 'nope' }).catch((e: unknown) => e)) as Record<string, unknown>;
    assert.match(
      String(err['message']),
      /invalid args `ch` for command `c`: invalid channel value `nope`, expected a string in the `__CHANNEL__:ID` format/,
    );
  });

  test('keepOpen() streams after the command returns; sending after the page left throws CHANNEL_CLOSED', async () => {
    let kept: { send(m: unknown): void; close(): void } | undefined;
    await using app = await build((b) =>
      b.invokeHandler({
        start: command(z.object({ ch: channel<number>() }), ({ ch }) => {
          kept = ch.keepOpen();
        }),
      }),
    );
    const page = await connectInMemory(app);
    const c = page.channel();
    await page.invoke('start', { ch: c.id });
    kept?.send(1);
    kept?.send(2);
    kept?.close();
    assert.equal(await c.ended, 2);
    assert.deepEqual(c.messages, [1, 2]);
    assert.throws(
      () => kept?.send(3),
      (e: unknown) => e instanceof AirlockError && e.code === 'CHANNEL_CLOSED',
    );
  });
});

describe('events', () => {
  test('page emit reaches app.listen; app.emit reaches page listeners; unlisten stops delivery', async () => {
    await using app = await build();
    const page = await connectInMemory(app);
    const fromPage: unknown[] = [];
    app.listen('from-page', (e) => {
      fromPage.push(e.payload);
    });
    await page.invoke('plugin:event|emit', { event: 'from-page', payload: { a: 1 } });
    assert.deepEqual(fromPage, [{ a: 1 }]);

    const got: unknown[] = [];
    const unlisten = await page.listen('tick', (e) => got.push(e.payload));
    app.emit('tick', 1);
    await fence(page);
    await unlisten();
    app.emit('tick', 2);
    await fence(page);
    assert.deepEqual(got, [1]);
    assert.equal(app.stats.pageListeners, 0);
  });

  test('emitTo follows targets: a Window listener on another label does not fire', async () => {
    await using app = await build();
    const main = await connectInMemory(app, 'main');
    const got: string[] = [];
    await main.listen('x', () => got.push('window-main'), { kind: 'Window', label: 'main' });
    await main.listen('x', () => got.push('any'), { kind: 'Any' });
    app.emitTo('settings', 'x', null);
    app.emitTo({ kind: 'Webview', label: 'main' }, 'x', null);
    app.emitTo('main', 'x', null);
    await fence(main);
    assert.deepEqual(got, ['any', 'any', 'window-main', 'any']);
  });

  test("invalid event names reject with Tauri's message", async () => {
    await using app = await build();
    const page = await connectInMemory(app);
    const err = (await page
      .invoke('plugin:event|listen', { event: 'a b', target: { kind: 'Any' }, handler: 1 })
      .catch((e: unknown) => e)) as Record<string, unknown>;
    assert.equal(
      err['message'],
      'invalid args `event` for command `listen`: Event name must include only alphanumeric characters, `-`, `/`, `:` and `_`.',
    );
    assert.throws(() => app.emit('a b'), /Event name must include only/);
  });

  test("a page's listeners die with the page", async () => {
    await using app = await build();
    const page = await connectInMemory(app);
    await page.listen('a', () => {});
    await page.listen('b', () => {});
    assert.equal(app.stats.pageListeners, 2);
    page.close();
    assert.equal(app.stats.pageListeners, 0);
    assert.equal(app.stats.webviews, 0);
  });

  test('once fires one time and a throwing Node listener does not break delivery', async () => {
    await using app = await build();
    let n = 0;
    app.once('o', () => {
      n++;
    });
    app.listen('o', () => {
      throw new Error('listener bug');
    });
    app.emit('o');
    app.emit('o');
    assert.equal(n, 1);
  });
});

describe('protocol violations', () => {
  test('a malformed frame closes only that page, and the core keeps serving', async () => {
    await using app = await build((b) => b.invokeHandler({ ping: () => 'pong' }));
    const bad = await connectInMemory(app, 'bad');
    bad.sendRaw('{not json');
    assert.equal(bad.connection.open, false);
    const good = await connectInMemory(app, 'good');
    assert.equal(await good.invoke('ping'), 'pong');
  });

  test('a binary frame nobody announced is a protocol violation', async () => {
    await using app = await build();
    const page = await connectInMemory(app);
    page.sendRaw(new Uint8Array([1, 2]));
    assert.equal(page.connection.open, false);
  });
});
