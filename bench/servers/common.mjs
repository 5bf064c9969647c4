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

/**
 * Samples this process's memory every `intervalMs` (no GC forced) until stopped: tells a leak (RSS and heap keep
 * climbing) from an allocator or V8 heap that grew once and stays (a step, then flat).
 */
export function memorySampler(intervalMs = 1000) {
  let samples = [];
  let timer;
  const take = () => {
    const m = process.memoryUsage();
    samples.push({ t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal });
  };
  return {
    start() {
      samples = [];
      take();
      timer = setInterval(take, intervalMs);
    },
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
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

/**
 * Diagnosis (`run.mjs --breakdown`): the server's part of a sequential round trip, from the bytes of a message
 * reaching the socket to the reply having been written to it, and within that, from `ws`'s 'message' event to the
 * reply's `send` (the application's own work). Wraps ws's WebSocket.prototype, which Airlock and the peer server
 * share (one copy of `ws` in node_modules).
 */
export function instrumentServerTime(WebSocket) {
  const total = [];
  const app = [];
  const state = new WeakMap();
  const { emit, send, setSocket } = WebSocket.prototype;
  WebSocket.prototype.setSocket = function (socket, ...rest) {
    socket.prependListener('data', () => {
      const s = state.get(this);
      if (s !== undefined && s.data === undefined) s.data = process.hrtime.bigint();
    });
    state.set(this, {});
    return setSocket.call(this, socket, ...rest);
  };
  WebSocket.prototype.emit = function (event, ...rest) {
    const s = state.get(this);
    if (event === 'message' && s !== undefined && s.message === undefined) s.message = process.hrtime.bigint();
    return emit.call(this, event, ...rest);
  };
  WebSocket.prototype.send = function (...rest) {
    const result = send.apply(this, rest);
    const s = state.get(this);
    if (s?.message !== undefined) {
      const t = process.hrtime.bigint();
      app.push(Number(t - s.message) / 1000);
      if (s.data !== undefined) total.push(Number(t - s.data) / 1000);
      state.set(this, {});
    }
    return result;
  };
  const p50 = (a) => {
    const sorted = a.splice(0).sort((x, y) => x - y);
    return sorted[sorted.length >> 1];
  };
  return {
    take: () => {
      const n = app.length;
      return { n, totalP50Us: p50(total), appP50Us: p50(app) };
    },
  };
}
