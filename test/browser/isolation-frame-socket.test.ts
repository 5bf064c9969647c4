// The isolation frame's own socket (issue 15), in real Chromium through the official API: it takes nothing but
// sealed calls of its own webview; a frame restart or a page reload in the middle of calls rejects exactly the
// calls the core never got, answers the others, and leaves nothing registered; calls and events keep their order.
// Every wait is bounded: each call's answer (a page.evaluate has no timeout of its own) within a few seconds, and
// Playwright's navigations and waits by the context's default timeout, so a call left unanswered fails the step
// that made it, naming it, instead of holding the file until the runner's 300 s timeout.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { lastSealedCall, mapSealedHeaders, sealedCalls, sealedFrame } from '../helpers/sealed.js';
import { sentinel } from '../helpers/sentinel.js';
import { poll, until, within } from '../helpers/wait.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const s = sentinel();
let browser: Browser;
let t: TestApp;
/** What reached the core, in order: `r<i>` for a `record` call, `e<i>` for a `seq` event a page emitted. */
const order: string[] = [];
let release: (() => void) | undefined;
let slowStarted = 0;
/** Each test's own bound, far above its slowest run on a loaded machine (~12 s), far below the runner's 300 s. */
const bounded = { timeout: 90_000 };

before(async () => {
  browser = await launchBrowser();
  t = await startApp(
    (b) =>
      b
        .invokeHandler({
          ...s.commands,
          size: (_a: unknown, ctx: { body: unknown }) => (ctx.body as Uint8Array).length,
          record: ({ i }: { i: number }) => {
            order.push(`r${i}`);
            return i;
          },
          slow: () => {
            slowStarted++;
            return new Promise<string>((resolve) => {
              release = () => resolve('answered after the restart');
            });
          },
          ticks: (_a: unknown, ctx) => {
            for (let i = 0; i < 200; i++) ctx.app.emit('tick', i);
            return 200;
          },
        })
        .setup((app) => {
          s.watch(app);
          app.listen<number>('seq', (e) => void order.push(`e${e.payload}`));
        }),
    { config: { app: { security: { pattern: { use: 'isolation', options: { dir: path.join(fixtures, 'isolation-strict') } } } } } },
  );
});

after(async () => {
  assert.equal(s.executed, 0);
  await browser?.close();
  await t?.[Symbol.asyncDispose]();
});

interface Opened {
  page: Page;
  /** Frames the isolation frame sent on its socket, and that socket's core side (for a man in the middle). */
  frameSent: Array<string | Buffer>;
  frameCore(): WebSocketRoute;
  /** A man in the middle's rewrite of the frame's binary frames on their way to the core (none when unset). */
  rewrite: { fn?: ((frame: Buffer) => Buffer) | undefined };
}

async function open(label: string): Promise<Opened> {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  await context.addInitScript('globalThis.__name = (f) => f');
  const page = await context.newPage();
  const frameSent: Array<string | Buffer> = [];
  let frameCore: WebSocketRoute | undefined;
  const rewrite: Opened['rewrite'] = {};
  await page.routeWebSocket(/\/__airlock\/ws(\?|$)/, (ws) => {
    const server = ws.connectToServer();
    if (new URL(ws.url()).port === String(t.server.port)) return;
    frameCore = server;
    ws.onMessage((m) => {
      frameSent.push(m);
      server.send(typeof m !== 'string' && rewrite.fn !== undefined ? rewrite.fn(m) : m);
    });
  });
  await page.goto(t.server.url(label));
  await page.waitForFunction(() => typeof window.api === 'object');
  assert.equal(
    await within(
      page.evaluate(() => window.api.core.invoke('whoami')),
      `the first call of \`${label}\``,
    ),
    label,
  );
  return { page, frameSent, frameCore: () => frameCore as WebSocketRoute, rewrite };
}

const refusals = (): number => t.logs.filter((l) => l.includes('isolation: refused') || l.includes('isolation: closing')).length;
async function refusedAtLeast(n: number): Promise<number> {
  await poll(() => refusals() >= n);
  return refusals();
}

const liveCallbacks = (page: Page): Promise<number> =>
  within(
    page.evaluate(
      () => (window as unknown as { __TAURI_INTERNALS__: { callbacks: Map<number, unknown> } }).__TAURI_INTERNALS__.callbacks.size,
    ),
    "the page's callback count",
  );
