// Events both ways with targets, once/unlisten, and channels — through the official @tauri-apps/api in Chromium.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { channel, command, type Event } from 'airlock';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';

let browser: Browser;
let t: TestApp;
let main: Page;
let settings: Page;
/** A page whose init script counts the text (`window.__wsText.n`) and binary (`.b`) messages its WebSockets receive. */
let counted: Page;
const COUNT_TEXT_MESSAGES = `(() => {
  const W = WebSocket;
  const count = { n: 0, b: 0 };
  globalThis.__wsText = count;
  globalThis.WebSocket = class extends W {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => { if (typeof e.data === 'string') count.n++; else count.b++; });
    }
  };
})()`;

before(async () => {
  browser = await launchBrowser();
  t = await startApp((b) =>
    b.invokeHandler({
      // A round trip on the page's one ordered socket: once it is answered, every frame the core sent that page
      // before it (events, channel messages, channel ends) has been delivered.
      fence: () => null,
      stream: command(z.object({ onEvent: channel(), n: z.number() }), async ({ onEvent, n }) => {
        for (let i = 0; i < n; i++) onEvent.send(i);
      }),
      // One turn: events, JSON and byte channel messages interleaved (the core batches the JSON frames).
      burst: command(z.object({ onEvent: channel(), n: z.number() }), ({ onEvent, n }, ctx) => {
        for (let i = 0; i < n; i++) {
          ctx.app.emit('burst', { i, s: `é${i}✓` });
          if (i % 100 === 0) onEvent.send({ i });
          if (i % 700 === 350) onEvent.send(new Uint8Array([i & 255, i >> 8, 9]));
        }
        return n;
      }),
      // A byte stream as the bench sends it (awaiting ready()), with events between some chunks.
      chunks: command(z.object({ onEvent: channel(), n: z.number() }), async ({ onEvent, n }, ctx) => {
        for (let i = 0; i < n; i++) {
          onEvent.send(new Uint8Array(10_000).fill(i & 255));
          if (i % 10 === 5) ctx.app.emit('between', i);
          await onEvent.ready();
        }
        return n;
      }),
      mixed: command(z.object({ onEvent: channel() }), async ({ onEvent }) => {
        for (let i = 0; i < 60; i++) {
          if (i % 3 === 0) onEvent.send(new Uint8Array(200_000).fill(i));
          else if (i % 3 === 1) onEvent.send({ i, pad: 'x'.repeat(20_000) });
          else onEvent.send(i);
        }
      }),
    }),
  );
  main = await openPage(browser, t.server.url('main'));
  settings = await openPage(browser, t.server.url('settings'));
  counted = await openPage(browser, t.server.url('counted'), (p) => void p.addInitScript(COUNT_TEXT_MESSAGES));
});

