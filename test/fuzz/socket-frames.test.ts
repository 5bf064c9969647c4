// Fuzzing below the JSON: raw WebSocket frames written byte by byte on real sockets to the real server — text frames
// with invalid UTF-8, bad opcodes and reserved bits, unmasked or oversized frames, fragments, truncated frames and
// plain garbage. The WebSocket layer must close each such connection with a code (1002 protocol error, 1007 invalid
// payload, 1009 too big …), the core must release the page, nothing may be thrown unhandled, and a well-behaved
// page connected all along must keep being answered.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startApp, type TestApp, ticketFrom } from '../helpers/app.js';
import { connectWsPage, type WsPage } from '../helpers/ws-page.js';
import { check, collectUncaught } from '../helpers/harness.js';
import { until } from '../helpers/wait.js';

export const SOCKET_RUNS = 1_500;
const SEED = Number(process.env['FUZZ_SEED'] ?? 35_222);

let t: TestApp;
let control: WsPage;
let executed = 0;

before(async () => {
  t = await startApp((b) => b.limits({ maxFrameBytes: 64 * 1024 }).invokeHandler({ ping: () => 'pong', side_effect: () => ++executed }));
  control = await connectWsPage(t.server, `ticket.${ticketFrom(t.server.url('control'))}`);
});

after(async () => {
  await control?.close();
  await t?.[Symbol.asyncDispose]();
});

/** One client → server WebSocket frame (masked, as clients must), with every header bit under the fuzzer's control. */
function frame(opts: { fin: boolean; rsv: number; opcode: number; masked: boolean; payload: Uint8Array; lie?: number }): Buffer {
  const len = opts.lie ?? opts.payload.length;
  const head: number[] = [(opts.fin ? 0x80 : 0) | ((opts.rsv & 7) << 4) | (opts.opcode & 0xf)];
  const m = opts.masked ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else head.push(m | 127, 0, 0, 0, 0, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  const mask = [0x12, 0x34, 0x56, 0x78];
  const body = Buffer.from(opts.payload);
  if (opts.masked) for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([Buffer.from(head), Buffer.from(opts.masked ? mask : []), body]);
}

const invalidUtf8 = fc.constantFrom(
  [0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0x7b, 0x22, 0x74, 0x22, 0x3a, 0xfe, 0x7d],
);

const rawFrame = fc.oneof(
  // text frames whose bytes are not UTF-8
  fc
    .tuple(fc.uint8Array({ maxLength: 40 }), invalidUtf8)
    .map(([a, bad]) => frame({ fin: true, rsv: 0, opcode: 1, masked: true, payload: Uint8Array.from([...a, ...bad]) })),
  // any header bits and opcode over random bytes
  fc
    .record({
      fin: fc.boolean(),
      rsv: fc.nat({ max: 7 }),
      opcode: fc.nat({ max: 15 }),
      masked: fc.boolean(),
      payload: fc.uint8Array({ maxLength: 200 }),
    })
    .map((o) => frame(o)),
  // a length that lies (truncated frame), or that is over maxFrameBytes
  fc
    .tuple(fc.uint8Array({ maxLength: 100 }), fc.constantFrom(1000, 70_000, 0x7fff_ffff))
    .map(([payload, lie]) => frame({ fin: true, rsv: 0, opcode: 2, masked: true, payload, lie })),
  // a call header announcing a body, then anything
  fc
    .uint8Array({ maxLength: 64 })
    .map((body) =>
      Buffer.concat([
        frame({ fin: true, rsv: 0, opcode: 1, masked: true, payload: Buffer.from('{"t":"i","c":"side_effect","cb":1,"er":2,"b":1}') }),
        frame({ fin: false, rsv: 0, opcode: 2, masked: true, payload: body }),
      ]),
    ),
  // plain garbage
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)),
);

/** Opens an authenticated socket by hand, writes `bytes`, and resolves with how the server ended it. */
function hostile(bytes: Buffer[]): Promise<string> {
  const ticket = ticketFrom(t.server.url(`raw-${Math.random().toString(36).slice(2)}`));
  return new Promise((resolve) => {
    const socket = net.connect(t.server.port, '127.0.0.1');
    let response = '';
    let upgraded = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('open after 3 s');
    }, 3000);
    socket.on('connect', () => {
      socket.write(
        `GET /__airlock/ws HTTP/1.1\r\nHost: 127.0.0.1:${t.server.port}\r\nOrigin: ${t.server.origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: airlock.v1, airlock.ticket.${ticket}\r\n\r\n`,
      );
    });
    socket.on('data', (d) => {
      response += d.toString('latin1');
      if (!upgraded && response.includes('\r\n\r\n')) {
        upgraded = true;
        if (!response.startsWith('HTTP/1.1 101')) return;
        for (const b of bytes) socket.write(b);
        // Half-close after the frames, as a client that sent a truncated frame and gave up.
        setTimeout(() => socket.end(), 20);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      // The server's close frame, if any, is 0x88 <len> <code hi> <code lo>.
      const i = response.indexOf('\x88', response.indexOf('\r\n\r\n'));
      const code = i >= 0 && response.length >= i + 4 ? (response.charCodeAt(i + 2) << 8) | response.charCodeAt(i + 3) : undefined;
      resolve(code === undefined ? 'closed' : `closed ${code}`);
    });
  });
}

describe('fuzzing raw WebSocket frames on real sockets', () => {
  test(`${SOCKET_RUNS.toLocaleString('en')} hostile connections: each ends, nothing runs, the core releases them and keeps answering`, async (tc) => {
    const outcomes = new Map<string, number>();
    let sent = 0;
    const { uncaught } = await collectUncaught(async () => {
      await check(
        fc.asyncProperty(fc.array(rawFrame, { minLength: 1, maxLength: 4 }), async (frames) => {
          sent += frames.length;
          const how = await hostile(frames);
          outcomes.set(how, (outcomes.get(how) ?? 0) + 1);
          assert.notEqual(how, 'open after 3 s', 'the connection was left hanging');
        }),
        { numRuns: SOCKET_RUNS, seed: SEED, endOnFailure: true },
      );
    });
    tc.diagnostic(`${sent} raw frames on ${SOCKET_RUNS} connections; outcomes: ${[...outcomes].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    assert.deepEqual(uncaught, []);
    assert.equal(executed, 0, 'no hostile frame ran a command');
    await until(() => t.app.stats.webviews === 1, 'the core to release every hostile page', 10_000);
    assert.deepEqual({ ...t.app.stats }, { webviews: 1, pending: 0, pageListeners: 0, nodeListeners: 0, channels: 0, droppedEvents: 0 });
    assert.equal(await control.invoke('ping'), 'pong', 'the page connected all along is still answered');
  });
});