/** The page drops callbacks as it handles each answer: waits (bounded) for none to be left, and returns how many are. */
async function callbacks(page: Page): Promise<number> {
  await poll(async () => (await liveCallbacks(page)) === 0);
  return liveCallbacks(page);
}

describe("the isolation frame's socket", () => {
  test('takes only sealed calls of its own webview: plaintext and a sealed call of another webview are refused', bounded, async () => {
    const a = await open('main');
    const b = await open('other');
    assert.equal(
      await within(
        b.page.evaluate(() => window.api.core.invoke('record', { i: 999 })),
        '`record` of `other`',
      ),
      999,
    );
    const sealed = lastSealedCall(b.frameSent, 'record');
    assert.ok(sealed, "the other webview's call was sealed");
    const before = refusals();
    a.frameCore().send('{"t":"i","c":"side_effect","cb":1,"er":2,"a":{}}');
    a.frameCore().send(sealedFrame(sealed));
    assert.equal(await refusedAtLeast(before + 2), before + 2);
    assert.equal(order.filter((o) => o === 'r999').length, 1, "the other webview's sealed call ran once, on its own socket");
    assert.equal(
      await within(
        a.page.evaluate(() => window.api.core.invoke('whoami')),
        '`whoami` after the refusals',
      ),
      'main',
      'the frame keeps serving its page',
    );
    await a.page.context().close();
    await b.page.context().close();
  });

  test('anything that is not a call closes it, and the frame then refuses calls instead of leaving them unanswered', bounded, async () => {
    const c = await open('broken');
    c.frameCore().send(Buffer.from([1, 2, 3]));
    // Each ping must settle: answered, rejected DISCONNECTED or refused by the frame, never left unanswered.
    const ping = (): Promise<string> =>
      within(
        c.page.evaluate(() =>
          window.api.core.invoke('ping').then(
            () => 'answered',
            (e: { code: string }) => e.code,
          ),
        ),
        'a `ping` made while the frame socket closes to settle',
        5000,
      );
    let outcome = 'still answered';
    await poll(async () => {
      outcome = await ping();
      return outcome === 'ISOLATION_REFUSED';
    });
    // (a call already sealed when the socket closed rejects DISCONNECTED; the next ones are refused by the frame)
    assert.equal(outcome, 'ISOLATION_REFUSED');
    assert.ok(t.logs.some((l) => l.includes('isolation: closing the isolation frame socket of webview `broken`')));
    await c.page.context().close();
  });
});

