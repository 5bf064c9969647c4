// Component-style tests with no core: code written against airlock/client, run in a bare Chromium page on
// airlock/client/mocks' mockCore (typed handlers, a channel, events, a stream) and on the official mockIPC.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'client-component', 'entry.ts');

let browser: Browser;
let page: Page;

before(async () => {
  const bundle = await build({ entryPoints: [entry], bundle: true, format: 'iife', target: 'es2022', write: false, logLevel: 'warning' });
  browser = await launchBrowser();
  const context = await browser.newContext();
  await context.addInitScript('globalThis.__name = (f) => f');
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.setContent('<!doctype html><title>component</title>');
  await page.addScriptTag({ content: bundle.outputFiles[0]?.text ?? '' });
  assert.equal(await page.evaluate(() => typeof (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__), 'undefined');
});

after(async () => {
  await browser?.close();
});

describe('mockCore (airlock/client/mocks)', () => {
  test('typed handlers answer the client; a channel delivers in order; core events reach listeners; pings from the page too', async () => {
    const result = await page.evaluate(async () => {
      const core = window.mocks.mockCore({
        greet: ({ name }) => `Hi ${name}`,
        ticks: async ({ onTick }) => {
          for (let i = 0; i < 4; i++) onTick.send(i * 10);
        },
      });
      const c = window.component;
      c.log.length = 0;
      await c.greet('Ada');
      const ticks = await c.collectTicks();
      const stop = await c.watchPings();
      core.emit('ping', { n: 1 }); // from the "core"
      await window.clientForMocks.emit('ping', { n: 2 }); // from the page, through the mock's event plugin
      await stop();
      core.emit('ping', { n: 3 }); // after unlisten: not seen
      const calls = core.calls.map((x) => x.cmd);
      const missing = await window.clientForMocks.hang({ tag: 'x' }).catch((e: unknown) => e);
      core.restore();
      return { log: c.log, ticks, calls, emitted: core.emitted, missing };
    });
    assert.deepEqual(result.log, ['Hi Ada', 'ping 1', 'ping 2']);
    assert.deepEqual(result.ticks, [0, 10, 20, 30]);
    assert.deepEqual(result.calls, ['greet', 'ticks']);
    assert.deepEqual(result.emitted, [{ event: 'ping', payload: { n: 2 } }]);
    assert.equal(result.missing, 'Command hang not found');
  });

  test('a stream argument arrives as an async iterable of bytes; aborting a call aborts the mock handler', async () => {
    const result = await page.evaluate(async () => {
      let aborted = false;
      const core = window.mocks.mockCore({
        upload: async ({ file }) => {
          const bytes: number[] = [];
          for await (const chunk of file) bytes.push(...chunk);
          return bytes.length * 1000 + (bytes.at(-1) ?? 0);
        },
        hang: (_args, ctx) =>
          new Promise<string>((resolve) =>
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              resolve('late');
            }),
          ),
      });
      const uploaded = await window.component.upload([[1, 2], [3], [4, 5, 6]]);
      const controller = new AbortController();
      const pending = window.clientForMocks.hang({ tag: 'm' }, { signal: controller.signal });
      controller.abort();
      const name = await pending.catch((e: unknown) => (e as DOMException).name);
      core.restore();
      return { uploaded, name, aborted };
    });
    assert.deepEqual(result, { uploaded: 6006, name: 'AbortError', aborted: true });
  });
});

describe('mockCore in the callback form, and a command named like a client method', () => {
  test("mockCore((cmd, payload) => …) is mockIPC's callback; a command called `invoke` is reached through client.invoke", async () => {
    const result = await page.evaluate(async () => {
      const seen: string[] = [];
      const core = window.mocks.mockCoreCallback((cmd, payload) => {
        seen.push(cmd);
        return cmd === 'invoke' ? 'the invoke command' : `${cmd} ${JSON.stringify(payload)}`;
      });
      const c = window.clientForMocks as unknown as { invoke(name: string, args?: unknown): Promise<unknown> };
      const r = { named: await c.invoke('invoke'), other: await c.invoke('greet', { name: 'Di' }), seen };
      core.restore();
      return r;
    });
    assert.deepEqual(result, { named: 'the invoke command', other: 'greet {"name":"Di"}', seen: ['invoke', 'greet'] });
  });
});

describe('the official mockIPC (@tauri-apps/api/mocks)', () => {
  test('code written against mockIPC keeps working, the typed client included', async () => {
    const result = await page.evaluate(async () => {
      const seen: Array<[string, unknown]> = [];
      window.mocks.mockIPC((cmd, payload) => {
        seen.push([cmd, payload]);
        if (cmd === 'greet') return `mocked ${(payload as { name: string }).name}`;
        return null;
      });
      const c = window.component;
      c.log.length = 0;
      await c.greet('Bo');
      const viaInvoke = await window.clientForMocks.invoke('greet', { name: 'Cy' });
      // The client rejects an aborted call at once even though mockIPC knows nothing of signals.
      const name = await window.clientForMocks
        .hang({ tag: 'x' }, { signal: AbortSignal.abort() })
        .catch((e: unknown) => (e as DOMException).name);
      window.mocks.clearMocks();
      return { log: c.log, viaInvoke, seen, name };
    });
    assert.deepEqual(result.log, ['mocked Bo']);
    assert.equal(result.viaInvoke, 'mocked Cy');
    assert.deepEqual(result.seen, [
      ['greet', { name: 'Bo' }],
      ['greet', { name: 'Cy' }],
    ]);
    assert.equal(result.name, 'AbortError');
  });
});
