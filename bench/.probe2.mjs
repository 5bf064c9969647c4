import http from 'node:http';
import { chromium } from 'playwright-core';
const createServer = http.createServer;
http.createServer = (...args) => { const s = createServer(...args); s.prependListener('request', (_q, r) => r.setHeader('cross-origin-embedder-policy', 'require-corp')); return s; };
const { Builder } = await import('airlock');
const app = await Builder.default().logger(() => {}).invokeHandler({ echo: (a) => a }).build({ config: { app: { security: { pattern: { use: 'isolation', options: { dir: process.cwd() + '/bench/isolation' } } } } }, frontendDist: '/tmp/isoprobe/front' });
const server = await app.serve();
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const p = await b.newPage();
await p.goto(server.url('main'));
await p.waitForFunction(() => window.__TAURI_INTERNALS__);
const N = Number(process.env.N ?? 3000);
const r = await p.evaluate(async (N) => {
  const inv = window.__TAURI_INTERNALS__.invoke;
  const arg = { id: 1, text: 'x'.repeat(60), n: 3, flag: true, list: [1, 2, 3], note: null };
  for (let i = 0; i < 500; i++) await inv('echo', arg);
  const t = [];
  for (let i = 0; i < N; i++) { const s = performance.now(); await inv('echo', arg); t.push(performance.now() - s); }
  t.sort((a, b) => a - b);
  return { p50: t[N >> 1], coi: crossOriginIsolated };
}, N);
console.log('page', r);
const f = p.frames().find((x) => x !== p.mainFrame());
console.log('frame', await f.evaluate(() => { const o = {}; for (const [k, v] of Object.entries(window.__t ?? {})) { o[k] = +(v.reduce((a,b)=>a+b,0)/v.length*1000).toFixed(0); } return { coi: crossOriginIsolated, ...o }; }));
await b.close(); await app.close();
