// Plumbing shared by the server processes: talking to the driver, memory snapshots, and ws backpressure.

/** Answers the driver's requests: `{ id, op, ... }` → `{ id, ok }` or `{ id, err }`. */
export function serveDriver(handlers) {
  process.on('message', async (msg) => {
    try {
      const handler = handlers[msg.op];
      if (handler === undefined) throw new Error(`unknown op ${msg.op}`);
      process.send({ id: msg.id, ok: (await handler(msg)) ?? null });
    } catch (err) {
      process.send({ id: msg.id, err: String(err?.stack ?? err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

/** RSS and V8 heap after full collections (the process runs with --expose-gc). */
export async function memorySnapshot() {
  for (let k = 0; k < 3; k++) {
    globalThis.gc?.();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** Same threshold as Airlock's channel backpressure (src/transports/socket.ts): wait for 'drain' above 1 MiB. */
export const HIGH_WATER = 1024 * 1024;

/** Resolves once the ws socket has drained (the same signal Airlock's transport uses). */
export function drained(ws) {
  if (ws.bufferedAmount <= HIGH_WATER || ws.readyState !== ws.OPEN) return Promise.resolve();
  const socket = ws._socket;
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      ws.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    ws.on('close', done);
  });
}