describe('one sealed call, one binary frame', () => {
  const closings = (label: string, what: string): number =>
    t.logs.filter((l) => l.includes(`isolation: closing the isolation frame socket of webview \`${label}\``) && l.includes(what)).length;
  /** The frame starts over (a new document, key and socket), as after a restart. */
  const restartFrame = (page: Page): Promise<void> =>
    page.evaluate(() => {
      const frame = document.getElementById('__tauri_isolation__') as HTMLIFrameElement;
      frame.setAttribute('src', frame.getAttribute('src') ?? '');
    });
  const whoami = (page: Page): Promise<string> =>
    within(
      page.evaluate(() =>
        window.api.core.invoke('whoami').then(
          (r) => String(r),
          (e: { code: string }) => e.code,
        ),
      ),
      '`whoami`',
    );

  test(
    'a bad length prefix, a truncated header or the old two-frame form closes that socket with a reason; the core keeps serving',
    bounded,
    async () => {
      const a = await open('framing');
      const bystander = await open('bystander');
      const captured = a.frameSent.findLast((f) => sealedCalls(f).length === 1) as Buffer;
      const call = sealedCalls(captured)[0] as { header: Record<string, unknown>; body: Buffer };
      const headLength = captured.readUInt32LE(4);
      const badLength = Buffer.from(captured);
      badLength.writeUInt32LE(headLength + 1000, 4); // the header's length runs past the end of the frame
      const cases: Array<[string, () => void, string]> = [
        ['a bad length prefix', () => a.frameCore().send(badLength), 'a truncated sealed frame (the header of call 1'],
        ['a truncated header', () => a.frameCore().send(captured.subarray(0, 8 + 10)), 'a truncated sealed frame (the header of call 1'],
        [
          'a header text frame, then its ciphertext',
          () => {
            a.frameCore().send(JSON.stringify({ ...call.header, q: Number(call.header['q']) + 50 }));
            a.frameCore().send(call.body);
          },
          'a sealed call under 262144 bytes travels in one binary sealed frame, not after a header frame',
        ],
      ];
      for (const [what, send, reason] of cases) {
        const seen = closings('framing', reason);
        send();
        await until(() => closings('framing', reason) > seen, `the core to close the frame socket over ${what}`);
        let outcome = '';
        await poll(async () => {
          outcome = await whoami(a.page);
          return outcome === 'ISOLATION_REFUSED';
        });
        assert.equal(outcome, 'ISOLATION_REFUSED', `after ${what}, the frame refuses calls instead of leaving them unanswered`);
        assert.equal(await whoami(bystander.page), 'bystander', `after ${what}, the core serves other webviews`);
        await restartFrame(a.page);
        await poll(async () => (await whoami(a.page)) === 'framing');
        assert.equal(await whoami(a.page), 'framing', `after ${what}, a restarted frame serves its page again`);
      }
      assert.equal(s.executed, 0);
      await a.page.context().close();
      await bystander.page.context().close();
    },
  );

  test('a large body alone goes as its header frame, then the ciphertext uncopied; replaying that pair is refused', bounded, async () => {
    const a = await open('large');
    const size = await within(
      a.page.evaluate(() => window.api.core.invoke('size', new Uint8Array(1024 * 1024).fill(7))),
      'the 1 MiB call to be answered',
    );
    assert.equal(size, 1024 * 1024);
    const i = a.frameSent.findLastIndex((f) => typeof f === 'string' && f.includes('"c":"size"'));
    assert.ok(i >= 0, 'the large call went as a header frame');
    const [header, body] = [a.frameSent[i] as string, a.frameSent[i + 1] as Buffer];
    assert.equal(body.length, 1024 * 1024 + 16, 'followed by the ciphertext alone: the body and the tag, nothing else');
    const before = refusals();
    a.frameCore().send(header);
    a.frameCore().send(body);
    await until(() => t.logs.some((l) => l.includes('webview `large`') && l.includes('(a replay)')), 'the core to refuse the replay');
    assert.equal(await refusedAtLeast(before + 1), before + 1);
    assert.equal(await whoami(a.page), 'large', 'the frame socket keeps serving');
    await a.page.context().close();
  });

  test('wrong associated data or a replayed sequence number is refused to its caller, and the socket keeps serving', bounded, async () => {
    const a = await open('aad');
    const before = refusals();
    // A man in the middle moves a real call to another command: the associated data no longer matches.
    a.rewrite.fn = (frame) => mapSealedHeaders(frame, (h) => h.replace('"c":"record"', '"c":"side_effect"'));
    const moved = await within(
      a.page.evaluate(() =>
        window.api.core.invoke('record', { i: 7001 }).then(
          () => 'ran',
          (e: { code: string; message: string }) => `${e.code}: ${e.message}`,
        ),
      ),
      'the moved `record` to be refused',
    );
    a.rewrite.fn = undefined;
    assert.match(moved, /^ISOLATION_INVALID: the core refused this call to `side_effect`: it does not verify/);
    // The same frame again, as it was sent: its sequence number was used.
    assert.equal(
      await within(
        a.page.evaluate(() => window.api.core.invoke('record', { i: 7002 })),
        '`record` 7002',
      ),
      7002,
    );
    const replayed = a.frameSent.findLast((f) => sealedCalls(f).some((c) => c.header['c'] === 'record')) as Buffer;
    a.frameCore().send(replayed);
    await until(() => t.logs.some((l) => l.includes('was already used (a replay)')), 'the core to refuse the replay');
    assert.equal(await refusedAtLeast(before + 2), before + 2);
    assert.equal(order.filter((o) => o === 'r7002').length, 1, 'the replayed call did not run again');
    assert.ok(!order.includes('r7001'), 'the moved call did not run');
    assert.equal(await whoami(a.page), 'aad', 'the frame socket keeps serving');
    assert.equal(s.executed, 0);
    await a.page.context().close();
  });
});

