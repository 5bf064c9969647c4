// One contract for the semantics of commands, events and channels, run against the three kinds of page the core
// serves: the in-memory page (airlock/testing), a protocol client on a real socket (`ws`), and the official
// @tauri-apps/api in headless Chromium. Every case is written once against `Driver`; a kind that behaves differently
// from the others fails the same assertion. One app and one browser serve the whole file.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { channel, command, type Event } from 'airlock';
import { connectInMemory } from 'airlock/testing';
import { startApp, type TestApp, ticketFrom } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { connectWsPage } from '../helpers/ws-page.js';

interface Listener {
  /** What the listener received, read after a fence (so everything the core sent before is in). */
  received(): Promise<unknown[]>;
  unlisten(): Promise<void>;
}

interface Driver {
  readonly label: string;
  /** Resolves with the result, rejects with the rejection value; bytes (ArrayBuffer in the browser, Uint8Array in
   * Node) come back as `{ bytes: number[] }` from every driver. */
  invoke(cmd: string, args?: unknown, headers?: Record<string, string>): Promise<unknown>;
  /** Sends `bytes` as the raw body of a call. */
  invokeRaw(cmd: string, bytes: number[]): Promise<unknown>;
  /** `label`: listen only for emissions targeted at that label (and broadcasts); otherwise for every emission. */
  listen(event: string, label?: string): Promise<Listener>;
  emit(event: string, payload: unknown): Promise<void>;
  /** Calls `cmd` with a fresh channel as `ch` (plus `args`); the messages are read once the channel ended. */
  stream(cmd: string, args: Record<string, unknown>): Promise<{ result: unknown; messages: unknown[] }>;
  close(): Promise<void>;
}

const asBytes = (v: unknown): unknown => (v instanceof Uint8Array ? { bytes: [...v] } : v);

/** A channel's end, bounded: one that never comes fails the case instead of hanging the file. */
const ends = (ended: Promise<number>): Promise<number> =>
  Promise.race([ended, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('the channel did not end')), 5000).unref())]);

let t: TestApp;
let browser: Browser;
const heard: Event[] = [];

