// The benchmark page. One bundle serves every variant; `?v=` picks the client:
//   raw     — a plain WebSocket to the `ws` server: text echo for calls, binary echo for bytes, a push socket for
//             events and streaming. No framework, the limit for a one-socket architecture.
//   airlock — the official, unmodified @tauri-apps/api (`invoke`, `Channel`, `listen`) on the Airlock page runtime.
//   birpc   — birpc 4.2.0 with JSON over a plain WebSocket to the same `ws` server (bytes as base64: birpc has no
//             binary path).
// The page takes orders from the bench driver over a control WebSocket (`?ctl=<port>`) and answers with results;
// no DevTools protocol is attached to the browser. Every timing is taken here with performance.now().
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { createBirpc } from 'birpc';
import { makeBytes, sampleOk, smallArgs } from '../lib/workload.mjs';

const now = () => performance.now();
const params = new URLSearchParams(location.search);
const variant = params.get('v') ?? 'raw';

function openWs(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`WebSocket error on ${url}`));
  });
}

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Checks one chunk of a stream: its index (first 4 bytes, little-endian) and size. Returns the byte count. */
function checkChunk(buf, expectedIndex, chunk, total) {
  const size = buf.byteLength;
  const index = size >= 4 ? new DataView(buf instanceof ArrayBuffer ? buf : buf.buffer, buf.byteOffset ?? 0).getUint32(0, true) : -1;
  const want = Math.min(chunk, total - expectedIndex * chunk);
  if (index !== expectedIndex || size !== want)
    throw new Error(`stream out of order or torn: chunk ${expectedIndex} arrived as index ${index}, ${size} bytes`);
  return size;
}

const toBase64 = (u8) => u8.toBase64();
const fromBase64 = (s) => Uint8Array.fromBase64(s);

// ── clients: each gives call(i) → the echoed small object, bytes(u8) → Uint8Array, and the push scenarios ─────────

async function rawClient() {
  const base = `ws://${location.host}`;
  const echo = await openWs(`${base}/raw/echo`);
  const push = await openWs(`${base}/raw/push`);
  // The echo is ordered, so replies settle the calls first-in first-out.
  const waiting = [];
  let head = 0;
  echo.onmessage = (e) => {
    const settle = waiting[head];
    waiting[head++] = undefined;
    if (head === waiting.length) {
      waiting.length = 0;
      head = 0;
    }
    settle(typeof e.data === 'string' ? JSON.parse(e.data) : e.data);
  };
  const send = (data) =>
    new Promise((resolve) => {
      waiting.push(resolve);
      echo.send(data);
    });
  return {
    call: (i) => send(JSON.stringify(smallArgs(i))),
    bytes: async (u8) => new Uint8Array(await send(u8)),
    events(n) {
      const done = deferred();
      let next = 0;
      push.onmessage = (e) => {
        const m = JSON.parse(e.data);
        if (m.payload.i !== next) done.reject(new Error(`event ${next} arrived as ${m.payload.i}`));
        if (++next === n) done.resolve();
      };
      push.send(JSON.stringify({ op: 'events', n }));
      return done.promise;
    },
    stream(total, chunk) {
      const done = deferred();
      let index = 0;
      let got = 0;
      push.onmessage = (e) => {
        try {
          got += checkChunk(e.data, index++, chunk, total);
        } catch (err) {
          done.reject(err);
        }
        if (got === total) done.resolve();
      };
      push.send(JSON.stringify({ op: 'stream', total, chunk }));
      return done.promise;
    },
    listenCycle: undefined,
  };
}

async function airlockClient() {
  return {
    call: (i) => invoke('echo', smallArgs(i)),
    bytes: async (u8) => new Uint8Array(await invoke('bytes', u8)),
    // Tauri v1's way: a nested Uint8Array is serialized as a JSON number array (both ways).
    bytesJson: async (u8) => new Uint8Array(await invoke('json_bytes', { data: u8 })),
    async events(n) {
      const done = deferred();
      let next = 0;
      const unlisten = await listen('tick', (e) => {
        if (e.payload.i !== next) done.reject(new Error(`event ${next} arrived as ${e.payload.i}`));
        if (++next === n) done.resolve();
      });
      const t0 = now();
      await invoke('emit_events', { n });
      await done.promise;
      const ms = now() - t0;
      await unlisten();
      return ms;
    },
    async stream(total, chunk) {
      const done = deferred();
      let index = 0;
      let got = 0;
      const ch = new Channel((buf) => {
        try {
          got += checkChunk(buf, index++, chunk, total);
        } catch (err) {
          done.reject(err);
        }
        if (got === total) done.resolve();
      });
      await Promise.all([invoke('stream', { ch, total, chunk }), done.promise]);
    },
    async listenCycle() {
      const unlisten = await listen('cycle', () => {});
      await unlisten();
    },
  };
}