after(async () => {
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

/** Registers listeners in a page and returns a function that reads what they received. */
async function listenIn(
  page: Page,
  spec: Array<{ name: string; event: string; target?: unknown; how?: 'listen' | 'once' | 'window' }>,
): Promise<void> {
  await page.evaluate(async (spec) => {
    const w = window as unknown as { got: Record<string, unknown[]>; unlisten: Record<string, () => void> };
    w.got = {};
    w.unlisten = {};
    for (const s of spec) {
      w.got[s.name] = [];
      const push = (e: { payload: unknown }) => w.got[s.name]?.push(e.payload);
      const opts = s.target === undefined ? undefined : { target: s.target as string };
      w.unlisten[s.name] =
        s.how === 'once'
          ? await window.api.event.once(s.event, push, opts)
          : s.how === 'window'
            ? await window.api.getCurrentWindow().listen(s.event, push)
            : await window.api.event.listen(s.event, push, opts);
    }
  }, spec);
}

const received = (page: Page) =>
  page.evaluate(async () => {
    await window.api.core.invoke('fence');
    return (window as unknown as { got: Record<string, unknown[]> }).got;
  });

describe('events', () => {
  test('core → page: emit reaches every page, emitTo only the matching targets', async () => {
    await listenIn(main, [
      { name: 'any', event: 'news' },
      { name: 'win', event: 'news', how: 'window' },
      { name: 'label', event: 'news', target: 'main' },
    ]);
    await listenIn(settings, [{ name: 'win', event: 'news', how: 'window' }]);
    t.app.emit('news', 'all');
    t.app.emitTo('settings', 'news', 'to-settings');
    t.app.emitTo({ kind: 'Webview', label: 'main' }, 'news', 'webview-main');
    t.app.emitTo('main', 'news', 'to-main');
    assert.deepEqual(await received(main), {
      any: ['all', 'to-settings', 'webview-main', 'to-main'],
      win: ['all', 'to-main'],
      label: ['all', 'webview-main', 'to-main'],
    });
    assert.deepEqual(await received(settings), { win: ['all', 'to-settings'] });
  });

  test('page → core and page → page: emit and emitTo', async () => {
    const seen: Event[] = [];
    const unlisten = t.app.listen('hello', (e) => {
      seen.push(e);
    });
    await listenIn(settings, [{ name: 'h', event: 'hello' }]);
    await main.evaluate(async () => {
      await window.api.event.emit('hello', { from: 'main' });
      await window.api.event.emitTo('settings', 'hello', 'direct');
    });
    assert.deepEqual(await received(settings), { h: [{ from: 'main' }, 'direct'] });
    assert.deepEqual(
      seen.map((e) => e.payload),
      [{ from: 'main' }],
      'App listeners do not get emitTo(label)',
    );
    unlisten();
  });

  test('once fires once; unlisten stops delivery at once', async () => {
    await listenIn(main, [
      { name: 'once', event: 'ping', how: 'once' },
      { name: 'off', event: 'ping' },
    ]);
    await main.evaluate(() => (window as unknown as { unlisten: Record<string, () => void> }).unlisten['off']?.());
    t.app.emit('ping', 1);
    t.app.emit('ping', 2);
    assert.deepEqual(await received(main), { once: [1], off: [] });
  });

  test('listeners registered by one page never fire in another', async () => {
    await listenIn(main, [{ name: 'a', event: 'solo' }]);
    await listenIn(settings, []);
    await main.evaluate(() => window.api.event.emit('solo', 'x'));
    assert.deepEqual(await received(settings), {});
    assert.deepEqual(await received(main), { a: ['x'] });
  });

  test("an invalid event name rejects with Tauri's message", async () => {
    const err = await main.evaluate(() => window.api.event.listen('bad name', () => {}).catch((e: unknown) => e));
    assert.match(String((err as { message?: string }).message ?? err), /Event name must include only alphanumeric characters/);
  });
});

describe('batched frames', () => {
  test('events, JSON and byte channel messages of one turn reach the official listen and Channel in order, in few socket messages', async () => {
    const n = 3000;
    const r = await counted.evaluate(async (n) => {
      const events: unknown[] = [];
      const messages: unknown[] = [];
      const unlisten = await window.api.event.listen('burst', (e) => events.push(e.payload));
      const ch = new window.api.core.Channel<unknown>((m) =>
        messages.push(m instanceof ArrayBuffer ? { bytes: [...new Uint8Array(m)] } : m),
      );
      const count = (window as unknown as { __wsText: { n: number } }).__wsText;
      const before = count.n;
      const returned = await window.api.core.invoke<number>('burst', { onEvent: ch, n });
      await window.api.core.invoke('fence');
      const texts = count.n - before;
      unlisten();
      return { returned, events, messages, texts };
    }, n);
    assert.equal(r.returned, n);
    assert.deepEqual(
      r.events,
      Array.from({ length: n }, (_, i) => ({ i, s: `é${i}✓` })),
    );
    const expected: unknown[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 100 === 0) expected.push({ i });
      if (i % 700 === 350) expected.push({ bytes: [i & 255, i >> 8, 9] });
    }
    assert.deepEqual(r.messages, expected);
    // 3,000 events, 30 JSON and 4 byte messages, the end and two answers: one text message each without batches.
    assert.ok(r.texts < 60, `${r.texts} text messages reached the page`);
    assert.equal(t.app.stats.channels, 0);
  });

  test('a byte stream reaches the official Channel as ArrayBuffers in order, one binary message per chunk', async () => {
    const n = 200;
    const r = await counted.evaluate(async (n) => {
      const between: unknown[] = [];
      let bad = -1;
      let count = 0;
      const unlisten = await window.api.event.listen('between', (e) => between.push(e.payload));
      const ch = new window.api.core.Channel<ArrayBuffer>((m) => {
        const ok = m instanceof ArrayBuffer && m.byteLength === 10_000 && new Uint8Array(m).every((b) => b === (count & 255));
        if (!ok && bad === -1) bad = count;
        count++;
      });
      const counter = (window as unknown as { __wsText: { n: number; b: number } }).__wsText;
      const before = { ...counter };
      const returned = await window.api.core.invoke<number>('chunks', { onEvent: ch, n });
      await window.api.core.invoke('fence');
      const texts = counter.n - before.n;
      const binaries = counter.b - before.b;
      unlisten();
      return { returned, count, bad, between, texts, binaries };
    }, n);
    assert.deepEqual(
      { returned: r.returned, count: r.count, bad: r.bad },
      { returned: n, count: n, bad: -1 },
      'every chunk, whole and in order',
    );
    assert.deepEqual(
      r.between,
      Array.from({ length: n / 10 }, (_, k) => k * 10 + 5),
    );
    // One header, the 20 events, the end and two answers: a header per chunk would be 200 more.
    assert.ok(r.texts < 40, `${r.texts} text messages reached the page`);
    assert.equal(r.binaries, n);
    assert.equal(t.app.stats.channels, 0);
  });
});

describe('channels', () => {
  test('1,000 rapid messages arrive in order, then the channel unregisters', async () => {
    const r = await main.evaluate(async () => {
      const got: number[] = [];
      const ch = new window.api.core.Channel<number>((m) => got.push(m));
      await window.api.core.invoke('stream', { onEvent: ch, n: 1000 });
      await window.api.core.invoke('fence');
      const callbacks = (window as unknown as { __TAURI_INTERNALS__: { callbacks: Map<number, unknown> } }).__TAURI_INTERNALS__.callbacks;
      return { inOrder: got.length === 1000 && got.every((v, i) => v === i), registered: callbacks.has(ch.id) };
    });
    assert.deepEqual(r, { inOrder: true, registered: false });
  });

  test('mixed small, large JSON and binary messages keep their order and types', async () => {
    const r = await main.evaluate(async () => {
      const kinds: string[] = [];
      let ok = true;
      const ch = new window.api.core.Channel<unknown>((m) => {
        const i = kinds.length;
        if (i % 3 === 0) {
          kinds.push('bytes');
          ok &&= m instanceof ArrayBuffer && m.byteLength === 200_000 && new Uint8Array(m)[199_999] === i;
        } else if (i % 3 === 1) {
          kinds.push('json');
          ok &&= (m as { i: number }).i === i;
        } else {
          kinds.push('num');
          ok &&= m === i;
        }
      });
      await window.api.core.invoke('mixed', { onEvent: ch });
      await window.api.core.invoke('fence');
      return { count: kinds.length, ok };
    });
    assert.deepEqual(r, { count: 60, ok: true });
    assert.equal(t.app.stats.channels, 0);
  });
});
