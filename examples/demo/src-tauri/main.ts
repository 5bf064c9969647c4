// The demo's backend: what `src-tauri/src/lib.rs` is in a Tauri app. `airlock run examples/demo` (npm start)
// loads it without a build step, builds it with src-tauri/tauri.conf.json and serves it.
import { createHash, randomBytes } from 'node:crypto';
import { Builder, type CommandsOf, channel, command, type InvokeContext } from 'airlock';
import fs from 'airlock/plugins/fs';
import store from 'airlock/plugins/store';
import { z } from 'zod';

/** Lines the isolation hook attached to calls it approved (header `x-isolation-hook`), sent on to the page. */
function hookSaw(ctx: InvokeContext): void {
  const line = ctx.headers['x-isolation-hook'];
  if (typeof line === 'string') ctx.app.emitTo(ctx.webview, 'hook-log', { line, at: Date.now() });
}

const builder = Builder.default()
  // Tauri's store and fs plugins: the page uses @tauri-apps/plugin-store and @tauri-apps/plugin-fs unchanged.
  .plugin(store())
  .plugin(fs())
  .invokeHandler({
    // A validated command: an empty name fails the schema and the page's invoke rejects with INVALID_ARGS.
    greet: command(z.object({ name: z.string().trim().min(1, 'say who to greet').max(40) }), ({ name }, ctx) => {
      hookSaw(ctx);
      return `Hello, ${name}! You've been greeted from Node.js ${process.version}.`;
    }),

    // A channel: ordered progress messages while the command runs; stops by itself if the page goes away.
    stream_progress: command(
      z.object({ steps: z.number().int().min(1).max(500), onProgress: channel<{ done: number; total: number }>() }),
      async ({ steps, onProgress }, ctx) => {
        hookSaw(ctx);
        const started = performance.now();
        for (let done = 1; done <= steps && !ctx.signal.aborted; done++) {
          onProgress.send({ done, total: steps });
          await new Promise((r) => setTimeout(r, 10));
        }
        return { steps, ms: Math.round(performance.now() - started) };
      },
    ),

    // Raw bytes in: the page sends a Uint8Array body, the handler gets ctx.body as bytes (never a JSON array).
    digest: (_args, ctx) => {
      hookSaw(ctx);
      const body = ctx.body;
      if (!(body instanceof Uint8Array)) throw { code: 'EXPECTED_BYTES', message: 'send the data as a Uint8Array body' };
      return { bytes: body.byteLength, sha256: createHash('sha256').update(body).digest('hex') };
    },

    // Raw bytes out: an ArrayBuffer result reaches the page as an ArrayBuffer.
    random_bytes: command(
      z.object({
        size: z
          .number()
          .int()
          .min(1)
          .max(16 * 1024 * 1024),
      }),
      ({ size }, ctx) => {
        hookSaw(ctx);
        const bytes = randomBytes(size);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      },
    ),

    // Blocked in the isolation frame before it is ever sealed: the core never sees this call.
    delete_everything: () => 'this must never run: the isolation hook blocks it',

    // Not granted by capabilities/default.json: refused by the ACL.
    admin_reset: () => 'admin_reset ran: the capabilities did not stop it',
  })
  .setup((app) => {
    // Page → core: 'page-clicked'; core → page: 'core-ack' right back, and a 'tick' every second.
    app.listen<{ clicks: number }>('page-clicked', (event) => {
      app.emit('core-ack', { clicks: event.payload.clicks, at: new Date().toISOString() });
    });
    let n = 0;
    const timer = setInterval(() => app.emit('tick', { n: ++n, rss: process.memoryUsage.rss() }), 1000);
    timer.unref();
  });

/** The demo's commands as the page sees them: `createClient<DemoCommands>()` in src/main.ts (types only). */
export type DemoCommands = CommandsOf<typeof builder>;
export default builder;
