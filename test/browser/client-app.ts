// The app of the typed client's browser tests, shared with its frontend for the type only (`CommandsOf`).
import { type Builder, type CommandsOf, channel, command, STREAM_WINDOW, stream } from 'airlock';
import type { Page } from 'playwright-core';
import { z } from 'zod';
import { until } from '../helpers/wait.js';

let repeating = Buffer.alloc(0);
/** 0, 1, … 250, 0, 1, …: byte i of a test stream is i % 251. */
function pattern(size: number): Buffer {
  if (repeating.length < size + 251) {
    repeating = Buffer.alloc(size + 251);
    for (let i = 0; i < repeating.length; i++) repeating[i] = i % 251;
  }
  return repeating;
}

/** What the core saw, for the tests to assert on. */
export interface Observed {
  /** Tags of `hang` calls whose handler has started. */
  started: string[];
  aborted: string[];
  /** `ignore` calls whose handler has finished (after its result was dropped). */
  ignoredDone: number;
  maxQueued: number;
  received: number;
  streamError: string | undefined;
  release: () => void;
}

export function clientCommands(b: Builder, seen: Observed) {
  return b
    .invokeHandler({
      greet: command(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}!`),
      // Waits for its signal and counts the abort.
      hang: async (_args: { tag: string }, ctx) => {
        seen.started.push(_args.tag);
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            seen.aborted.push(`${_args.tag}: ${(ctx.signal.reason as { code?: string })?.code}`);
            resolve();
          });
        });
        return 'never seen';
      },
      // Ignores its signal: finishes when the test releases it, and its result must not reach the page.
      ignore: async (_args: Record<string, never>, ctx) => {
        ctx.signal.addEventListener('abort', () => seen.aborted.push('ignore'));
        await new Promise<void>((resolve) => {
          seen.release = resolve;
        });
        seen.ignoredDone++;
        return 'dropped';
      },
      ticks: command(z.object({ onTick: channel<number>() }), async ({ onTick }) => {
        for (let i = 0; i < 3; i++) onTick.send(i);
      }),
      // Reads a page stream, checking every byte (byte i = i % 251) and how much waits in the core.
      upload: command(z.object({ file: stream(), pauseAt: z.number().optional() }), async ({ file, pauseAt }) => {
        let offset = 0;
        let paused = false;
        for await (const chunk of file) {
          seen.maxQueued = Math.max(seen.maxQueued, file.queuedBytes);
          const start = offset % 251;
          if (
            !Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).equals(
              pattern(chunk.byteLength).subarray(start, start + chunk.byteLength),
            )
          )
            throw new Error(`the chunk at byte ${offset} is not the bytes sent there: out of order or corrupted`);
          offset += chunk.byteLength;
          seen.received = offset;
          if (pauseAt !== undefined && !paused && offset >= pauseAt) {
            paused = true;
            await new Promise<void>((resolve) => {
              seen.release = resolve;
            });
          }
        }
        return offset;
      }),
      window: () => STREAM_WINDOW,
    })
    .events({ ping: z.object({ n: z.number() }) });
}

export type ClientTestCommands = CommandsOf<ReturnType<typeof clientCommands>>;

/**
 * Starts `client.hang({ tag })` with a signal, waits until its handler runs in the core (so the core has a signal to
 * abort), aborts it, and reports how the page's promise rejected and how long after the abort.
 */
export async function abortMidCall(page: Page, seen: Observed, tag: string): Promise<{ name: string; isDom: boolean; ms: number }> {
  await page.evaluate((tag) => {
    const controller = new AbortController();
    const pending = window.client.hang({ tag }, { signal: controller.signal }).catch((e: unknown) => e);
    (window as unknown as { aborting?: unknown }).aborting = { controller, pending };
  }, tag);
  await until(() => seen.started.includes(tag), 'the call to reach its handler');
  return page.evaluate(async () => {
    const { controller, pending } = (window as unknown as { aborting: { controller: AbortController; pending: Promise<unknown> } })
      .aborting;
    const started = performance.now();
    controller.abort();
    const error = await pending;
    return { name: (error as DOMException).name, isDom: error instanceof DOMException, ms: performance.now() - started };
  });
}
