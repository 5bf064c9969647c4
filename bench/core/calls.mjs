// The core's own cost per small invoke, without Chromium or a socket: the bench's ~100-byte call as a frame into a
// page's connection, its answer parsed as the page would, 1,000 in flight at a time. Prints CPU µs per call and the
// young-generation collections (scavenges) the calls caused, two figures that other load on the machine hardly moves.
//   node --expose-gc --min-semi-space-size=16 --max-semi-space-size=16 bench/core/calls.mjs [checkout=.] [calls=200000] [echo|aecho]
// (a young generation of fixed size, so the scavenge count follows the bytes the calls allocate)
// `echo` is a sync handler, `aecho` an async one; pass another checkout (its dist/ built) for before/after.
import path from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
const root = path.resolve(process.argv[2] ?? '.');
const N = Number(process.argv[3] ?? 200000);
const cmd = process.argv[4] ?? 'echo';
const { Builder } = await import(pathToFileURL(`${root}/dist/index.js`).href);
const { runtimeOf } = await import(pathToFileURL(`${root}/dist/core/app.js`).href);
const commands = { echo: (args) => args, aecho: async (args) => args };
const app = await Builder.default()
  .logger(() => {})
  .invokeHandler(commands)
  .build({ config: {} });
const rt = runtimeOf(app);
const ticket = rt.sessions.issueTicket({ label: 'main', window: 'main' });
const session = rt.sessions.find('ticket', ticket);
const waiting = new Map();
const peer = {
  sendText(frame) {
    queueMicrotask(() => {
      const f = JSON.parse(frame);
      if (f.r !== undefined) {
        const r = waiting.get(f.r);
        waiting.delete(f.r);
        r?.(f.d);
      }
    });
  },
  sendBinary() {},
  close() {},
  bufferedAmount: 0,
  drained: () => Promise.resolve(),
};
const conn = await rt.attach(session, { kind: 'ticket', value: ticket }, 'http://127.0.0.1:0', peer, true);
const args = (id) => ({ id, text: 'hello, ipc', n: 42, flag: true, list: [1, 2, 3], note: 'small invoke payload' });
let next = 1;
function invoke(a) {
  const cb = next++;
  const er = next++;
  if (next > 4e9) next = 1;
  return new Promise((resolve, reject) => {
    waiting.set(cb, resolve);
    waiting.set(er, reject);
    conn.receive(`{"t":"i","c":"${cmd}","cb":${cb},"er":${er},"a":${JSON.stringify(a)}}`);
  }).finally(() => {
    waiting.delete(cb);
    waiting.delete(er);
  });
}
async function run(n) {
  for (let i = 0; i < n; i += 1000) {
    const ps = [];
    for (let j = 0; j < 1000; j++) ps.push(invoke(args(i + j)));
    const out = await Promise.all(ps);
    if (out[999].id !== i + 999) throw new Error('bad reply');
  }
}
await run(50000);
globalThis.gc?.();
let scavenges = 0;
const gcs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
});
gcs.observe({ entryTypes: ['gc'] });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await run(N);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await new Promise((r) => setTimeout(r, 200));
gcs.disconnect();
console.log(
  JSON.stringify({
    checkout: root,
    command: cmd,
    calls: N,
    cpuUsPerCall: +((cpu.user + cpu.system) / N).toFixed(2),
    wallUsPerCall: +((ms * 1000) / N).toFixed(2),
    scavengesPer100kCalls: +((scavenges * 100000) / N).toFixed(1),
    stats: app.stats,
  }),
);
process.exit(0);
