// The page's own cost per small invoke, without a network or a core: one headless Chromium page with the Airlock
// runtime of a checkout installed over a fake WebSocket that answers each call in a task of its own (a
// MessageChannel message, as a real socket's message would arrive), and three clients taking turns in the same page:
//   raw       JSON.stringify + send, JSON.parse of the echo (the bench's raw-ws client)
//   internals window.__TAURI_INTERNALS__.invoke (the runtime alone)
//   official  invoke from the unmodified @tauri-apps/api (what apps call: the runtime plus the official wrapper)
// Prints, per sequential call of each (median of the rounds), the CPU time of the page's renderer process (from the
// browser's SystemInfo.getProcessInfo, a count that other load on the machine hardly moves) and the wall time (which
// it does move), and what the runtime and the official API cost over raw. The clients alternate within each round.
//   node bench/page/calls.mjs [checkout=.] [calls=50000] [rounds=5]
// Pass another checkout (its dist/ built) for before/after.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const benchRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const root = path.resolve(process.argv[2] ?? '.');
const calls = Number(process.argv[3] ?? 50000);
const rounds = Number(process.argv[4] ?? 5);

// Installed before the runtime captures window.WebSocket. The fake echoes the args of each call back as its result.
const fake = `(() => {
  const reply = JSON.stringify({ id: 7, text: 'hello, ipc', n: 42, flag: true, list: [1, 2, 3], note: 'small invoke payload' });
  const mc = new MessageChannel();
  const queue = [];
  mc.port2.onmessage = () => { const [sock, data] = queue.shift(); sock.onmessage?.({ data }); };
  const deliver = (sock, data) => { queue.push([sock, data]); mc.port1.postMessage(0); };
  class FakeWebSocket {
    static CONNECTING = 0; static OPEN = 1; static CLOSING = 2; static CLOSED = 3;
    constructor() {
      this.readyState = 0;
      setTimeout(() => { this.readyState = 1; this.onopen?.(); deliver(this, '{"hello":{"token":"t","conn":"c"}}'); }, 0);
    }
    send(data) {
      if (typeof data !== 'string') return;
      const at = data.indexOf('"cb":');
      if (at >= 0) deliver(this, '{"r":' + data.slice(at + 5, data.indexOf(',', at)) + ',"d":' + reply + '}');
    }
    close() {}
  }
  window.WebSocket = FakeWebSocket;
  window.__rawSocket = { onmessage: null, send(data) { deliver(this, data); } };
  history.replaceState(null, '', location.pathname + '#__airlock=ticket&label=main');
})();`;

const client = `
import { invoke } from '@tauri-apps/api/core';
const ARGS = { id: 7, text: 'hello, ipc', n: 42, flag: true, list: [1, 2, 3], note: 'small invoke payload' };
const check = (r) => { if (r.id !== 7 || r.note !== 'small invoke payload') throw new Error('bad reply ' + JSON.stringify(r)); };
const sock = window.__rawSocket;
let waiting;
sock.onmessage = (e) => { const w = waiting; waiting = undefined; w(JSON.parse(e.data)); };
const clients = {
  raw: (a) => new Promise((resolve) => { waiting = resolve; sock.send(JSON.stringify(a)); }),
  internals: (a) => window.__TAURI_INTERNALS__.invoke('echo', a),
  official: (a) => invoke('echo', a),
};
async function loop(fn, n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) check(await fn(ARGS));
  return ((performance.now() - t0) * 1000) / n;
}
window.warm = async () => {
  for (const fn of Object.values(clients)) await loop(fn, 2000);
};
window.runOne = (key, n) => loop(clients[key], n);`;

const bundled = await build({
  stdin: { contents: client, resolveDir: benchRoot, loader: 'js' },
  bundle: true,
  format: 'esm',
  write: false,
  logLevel: 'warning',
});
const runtime = readFileSync(path.join(root, 'dist', 'runtime', 'webview.js'), 'utf8');
const config = { pattern: 'brownfield', os: 'linux', sep: '/', delimiter: ':' };
const html = `<!doctype html><script>${fake}</script><script>(function(){${runtime}\n__airlockRuntime.install(${JSON.stringify(config)});})();</script><script type="module" src="/client.js"></script>`;
const server = http.createServer((req, res) => {
  // cross-origin isolated, so performance.now() steps by 5 µs
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-embedder-policy', 'require-corp');
  if (req.url === '/client.js') {
    res.setHeader('content-type', 'text/javascript');
    res.end(bundled.outputFiles[0]?.text);
  } else {
    res.setHeader('content-type', 'text/html');
    res.end(html);
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => typeof window.runOne === 'function' && window.__TAURI_INTERNALS__ !== undefined);
  await page.evaluate(() => window.warm());
  const cdp = await browser.newBrowserCDPSession();
  const rendererCpu = async () => {
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    return processInfo.filter((p) => p.type === 'renderer').reduce((sum, p) => sum + p.cpuTime, 0);
  };
  const keys = ['raw', 'internals', 'official'];
  const cpu = { raw: [], internals: [], official: [] };
  const wall = { raw: [], internals: [], official: [] };
  for (let r = 0; r < rounds; r++)
    for (let k = 0; k < keys.length; k++) {
      const key = keys[(k + r) % keys.length];
      const before = await rendererCpu();
      wall[key].push(await page.evaluate(([c, n]) => window.runOne(c, n), [key, calls]));
      cpu[key].push((((await rendererCpu()) - before) * 1e6) / calls);
    }
  const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  const med = (o) => Object.fromEntries(Object.entries(o).map(([k, a]) => [k, +median(a).toFixed(2)]));
  const c = med(cpu);
  console.log(
    JSON.stringify({
      checkout: root,
      calls,
      rounds,
      rendererCpuUsPerCall: c,
      wallUsPerCall: med(wall),
      runtimeOverRawCpuUs: +(c.internals - c.raw).toFixed(2),
      officialOverRawCpuUs: +(c.official - c.raw).toFixed(2),
    }),
  );
} finally {
  await browser.close();
  server.close();
}