async function birpcClient() {
  const ws = await openWs(`ws://${location.host}/birpc`);
  let onTick = () => {};
  let onChunk = () => {};
  const rpc = createBirpc(
    { tick: (p) => onTick(p), chunk: (i, b64) => onChunk(i, b64) },
    {
      post: (data) => ws.send(data),
      on: (fn) => ws.addEventListener('message', (e) => fn(e.data)),
      serialize: JSON.stringify,
      deserialize: JSON.parse,
    },
  );
  return {
    call: (i) => rpc.echo(smallArgs(i)),
    bytes: async (u8) => fromBase64(await rpc.bytes(toBase64(u8))),
    events(n) {
      const done = deferred();
      let next = 0;
      onTick = (p) => {
        if (p.i !== next) done.reject(new Error(`event ${next} arrived as ${p.i}`));
        if (++next === n) done.resolve();
      };
      rpc.emitEvents(n).catch(done.reject);
      return done.promise;
    },
    stream(total, chunk) {
      const done = deferred();
      let index = 0;
      let got = 0;
      onChunk = (i, b64) => {
        try {
          const u8 = fromBase64(b64);
          if (i !== index) throw new Error(`chunk ${index} arrived as ${i}`);
          got += checkChunk(u8, index++, chunk, total);
        } catch (err) {
          done.reject(err);
        }
        if (got === total) done.resolve();
      };
      rpc.stream(total, chunk).catch(done.reject);
      return done.promise;
    },
    listenCycle: undefined,
  };
}

const clients = {
  raw: rawClient,
  airlock: airlockClient,
  host: airlockClient,
  hostFlags: airlockClient,
  hostPipe: airlockClient,
  hostNav: airlockClient,
  hostDiscover: airlockClient,
  hostSession: airlockClient,
  hostInSession: airlockClient,
  isolation: airlockClient,
  compare: airlockClient,
  compareIsolation: airlockClient,
  birpc: birpcClient,
};
let client;
const getClient = async () => (client ??= await clients[variant]());

// ── measurements, shared by every variant so each is timed by the same loop ───────────────────────────────────

function sortedCopy(a) {
  return Float64Array.from(a).sort();
}
const quantile = (s, q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];

function checkEcho(reply, i) {
  if (reply === null || typeof reply !== 'object' || reply.id !== i || reply.text !== 'hello, ipc') {
    throw new Error(`wrong echo for call ${i}: ${JSON.stringify(reply)?.slice(0, 120)}`);
  }
}

let cachedBytes;
const bytesOf = (size) => {
  if (cachedBytes?.length !== size) cachedBytes = makeBytes(size);
  return cachedBytes;
};