before(async () => {
  t = await startApp((b) =>
    b
      .invokeHandler({
        fence: () => null,
        greet: command(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}!`),
        echo: (args: unknown) => args,
        fail: () => {
          throw { code: 42, message: 'boom' };
        },
        sum: (bytes: Uint8Array) => bytes.reduce((a, b) => a + b, 0),
        make_bytes: ({ n }: { n: number }) => new Uint8Array(n).map((_, i) => (i * 3) % 256),
        header: (_a, ctx) => ctx.headers['x-contract'] ?? null,
        whoami: (_a, ctx) => ctx.webview,
        count: command(z.object({ ch: channel(), n: z.number().int() }), ({ ch, n }) => {
          for (let i = 0; i < n; i++) ch.send(i);
          return n;
        }),
        mixed: command(z.object({ ch: channel() }), ({ ch }) => {
          ch.send({ first: true });
          ch.send(new Uint8Array([1, 2, 3]));
          ch.send('last');
          return 'sent';
        }),
        emit_to: ({ label, event, payload }: { label: string; event: string; payload: unknown }, ctx) => {
          ctx.app.emitTo(label, event, payload);
          return null;
        },
      })
      .setup((app) => void app.listen('from-page', (e) => void heard.push(e))),
  );
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

async function memoryDriver(label: string): Promise<Driver> {
  const page = await connectInMemory(t.app, label);
  const driver: Driver = {
    label,
    invoke: (cmd, args, headers) => page.invoke(cmd, args, headers).then(asBytes),
    invokeRaw: (cmd, bytes) => page.invoke(cmd, new Uint8Array(bytes)).then(asBytes),
    async listen(event, target) {
      const got: unknown[] = [];
      const unlisten = await page.listen(
        event,
        (e) => void got.push(e.payload),
        target === undefined ? undefined : { kind: 'AnyLabel', label: target },
      );
      return {
        received: async () => {
          await page.invoke('fence');
          return got;
        },
        unlisten,
      };
    },
    emit: async (event, payload) => void (await page.invoke('plugin:event|emit', { event, payload })),
    async stream(cmd, args) {
      const ch = page.channel();
      const result = await page.invoke(cmd, { ...args, ch: ch.id });
      await ends(ch.ended);
      return { result, messages: ch.messages.map(asBytes) };
    },
    close: async () => page.close(),
  };
  return driver;
}

async function wsDriver(label: string): Promise<Driver> {
  const page = await connectWsPage(t.server, `ticket.${ticketFrom(t.server.url(label))}`);
  return {
    label,
    invoke: (cmd, args, headers) => page.invoke(cmd, args, headers).then(asBytes),
    invokeRaw: (cmd, bytes) => page.invoke(cmd, new Uint8Array(bytes)).then(asBytes),
    async listen(event, target) {
      const got: unknown[] = [];
      const id = await page.listen(
        event,
        (payload) => void got.push(payload),
        target === undefined ? undefined : { kind: 'AnyLabel', label: target },
      );
      return {
        received: async () => {
          await page.invoke('fence');
          return got;
        },
        unlisten: () => page.unlisten(event, id),
      };
    },
    emit: async (event, payload) => void (await page.invoke('plugin:event|emit', { event, payload })),
    async stream(cmd, args) {
      const ch = page.channel();
      const result = await page.invoke(cmd, { ...args, ch: ch.id });
      await ends(ch.ended);
      return { result, messages: ch.messages.map(asBytes) };
    },
    close: async () => void (await page.close()),
  };
}

/** The page side of the Chromium driver, run inside the page: settles into `{ ok }` or `{ err }`. */
type Settled = { ok: unknown } | { err: unknown };
const unwrap = (s: Settled): unknown => {
  if ('err' in s) throw s.err;
  return s.ok;
};

async function chromiumDriver(label: string): Promise<Driver> {
  const page: Page = await openPage(browser, t.server.url(label));
  // Helpers the page-side functions below share: bytes in Node's form, a settled call, the listeners' inboxes.
  await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    const norm = (v: unknown): unknown => (v instanceof ArrayBuffer ? { bytes: [...new Uint8Array(v)] } : v);
    w['__contract'] = {
      norm,
      settle: (p: Promise<unknown>) =>
        p.then(
          (ok) => ({ ok: norm(ok) }),
          (err: unknown) => ({ err }),
        ),
      inbox: new Map<number, unknown[]>(),
      unlisten: new Map<number, () => void>(),
      next: 0,
    };
  });
  type Contract = {
    norm: (v: unknown) => unknown;
    settle: (p: Promise<unknown>) => Promise<Settled>;
    inbox: Map<number, unknown[]>;
    unlisten: Map<number, () => void>;
    next: number;
  };
  const fence = () => page.evaluate(() => window.api.core.invoke('fence'));
  return {
    label,
    invoke: async (cmd, args, headers) =>
      unwrap(
        await page.evaluate(
          ({ cmd, args, headers }) => {
            const c = (window as unknown as { __contract: Contract }).__contract;
            return c.settle(window.api.core.invoke(cmd, args as Record<string, unknown>, headers === undefined ? undefined : { headers }));
          },
          { cmd, args, headers },
        ),
      ),
    invokeRaw: async (cmd, bytes) =>
      unwrap(
        await page.evaluate(
          ({ cmd, bytes }) =>
            (window as unknown as { __contract: Contract }).__contract.settle(window.api.core.invoke(cmd, new Uint8Array(bytes))),
          { cmd, bytes },
        ),
      ),
    async listen(event, target) {
      const id = await page.evaluate(
        async ({ event, target }) => {
          const c = (window as unknown as { __contract: Contract }).__contract;
          const id = c.next++;
          const got: unknown[] = [];
          c.inbox.set(id, got);
          const options = target === undefined ? undefined : { target };
          c.unlisten.set(id, await window.api.event.listen(event, (e) => void got.push(e.payload), options));
          return id;
        },
        { event, target },
      );
      return {
        received: async () => {
          await fence();
          return page.evaluate((id) => (window as unknown as { __contract: Contract }).__contract.inbox.get(id) ?? [], id);
        },
        unlisten: () =>
          page.evaluate(async (id) => {
            await (window as unknown as { __contract: Contract }).__contract.unlisten.get(id)?.();
          }, id),
      };
    },
    emit: async (event, payload) => page.evaluate(({ event, payload }) => window.api.event.emit(event, payload), { event, payload }),
    stream: async (cmd, args) =>
      page.evaluate(
        async ({ cmd, args }) => {
          const c = (window as unknown as { __contract: Contract }).__contract;
          const messages: unknown[] = [];
          const ch = new window.api.core.Channel<unknown>((m) => void messages.push(c.norm(m)));
          const result = await window.api.core.invoke(cmd, { ...args, ch });
          // The channel's end follows its last message on the same socket; a fence makes sure both are in.
          await window.api.core.invoke('fence');
          const callbacks = (window as unknown as { __TAURI_INTERNALS__: { callbacks: Map<number, unknown> } }).__TAURI_INTERNALS__
            .callbacks;
          if (callbacks.has(ch.id)) throw new Error('the channel did not end');
          return { result, messages };
        },
        { cmd, args },
      ),
    close: () => page.context().close(),
  };
}

const kinds: Array<[kind: string, label: string, connect: (label: string) => Promise<Driver>]> = [
  ['the in-memory page', 'memory', memoryDriver],
  ['a ws protocol client', 'ws', wsDriver],
  ['Chromium with @tauri-apps/api', 'chromium', chromiumDriver],
];

const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (v) => assert.fail(`expected a rejection, got ${JSON.stringify(v)}`),
    (e: unknown) => e,
  );

for (const [kind, label, connect] of kinds) {
  describe(kind, () => {
    let page: Driver;
    before(async () => {
      page = await connect(label);
    });
    after(async () => {
      await page?.close();
    });

    describe('commands', () => {
      test('a result arrives as the value the handler returned, JSON unchanged', async () => {
        assert.equal(await page.invoke('greet', { name: 'Ada' }), 'Hello, Ada!');
        const data = { n: 1.5, s: 'é\u0000"', list: [null, true, { deep: [1] }], empty: {} };
        assert.deepEqual(await page.invoke('echo', data), data);
        assert.equal(await page.invoke('whoami'), label);
      });

      test('a thrown value is the rejection value, unchanged', async () => {
        assert.deepEqual(await rejection(page.invoke('fail')), { code: 42, message: 'boom' });
      });

      test("an unknown command rejects with Tauri's text; arguments that fail the schema with INVALID_ARGS", async () => {
        assert.equal(await rejection(page.invoke('nope')), 'Command nope not found');
        const invalid = (await rejection(page.invoke('greet', { name: 5 }))) as { code?: string; message?: string };
        assert.equal(invalid.code, 'INVALID_ARGS');
        assert.match(invalid.message ?? '', /name/);
      });

      test('bytes travel raw both ways', async () => {
        assert.equal(await page.invokeRaw('sum', [1, 2, 3, 250]), 256);
        assert.deepEqual(await page.invoke('make_bytes', { n: 5 }), { bytes: [0, 3, 6, 9, 12] });
      });

      test('headers reach the handler', async () => {
        assert.equal(await page.invoke('header', {}, { 'X-Contract': 'yes' }), 'yes');
      });

      test('concurrent calls each get their own answer', async () => {
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => page.invoke('echo', { i })));
        assert.deepEqual(
          results,
          Array.from({ length: 40 }, (_, i) => ({ i })),
        );
      });
    });

    describe('events', () => {
      test('an emit reaches every listener; an emitTo reaches Any listeners and those of the label it names', async () => {
        const any = await page.listen(`news-${label}`);
        const mine = await page.listen(`news-${label}`, label);
        t.app.emit(`news-${label}`, { n: 1 });
        t.app.emitTo('someone-else', `news-${label}`, 'for someone else');
        t.app.emitTo(label, `news-${label}`, 'for us');
        assert.deepEqual(await any.received(), [{ n: 1 }, 'for someone else', 'for us']);
        assert.deepEqual(await mine.received(), [{ n: 1 }, 'for us']);
        await any.unlisten();
        await mine.unlisten();
      });

      test('after unlisten, nothing more is delivered', async () => {
        const l = await page.listen(`off-${label}`);
        t.app.emit(`off-${label}`, 1);
        assert.deepEqual(await l.received(), [1]);
        await l.unlisten();
        t.app.emit(`off-${label}`, 2);
        assert.deepEqual(await l.received(), [1]);
      });

      test("the page's emit reaches Node listeners and its own listener", async () => {
        heard.length = 0;
        const own = await page.listen('from-page');
        await page.emit('from-page', { from: label });
        assert.deepEqual(
          heard.map((e) => e.payload),
          [{ from: label }],
        );
        assert.deepEqual(await own.received(), [{ from: label }]);
        await own.unlisten();
      });

      test('an emit_to from a command reaches this page through its label', async () => {
        const l = await page.listen(`direct-${label}`);
        await page.invoke('emit_to', { label, event: `direct-${label}`, payload: [1, 2] });
        assert.deepEqual(await l.received(), [[1, 2]]);
        await l.unlisten();
      });
    });

    describe('channels', () => {
      test('500 messages arrive in order, then the channel ends', async () => {
        const { result, messages } = await page.stream('count', { n: 500 });
        assert.equal(result, 500);
        assert.deepEqual(
          messages,
          Array.from({ length: 500 }, (_, i) => i),
        );
      });

      test('JSON and bytes messages keep their order and their kinds', async () => {
        const { result, messages } = await page.stream('mixed', {});
        assert.equal(result, 'sent');
        assert.deepEqual(messages, [{ first: true }, { bytes: [1, 2, 3] }, 'last']);
      });

      test('a command that never uses its channel still ends it', async () => {
        const { result, messages } = await page.stream('count', { n: 0 });
        assert.equal(result, 0);
        assert.deepEqual(messages, []);
      });
    });
  });
}
