// The Airlock side of the bench: an app built with the public API (from dist/, via the package self-reference)
// whose commands the page reaches through the official @tauri-apps/api.
// Usage (by run.mjs): node --expose-gc airlock.mjs <pageDir> <coep 0|1> <brownfield|isolation> [isolationDir]
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { eventPayload, makeBytes } from '../lib/workload.mjs';
import { instrumentServerTime, memorySampler, memorySnapshot, serveDriver } from './common.mjs';

const serverTime = process.env.BENCH_BREAKDOWN === '1' ? instrumentServerTime(WebSocket) : undefined;

const [pageDir = '.', coep = '1', pattern = 'brownfield', isolationDir] = process.argv.slice(2);
// `run.mjs --compare=<checkout>` runs a second Airlock from another checkout's dist/ (before/after numbers).
const { Builder, channel, command } = await import(process.env.AIRLOCK_ENTRY ? pathToFileURL(process.env.AIRLOCK_ENTRY).href : 'airlock');

if (coep === '1') {
  // Airlock has no setting for extra response headers yet (Tauri's `app.security.headers`), so the bench adds
  // Cross-Origin-Embedder-Policy to every response of this process's HTTP server. With the COOP header Airlock
  // already sends, the page becomes cross-origin isolated and its performance.now() has 5 µs steps instead of
  // 100 µs with jitter — the same clock the raw-ws and birpc pages get. Nothing on the IPC path changes.
  const createServer = http.createServer;
  http.createServer = (...args) => {
    const server = createServer(...args);
    server.prependListener('request', (_req, res) => res.setHeader('cross-origin-embedder-policy', 'require-corp'));
    return server;
  };
}

let source = new Uint8Array(0);
const sourceOf = (size) => {
  if (source.length < size) source = makeBytes(size);
  return source;
};

const commands = {
  echo: (args) => args,
  bytes: (_args, ctx) => ctx.body,
  json_bytes: (args) => args.data,
  emit_events: (args, ctx) => {
    for (let i = 0; i < args.n; i++) ctx.app.emit('tick', eventPayload(i));
    return args.n;
  },
  stream: command(z.object({ ch: channel(), total: z.number(), chunk: z.number() }), async ({ ch, total, chunk }) => {
    const src = sourceOf(total);
    for (let off = 0; off < total; off += chunk) {
      ch.send(src.subarray(off, Math.min(total, off + chunk)));
      await ch.ready();
    }
    return total;
  }),
};

const config = pattern === 'isolation' ? { app: { security: { pattern: { use: 'isolation', options: { dir: isolationDir } } } } } : {};
// Airlock's log lines go to stderr as usual, except the start-up notice that no capabilities are configured (the
// bench measures the default setup on purpose).
const logger = (level, message, error) => {
  if (!message.startsWith('no capabilities configured'))
    console.error(`[airlock ${pattern}] ${level}: ${message}`, ...(error === undefined ? [] : [error]));
};
const app = await Builder.default().logger(logger).invokeHandler(commands).build({ config, frontendDist: pageDir });
const server = await app.serve({ port: 0 });

const sampler = memorySampler();
serveDriver({
  url: ({ path }) => server.url('main', { path }),
  memory: async () => ({ ...(await memorySnapshot()), stats: app.stats }),
  stats: () => app.stats,
  prepare: ({ size }) => void sourceOf(size),
  serverTime: () => serverTime?.take(),
  samplingStart: () => sampler.start(),
  samplingStop: () => sampler.stop(),
  exit: async () => {
    await app.close();
    setImmediate(() => process.exit(0));
  },
});
process.send({ ready: true, origin: server.origin });