describe('restarts in the middle of calls', () => {
  test('a frame restart rejects the call the core never got, answers the one it had, and leaks nothing', bounded, async () => {
    const { page } = await open('main');
    const started = slowStarted;
    const call = (c: string): Promise<string> =>
      page.evaluate(
        (c) =>
          window.api.core.invoke(c).then(
            (r) => `resolved: ${String(r)}`,
            (e: { code: string; message: string }) => `${e.code}: ${e.message}`,
          ),
        c,
      );
    const heldCall = within(call('held'), '`held` to be rejected after the frame restart', 20_000);
    const slowCall = within(call('slow'), '`slow` to be answered after it was released', 20_000);
    // (`heldCall` and `slowCall` are awaited below; a rejection before that is not an unhandled one)
    heldCall.catch(() => {});
    slowCall.catch(() => {});
    await poll(() => slowStarted !== started);
    assert.equal(slowStarted, started + 1, '`slow` reached the core; `held` waits in the hook');
    await page.evaluate(() => {
      const frame = document.getElementById('__tauri_isolation__') as HTMLIFrameElement;
      frame.setAttribute('src', frame.getAttribute('src') ?? ''); // the frame starts over: a new document, key and socket
    });
    const held = await heldCall;
    // The new frame serves calls.
    assert.equal(
      await within(
        page.evaluate(() => window.api.core.invoke('ping')),
        '`ping` through the new frame',
      ),
      'pong',
    );
    release?.();
    const slow = await slowCall;
    assert.match(String(held), /^DISCONNECTED: the isolation frame restarted before this call reached the core/);
    assert.equal(slow, 'resolved: answered after the restart');
    assert.equal(await callbacks(page), 0, 'no callback left in the page');
    assert.equal(t.app.stats.pending, 0, 'no call left in the core');
    await page.context().close();
  });

  test('a page reload in the middle of a call leaves nothing registered in the core', bounded, async () => {
    const { page } = await open('main');
    const started = slowStarted;
    await within(
      page.evaluate(async () => {
        await window.api.event.listen('never', () => {});
        void window.api.core.invoke('slow').catch(() => {});
      }),
      'the `listen` call',
    );
    await until(() => slowStarted !== started, '`slow` to reach the core');
    await page.reload();
    await page.waitForFunction(() => typeof window.api === 'object');
    assert.equal(
      await within(
        page.evaluate(() => window.api.core.invoke('whoami')),
        '`whoami` of the reloaded page',
      ),
      'main',
      'the reloaded page has a working frame',
    );
    release?.();
    await poll(() => t.app.stats.pending === 0); // the released call finishes; the assertion below names what is left
    assert.deepEqual(
      { pending: t.app.stats.pending, listeners: t.app.stats.pageListeners, channels: t.app.stats.channels },
      { pending: 0, listeners: 0, channels: 0 },
    );
    await page.context().close();
  });
});

describe('order', () => {
  test('calls and page events reach the core in the order the page made them, and core events arrive in order', bounded, async () => {
    const { page, frameSent } = await open('main');
    order.length = 0;
    const r = await within(
      page.evaluate(async () => {
        const { core, event } = window.api;
        const calls: Promise<unknown>[] = [];
        for (let i = 0; i < 300; i++) {
          calls.push(core.invoke('record', { i }));
          if (i % 10 === 0) calls.push(event.emit('seq', i));
        }
        await Promise.all(calls);
        const got: number[] = [];
        let gotAll = (): void => {};
        const all = new Promise<void>((res) => (gotAll = res));
        const un = await event.listen<number>('tick', (e) => {
          if (got.push(e.payload) === 200) gotAll();
        });
        await core.invoke('ticks');
        // Waits for the 200th event, bounded so that a missing one fails the assertion instead of hanging.
        await Promise.race([all, new Promise((res) => setTimeout(res, 5000))]);
        await core.invoke('whoami'); // a fence: any extra event the core sent arrives before this answer
        un();
        return got;
      }),
      'the 300 calls, 31 events and 200 ticks',
      60_000,
    );
    const expected: string[] = [];
    for (let i = 0; i < 300; i++) {
      expected.push(`r${i}`);
      if (i % 10 === 0) expected.push(`e${i}`);
    }
    assert.deepEqual(order, expected);
    const batches = frameSent.filter((f) => sealedCalls(f).length > 1);
    assert.ok(batches.length > 0, 'the calls made in one turn went to the core as sealed batches');
    assert.deepEqual(
      r,
      Array.from({ length: 200 }, (_, i) => i),
    );
    await page.context().close();
  });
});
