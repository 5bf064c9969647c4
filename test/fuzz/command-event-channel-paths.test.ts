// Fuzzing the core through its inbound path: ≥ 100,000 generated frames (calls of every command kind, event
// listen/unlisten/emit, channel arguments, binary bodies, sealed frames, wrong types, unknown kinds, truncated and
// mutated JSON, deep nesting, prototype-pollution payloads) go into pages attached exactly as the socket transport
// attaches them. The core must never throw or reject unhandled, only ever close a page with a protocol reason,
// leave no call, listener or channel behind, keep Object.prototype clean, and answer a normal invoke afterwards.
// Under the isolation pattern, none of it may execute anything.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { App } from 'airlock';
import { CloseCode } from '../../src/protocol/frames.ts';
import { step, type Frame } from './frames.ts';
import {
  assertCoreAnswers,
  check,
  assertPrototypesClean,
  collectUncaught,
  effects,
  fuzzApp,
  hostilePage,
  type HostilePage,
} from '../helpers/harness.ts';

const SEED = Number(process.env['FUZZ_SEED'] ?? 2_024_35222);
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Frames counted here were each processed by an open connection (frames to a closed page are not counted). */
export const totals = { frames: 0, pages: 0, closedForProtocol: 0 };
export const reasons = new Map<string, number>();

const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

/** Ids a page sent in `cb`/`er` fields (the core may only ever answer those). */
function sentIds(frames: readonly Frame[]): Set<number> {
  const ids = new Set<number>();
  for (const f of frames) {
    if (typeof f !== 'string') continue;
    try {
      const o = JSON.parse(f) as Record<string, unknown>;
      for (const k of ['cb', 'er']) if (typeof o[k] === 'number') ids.add(o[k] as number);
    } catch {
      // not JSON: carries no id
    }
  }
  return ids;
}

function checkPage(page: HostilePage, frames: readonly Frame[]): void {
  const ids = sentIds(frames);
  // A text frame is one frame or a batch of them (protocol/frames.ts): each element is checked as a frame.
  const sent = page.text.flatMap((text) => {
    const parsed = JSON.parse(text) as Record<string, unknown> | Array<Record<string, unknown>>;
    return (Array.isArray(parsed) ? parsed : [parsed]).map((f) => [text, f] as const);
  });
  for (const [text, f] of sent) {
    const kind = ['r', 'e', 'c', 'hello', 'ft', 'fx'].filter((k) => k in f);
    assert.equal(kind.length, 1, `the core sent an unknown frame: ${text.slice(0, 100)}`);
    if (typeof f['r'] === 'number') assert.ok(ids.has(f['r']), `the core answered callback ${f['r']}, which the page never sent`);
  }
  if (page.closed !== undefined) {
    const r = page.closed.reason.replace(/`[^`]*`|\d+/g, '_').slice(0, 40);
    reasons.set(r, (reasons.get(r) ?? 0) + 1);
    assert.equal(page.closed.code, CloseCode.PROTOCOL, `closed with ${page.closed.code} ${page.closed.reason}`);
    assert.match(page.closed.reason, /^protocol violation: .+/);
  }
  const s = page.conn.stats;
  assert.deepEqual({ pending: s.pending, channels: s.channels }, { pending: 0, channels: 0 }, 'a call or channel outlived its frames');
}

/** Feeds one run's steps to pages, reconnecting whenever the core closes one; returns frames processed. */
async function run(app: App, steps: readonly Frame[][]): Promise<void> {
  let page = await hostilePage(app);
  let frames: Frame[] = [];
  const pages: Array<[HostilePage, Frame[]]> = [[page, frames]];
  for (const s of steps) {
    if (!page.conn.open) {
      totals.closedForProtocol++;
      page = await hostilePage(app);
      frames = [];
      pages.push([page, frames]);
    }
    // The frames of one step belong together (a header and its body): once the page is closed, the rest is moot.
    for (const f of s) {
      if (!page.conn.open) break;
      frames.push(f);
      page.conn.receive(f);
      totals.frames++;
    }
  }
  await settle();
  totals.pages += pages.length;
  for (const [p, f] of pages) checkPage(p, f);
  for (const [p] of pages) p.conn.close();
  assertPrototypesClean();
  assert.deepEqual(
    { webviews: app.stats.webviews, pageListeners: app.stats.pageListeners, pending: app.stats.pending },
    { webviews: 0, pageListeners: 0, pending: 0 },
  );
}

describe('fuzzing the command, event and channel paths', () => {
  test('100,000+ generated frames: no uncaught error, only protocol closes, nothing leaks, prototypes stay clean, the core still answers', async (t) => {
    const app = await fuzzApp();
    try {
      const { uncaught } = await collectUncaught(async () => {
        await check(
          fc.asyncProperty(fc.array(step, { minLength: 150, maxLength: 250 }), async (steps) => run(app, steps)),
          { numRuns: Number(process.env['FUZZ_RUNS'] ?? 500), seed: SEED, endOnFailure: true },
        );
      });
      if (process.env['FUZZ_REASONS']) for (const [r, n] of [...reasons].sort((a, b) => b[1] - a[1])) t.diagnostic(`${n} × ${r}`);
      t.diagnostic(`${totals.frames} frames into ${totals.pages} pages, ${totals.closedForProtocol} closed for protocol violations`);
      assert.deepEqual(uncaught, []);
      assert.ok(totals.frames >= 100_000, `only ${totals.frames} frames were processed`);
      await assertCoreAnswers(app);
      assert.deepEqual(
        { ...app.stats, droppedEvents: 0 },
        { webviews: 0, pending: 0, pageListeners: 0, nodeListeners: 0, channels: 0, droppedEvents: 0 },
      );
    } finally {
      await app.close();
    }
  });

  test('under the isolation pattern, 10,000 generated frames (plaintext and sealed with random keys) execute nothing', async (t) => {
    const before = effects.count;
    const executed = { n: 0 };
    const app = await fuzzApp({ isolationDir: path.join(fixtures, 'isolation') });
    const stop = app.listen('tick', () => void executed.n++);
    try {
      let frames = 0;
      const { uncaught } = await collectUncaught(async () => {
        await check(
          fc.asyncProperty(fc.array(step, { minLength: 80, maxLength: 120 }), async (steps) => {
            const start = totals.frames;
            await run(app, steps);
            frames += totals.frames - start;
          }),
          { numRuns: 100, seed: SEED + 1, endOnFailure: true },
        );
      });
      t.diagnostic(`${frames} frames under isolation, ${effects.count - before} executed`);
      assert.deepEqual(uncaught, []);
      assert.ok(frames >= 10_000, `only ${frames} frames`);
      assert.equal(effects.count, before, 'no command ran');
      assert.equal(executed.n, 0, 'no event was emitted');
    } finally {
      stop();
      await app.close();
    }
  });
});
