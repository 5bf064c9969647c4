// The comparison server: one node:http + `ws` server on 127.0.0.1 that serves the bench page and
//   /raw/echo  a plain echo (text and binary frames go back as they came) — scenarios 1–3;
//   /raw/push  events and a stream for scenarios 4–5, on request;
//   /birpc     birpc 4.2.0 with JSON over the same `ws` server.
// `ws` is configured as Airlock configures it (no permessage-deflate, the same maxPayload).
// Usage (by run.mjs): node --expose-gc peer.mjs <pageDir> <coep 0|1>
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createBirpc } from 'birpc';
import { WebSocket, WebSocketServer } from 'ws';
import { eventPayload, makeBytes } from '../lib/workload.mjs';
import { drained, instrumentServerTime, memorySampler, memorySnapshot, serveDriver } from './common.mjs';

const serverTime = process.env.BENCH_BREAKDOWN === '1' ? instrumentServerTime(WebSocket) : undefined;

const [pageDir = '.', coep = '1'] = process.argv.slice(2);
const files = {
  '/': ['text/html; charset=utf-8', readFileSync(path.join(pageDir, 'index.html'))],
  '/index.html': ['text/html; charset=utf-8', readFileSync(path.join(pageDir, 'index.html'))],
  '/page.js': ['text/javascript; charset=utf-8', readFileSync(path.join(pageDir, 'page.js'))],
};
// The headers Airlock sends with every response, plus COEP so that the page is cross-origin isolated and its
// performance.now() has 5 µs steps (the Airlock page gets the same header from the bench, see airlock.mjs).
const headers = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-cache',
  ...(coep === '1' ? { 'cross-origin-embedder-policy': 'require-corp' } : {}),
};

const server = http.createServer((req, res) => {
  const file = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
  if (file === undefined) {
    res.writeHead(404, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': file[0], 'content-length': file[1].length });
  res.end(file[1]);
});

let source = new Uint8Array(0);
const sourceOf = (size) => {
  if (source.length < size) source = makeBytes(size);
  return source;
};

async function streamChunks(ws, total, chunk, send) {
  const src = sourceOf(total);
  for (let off = 0, i = 0; off < total; off += chunk, i++) {
    send(i, src.subarray(off, Math.min(total, off + chunk)));
    await drained(ws);
  }
}

function rawEcho(ws) {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
}

function rawPush(ws) {
  ws.on('message', (data) => {
    const req = JSON.parse(data.toString());
    if (req.op === 'events') {
      for (let i = 0; i < req.n; i++) ws.send(JSON.stringify({ event: 'tick', payload: eventPayload(i) }));
    } else if (req.op === 'stream') {
      void streamChunks(ws, req.total, req.chunk, (_i, bytes) => ws.send(bytes, { binary: true }));
    }
  });
}

function birpc(ws) {
  const page = createBirpc(
    {
      echo: (args) => args,
      bytes: (b64) => Buffer.from(b64, 'base64').toString('base64'),
      emitEvents(n) {
        for (let i = 0; i < n; i++) void page.tick.asEvent(eventPayload(i));
        return n;
      },
      async stream(total, chunk) {
        await streamChunks(
          ws,
          total,
          chunk,
          (i, bytes) => void page.chunk.asEvent(i, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')),
        );
        return total;
      },
    },
    {
      post: (data) => ws.send(data),
      on: (fn) => ws.on('message', (data) => fn(data.toString())),
      serialize: JSON.stringify,
      deserialize: JSON.parse,
    },
  );
  ws.on('close', () => page.$close());
}

const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024, perMessageDeflate: false });
const routes = { '/raw/echo': rawEcho, '/raw/push': rawPush, '/birpc': birpc };
server.on('upgrade', (req, socket, head) => {
  const route = routes[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
  if (route === undefined) return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => route(ws));
});

await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const sampler = memorySampler();
serveDriver({
  memory: () => memorySnapshot(),
  prepare: ({ size }) => void sourceOf(size),
  serverTime: () => serverTime?.take(),
  samplingStart: () => sampler.start(),
  samplingStop: () => sampler.stop(),
  exit: () => setImmediate(() => process.exit(0)),
});
process.send({ ready: true, origin: `http://127.0.0.1:${port}` });