const tasks = {
  info() {
    // Smallest step of performance.now() seen (5 µs when cross-origin isolated, 100 µs with jitter otherwise).
    let min = Infinity;
    for (let k = 0; k < 200; k++) {
      const a = now();
      let b = now();
      while (b === a) b = now();
      min = Math.min(min, b - a);
    }
    return {
      variant,
      crossOriginIsolated: self.crossOriginIsolated,
      timerStepUs: min * 1000,
      userAgent: navigator.userAgent,
      gc: typeof gc === 'function',
      preciseMemory: performance.memory !== undefined,
      // A hidden page (a background renderer) gets a lower CPU priority: the window host's pages must be visible.
      visibilityState: document.visibilityState,
    };
  },

  async sequential({ n }) {
    const c = await getClient();
    const rt = new Float64Array(n);
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const t = now();
      const reply = await c.call(i);
      rt[i] = now() - t;
      checkEcho(reply, i);
    }
    const totalMs = now() - t0;
    const s = sortedCopy(rt);
    let sum = 0;
    for (const x of rt) sum += x;
    return {
      n,
      p50Us: quantile(s, 0.5) * 1000,
      p99Us: quantile(s, 0.99) * 1000,
      meanUs: (sum / n) * 1000,
      callsPerSec: (n / totalMs) * 1000,
    };
  },

  async pipelined({ n }) {
    const c = await getClient();
    const calls = new Array(n);
    const t0 = now();
    for (let i = 0; i < n; i++) calls[i] = c.call(i);
    const replies = await Promise.all(calls);
    const totalMs = now() - t0;
    for (let i = 0; i < n; i++) checkEcho(replies[i], i);
    return { n, totalMs, callsPerSec: (n / totalMs) * 1000 };
  },

  /** Scenario 3: `reps` round trips of `size` bytes, one at a time; the median one counts (MB moved both ways). */
  async bytes({ size, json, reps = 1 }) {
    const c = await getClient();
    const fn = json ? c.bytesJson : c.bytes;
    if (fn === undefined) return { skipped: true };
    const src = bytesOf(size);
    const times = [];
    for (let r = 0; r < reps; r++) {
      const t0 = now();
      const got = await fn(src);
      times.push(now() - t0);
      if (!sampleOk(src, got)) throw new Error(`bytes came back changed (${got.length} of ${size})`);
    }
    const ms = sortedCopy(times)[times.length >> 1];
    return { size, reps, ms, allMs: times, mbPerSec: ((2 * size) / 1e6 / ms) * 1000 };
  },

  async events({ n }) {
    const c = await getClient();
    const t0 = now();
    const inner = await c.events(n);
    const ms = typeof inner === 'number' ? inner : now() - t0;
    return { n, ms, eventsPerSec: (n / ms) * 1000 };
  },

  async stream({ total, chunk }) {
    const c = await getClient();
    const t0 = now();
    await c.stream(total, chunk);
    const ms = now() - t0;
    return { total, chunk, ms, mbPerSec: (total / 1e6 / ms) * 1000 };
  },

  /**
   * Diagnosis (`run.mjs --breakdown`): sequential calls split into the page's work until the frame is handed to the
   * socket, the trip through the browser, the network stack and the server until the reply's `onmessage` starts,
   * the client's `onmessage` itself, and the promise chain from there to the caller's `await`. WebSocket.prototype
   * .send is wrapped for the duration, and so is the socket's `onmessage` handler (found through `send`'s `this`);
   * a client that listens with addEventListener (birpc) gets only the first and the total.
   */
  async breakdown({ n }) {
    const c = await getClient();
    const proto = WebSocket.prototype;
    const send = proto.send;
    const wrapped = new WeakSet();
    let tSend = 0;
    let tArrive = 0;
    let tHandled = 0;
    proto.send = function (data) {
      if (tSend === 0) tSend = now();
      if (!wrapped.has(this)) {
        wrapped.add(this);
        const handler = this.onmessage;
        if (typeof handler === 'function') {
          this.onmessage = function (e) {
            tArrive = now();
            handler.call(this, e);
            tHandled = now();
          };
        }
      }
      return send.call(this, data);
    };
    const parts = {
      pre: new Float64Array(n),
      wire: new Float64Array(n),
      handler: new Float64Array(n),
      chain: new Float64Array(n),
      total: new Float64Array(n),
    };
    try {
      for (let i = 0; i < n; i++) {
        tSend = 0;
        tArrive = 0;
        const t0 = now();
        const reply = await c.call(i);
        const t1 = now();
        checkEcho(reply, i);
        parts.pre[i] = tSend - t0;
        parts.total[i] = t1 - t0;
        if (tArrive > 0) {
          parts.wire[i] = tArrive - tSend;
          parts.handler[i] = tHandled - tArrive;
          parts.chain[i] = t1 - tHandled;
        }
      }
    } finally {
      proto.send = send;
    }
    const us = (a) => (tArrive > 0 || a === parts.pre || a === parts.total ? quantile(sortedCopy(a), 0.5) * 1000 : undefined);
    return Object.fromEntries(Object.entries(parts).map(([k, a]) => [`${k}Us`, us(a)]));
  },

  /** Scenario 6: page heap and live callbacks before/after many invokes and listen/unlisten cycles. */
  async memory({ invokes, batch, cycles }) {
    const c = await getClient();
    const heap = async () => {
      for (let k = 0; k < 3; k++) {
        gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      return performance.memory.usedJSHeapSize;
    };
    const internals = window.__TAURI_INTERNALS__;
    const callbacks = () => internals?.callbacks?.size ?? null;
    const heapBefore = await heap();
    const callbacksBefore = callbacks();
    const t0 = now();
    for (let done = 0; done < invokes; done += batch) {
      const calls = [];
      for (let j = 0; j < batch && done + j < invokes; j++) calls.push(c.call(done + j));
      const replies = await Promise.all(calls);
      checkEcho(replies[replies.length - 1], done + replies.length - 1);
    }
    const invokeMs = now() - t0;
    const t1 = now();
    if (c.listenCycle !== undefined) for (let k = 0; k < cycles; k++) await c.listenCycle();
    const cycleMs = now() - t1;
    const heapAfter = await heap();
    return {
      invokes,
      cycles: c.listenCycle === undefined ? 0 : cycles,
      invokeMs,
      cycleMs,
      heapBefore,
      heapAfter,
      callbacksBefore,
      callbacksAfter: callbacks(),
    };
  },
};

// ── control channel to the bench driver ───────────────────────────────────────────────────────────────────────

const control = new WebSocket(`ws://127.0.0.1:${params.get('ctl')}/control`);
const report = (msg) => control.readyState === WebSocket.OPEN && control.send(JSON.stringify(msg));
addEventListener('error', (e) => report({ pageError: String(e.error?.stack ?? e.message) }));
addEventListener('unhandledrejection', (e) => report({ pageError: String(e.reason?.stack ?? e.reason) }));
control.onopen = () => report({ hello: variant, session: params.get('s') });
control.onmessage = async (e) => {
  const msg = JSON.parse(e.data);
  try {
    const task = tasks[msg.task];
    if (task === undefined) throw new Error(`unknown task ${msg.task}`);
    report({ id: msg.id, ok: await task(msg.cfg ?? {}) });
  } catch (err) {
    report({ id: msg.id, err: String(err?.stack ?? err?.message ?? JSON.stringify(err)) });
  }
};
