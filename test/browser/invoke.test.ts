// The official @tauri-apps/api, unmodified, driving commands in real headless Chromium.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { channel, command } from 'airlock';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';

let browser: Browser;
let t: TestApp;
let page: Page;

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) =>
    b.invokeHandler({
      greet: command(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}!`),
      add: (args: { a: number; b: number }) => args.a + args.b,
      fail: () => {
        throw { code: 42, message: 'boom' };
      },
      echo_bytes: (_args, ctx) => ctx.body,
      make_bytes: ({ n }: { n: number }) => new Uint8Array(n).map((_, i) => i % 251),
      sum_bytes: (bytes: Uint8Array) => bytes.reduce((a, b) => a + b, 0),
      headers: (_a, ctx) => ctx.headers['x-custom'] ?? null,
      slow_echo: async ({ i }: { i: number }) => {
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        return i;
      },
      progress: command(z.object({ onEvent: channel() }), async () => null),
      echo: (args: unknown) => args,
    }),
  );
  page = await openPage(browser, t.server.url('main'));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

describe('invoke through @tauri-apps/api/core', () => {
  test('resolves with the JSON result of a validated command', async () => {
    assert.equal(await page.evaluate(() => window.api.core.invoke('greet', { name: 'Ada' })), 'Hello, Ada!');
  });

  test('a plain function command receives its args as sent', async () => {
    assert.equal(await page.evaluate(() => window.api.core.invoke('add', { a: 2, b: 40 })), 42);
  });

  test('a validation failure rejects with a structured error naming the command and the field', async () => {
    const err = (await page.evaluate(() => window.api.core.invoke('greet', { name: 42 }).catch((e: unknown) => e))) as Record<
      string,
      unknown
    >;
    assert.equal(err['code'], 'INVALID_ARGS');
    assert.equal(err['command'], 'greet');
    assert.match(String(err['message']), /invalid args `name` for command `greet`/);
  });

  test('rejects with exactly the value the handler threw', async () => {
    assert.deepEqual(await page.evaluate(() => window.api.core.invoke('fail').catch((e: unknown) => e)), { code: 42, message: 'boom' });
  });

  test('an unknown command rejects with `Command <name> not found`', async () => {
    assert.equal(await page.evaluate(() => window.api.core.invoke('nope').catch((e: unknown) => e)), 'Command nope not found');
  });

  test('a Uint8Array arg arrives raw in ctx.body and raw bytes come back as an ArrayBuffer', async () => {
    const r = await page.evaluate(async () => {
      const sent = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
      const back = await window.api.core.invoke<ArrayBuffer>('echo_bytes', sent);
      const got = new Uint8Array(back);
      return { isBuffer: back instanceof ArrayBuffer, length: got.length, same: got.every((v, i) => v === sent[i]) };
    });
    assert.deepEqual(r, { isBuffer: true, length: 70_000, same: true });
  });

  test('an ArrayBuffer or a view of part of a buffer is sent raw, only the viewed bytes', async () => {
    const r = await page.evaluate(async () => {
      const whole = new Uint8Array([1, 2, 3, 4, 5, 6]);
      return [await window.api.core.invoke('sum_bytes', whole.buffer), await window.api.core.invoke('sum_bytes', whole.subarray(2, 4))];
    });
    assert.deepEqual(r, [21, 7]);
  });

  test('a large byte result (8 MiB) arrives intact', async () => {
    const r = await page.evaluate(async () => {
      const back = new Uint8Array(await window.api.core.invoke<ArrayBuffer>('make_bytes', { n: 8 * 1024 * 1024 }));
      return back.length === 8 * 1024 * 1024 && back[1000] === 1000 % 251 && back[back.length - 1] === (back.length - 1) % 251;
    });
    assert.equal(r, true);
  });

  test('options.headers reach ctx.headers, as a record or a Headers instance', async () => {
    const r = await page.evaluate(async () => [
      await window.api.core.invoke('headers', {}, { headers: { 'X-Custom': 'a' } }),
      await window.api.core.invoke('headers', {}, { headers: new Headers({ 'X-Custom': 'b' }) }),
    ]);
    assert.deepEqual(r, ['a', 'b']);
  });

  test('1,000 concurrent invokes each settle with their own result', async () => {
    const r = await page.evaluate(async () => {
      const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => window.api.core.invoke<number>('slow_echo', { i })));
      return results.every((v, i) => v === i);
    });
    assert.equal(r, true);
    assert.equal(t.app.stats.pending, 0);
  });

  test("args follow Tauri's serialization rules wherever they sit, also deep inside plain objects and arrays", async () => {
    const r = await page.evaluate(async () => {
      const toIpc = { __TAURI_TO_IPC_KEY__: () => 'as-ipc' };
      class Point {
        constructor(
          readonly x: number,
          readonly y: number,
        ) {}
      }
      const args = {
        plain: { a: 1, b: [true, null, 'x', { c: 2 }] },
        map: new Map<string, unknown>([['k', new Map([['n', 1]])]]),
        deep: [[{ bytes: new Uint8Array([1, 2, 3]) }], { buffer: new Uint8Array([4, 5]).buffer }],
        ipc: [{ nested: toIpc }],
        legacy: { ch: { __TAURI_CHANNEL_MARKER__: true, id: 7 } },
        date: new Date(0),
        withToJson: { inner: { toJSON: () => new Map([['m', 1]]) } },
        point: new Point(1, 2),
        nothing: undefined,
        fn: () => 1,
      };
      const polluted: Record<string, unknown> = Object.create(null);
      polluted['x'] = [1, { y: new Uint8Array([9]) }];
      return [
        await window.api.core.invoke('echo', args),
        await window.api.core.invoke('echo', polluted),
        await window.api.core.invoke('echo', [1, 2]),
      ];
    });
    assert.deepEqual(r, [
      {
        plain: { a: 1, b: [true, null, 'x', { c: 2 }] },
        map: { k: { n: 1 } },
        deep: [[{ bytes: [1, 2, 3] }], { buffer: [4, 5] }],
        ipc: [{ nested: 'as-ipc' }],
        legacy: { ch: '__CHANNEL__:7' },
        date: '1970-01-01T00:00:00.000Z',
        withToJson: { inner: { m: 1 } },
        point: { x: 1, y: 2 },
      },
      { x: [1, { y: [9] }] },
      [1, 2],
    ]);
  });

  test('args that cannot become JSON reject the call and leave nothing registered', async () => {
    const r = await page.evaluate(async () => {
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic['self'] = { back: cyclic };
      const errors: string[] = [];
      for (const args of [{ n: 1n }, cyclic])
        errors.push(
          await window.api.core.invoke('echo', args).then(
            () => 'resolved',
            (e: unknown) => (e instanceof TypeError ? 'TypeError' : String(e)),
          ),
        );
      const size = (window as unknown as { __TAURI_INTERNALS__: { callbacks: Map<number, unknown> } }).__TAURI_INTERNALS__.callbacks.size;
      return { errors, size, after: await window.api.core.invoke('add', { a: 1, b: 2 }) };
    });
    assert.deepEqual(r, { errors: ['TypeError', 'TypeError'], size: 0, after: 3 });
  });

  test('no callbacks stay registered after calls settle', async () => {
    const size = await page.evaluate(async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => window.api.core.invoke('add', { a: i, b: 1 })));
      await window.api.core.invoke('nope').catch(() => null);
      return (window as unknown as { __TAURI_INTERNALS__: { callbacks: Map<number, unknown> } }).__TAURI_INTERNALS__.callbacks.size;
    });
    assert.equal(size, 0);
  });
});

describe('the page contract (__TAURI_INTERNALS__)', () => {
  test('members are read-only, non-enumerable and non-configurable; isTauri() is true', async () => {
    const r = await page.evaluate(() => {
      const internals = (window as unknown as Record<string, object>)['__TAURI_INTERNALS__'] as object;
      const names = [
        'invoke',
        'transformCallback',
        'unregisterCallback',
        'runCallback',
        'callbacks',
        'convertFileSrc',
        'metadata',
        'plugins',
        'ipc',
        'postMessage',
      ];
      const bad = names.filter((n) => {
        const d = Object.getOwnPropertyDescriptor(internals, n);
        return d === undefined || d.writable || d.enumerable || d.configurable;
      });
      // Reflect reports what an assignment in strict code would throw for: false means refused.
      const original = (internals as Record<string, unknown>)['invoke'];
      const replacement = () => 1;
      const tamper = {
        assigned: Reflect.set(internals, 'invoke', replacement),
        redefined: Reflect.defineProperty(internals, 'invoke', { value: replacement }),
        deleted: Reflect.deleteProperty(internals, 'invoke'),
        internalsAssigned: Reflect.set(window, '__TAURI_INTERNALS__', {}),
        internalsDeleted: Reflect.deleteProperty(window, '__TAURI_INTERNALS__'),
      };
      const w = window as unknown as Record<string, object>;
      return {
        bad,
        isTauri: window.api.core.isTauri(),
        tamper,
        invokeKept: (internals as Record<string, unknown>)['invoke'] === original && typeof original === 'function',
        internalsKept: w['__TAURI_INTERNALS__'] === internals,
      };
    });
    assert.deepEqual(r.bad, []);
    assert.equal(r.isTauri, true);
    assert.deepEqual(r.tamper, { assigned: false, redefined: false, deleted: false, internalsAssigned: false, internalsDeleted: false });
    assert.equal(r.invokeKept, true);
    assert.equal(r.internalsKept, true);
  });

  test('labels, path separators and convertFileSrc are there', async () => {
    const r = await page.evaluate(() => ({
      window: window.api.getCurrentWindow().label,
      webview: window.api.getCurrentWebview().label,
      src: window.api.core.convertFileSrc('/tmp/a b.png'),
      url: location.href,
    }));
    assert.equal(r.window, 'main');
    assert.equal(r.webview, 'main');
    assert.equal(r.src, `${t.server.origin}/__airlock/asset/%2Ftmp%2Fa%20b.png`);
    assert.equal(r.url, `${t.server.origin}/`, 'the launch ticket is stripped from the address bar');
  });

  test('the app plugin answers name and version from the config', async () => {
    const r = await page.evaluate(() =>
      Promise.all([window.api.core.invoke('plugin:app|version'), window.api.core.invoke('plugin:app|name')]),
    );
    assert.deepEqual(r, ['0.0.0', 'Airlock app']);
  });
});
