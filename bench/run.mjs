#!/usr/bin/env node
// `npm run bench` — Airlock against the limit of its architecture (a raw WebSocket echo) and a peer (birpc), side by
// side in one run, in real headless Chromium started without a DevTools driver. See bench/README.md.
//
//   node bench/run.mjs [--quick] [--runs=N] [--only=raw,airlock,birpc] [--scenarios=1,2,3,4,5,6]
//                      [--profile] [--no-coi] [--isolation] [--json=FILE] [--strict]
//
// --quick      small counts, 1 run, < 60 s: a smoke test for CI (writes bench/results/quick.json)
// --profile    runs the server processes under `node --cpu-prof` (profiles in bench/results/profiles/)
// --no-coi     leaves COEP off every page: performance.now() then has 100 µs steps with jitter (for comparison)
// --isolation  adds "(c) Airlock isolation" even before the bench knows the pattern exists
// --strict     exit code 1 when a target is missed (the default fails only on errors)
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { WebSocketServer } from 'ws';
import { CHROMIUM_FLAGS, chromiumVersion, launchChromium } from './lib/browser.mjs';
import { evaluate, printTable } from './lib/report.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(benchDir);
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }),
);

// Set to true when the isolation pattern lands (src/isolation/): the bench then runs it as variant (c).
const ISOLATION_AVAILABLE = false;

const MiB = 1024 * 1024;
const FULL = {
  runs: 5,
  warmup: { sequential: 2000, pipelined: 2000, bytes: 1 * MiB, events: 5000, stream: 4 * MiB },
  sequential: 10_000,
  pipelined: 10_000,
  bytes: 10 * MiB,
  bytesJsonRuns: 5,
  events: 100_000,
  stream: { total: 100 * MiB, chunk: 64 * 1024 },
  memory: { invokes: 1_000_000, batch: 1000, cycles: 10_000 },
  taskTimeoutMs: 120_000,
};
const QUICK = {
  runs: 1,
  warmup: { sequential: 300, pipelined: 300, bytes: 256 * 1024, events: 1000, stream: 1 * MiB },
  sequential: 1000,
  pipelined: 1000,
  bytes: 1 * MiB,
  bytesJsonRuns: 1,
  events: 5000,
  stream: { total: 8 * MiB, chunk: 64 * 1024 },
  memory: { invokes: 20_000, batch: 1000, cycles: 200 },
  taskTimeoutMs: 30_000,
};
const cfg = structuredClone(args.quick ? QUICK : FULL);
if (args.runs !== undefined) cfg.runs = Number(args.runs);
const coi = !args['no-coi'];
const scenarios = new Set(String(args.scenarios ?? '1,2,3,4,5,6').split(',').map(Number));

const VARIANTS = [
  { key: 'raw', label: 'raw ws', server: 'peer' },
  { key: 'airlock', label: 'Airlock brownfield', server: 'airlock' },
  { key: 'isolation', label: 'Airlock isolation', server: 'isolation', enabled: ISOLATION_AVAILABLE || args.isolation === true },
  { key: 'birpc', label: 'birpc 4.2.0', server: 'peer' },
];
const only = args.only === undefined ? undefined : new Set(String(args.only).split(','));
const active = VARIANTS.filter((v) => v.enabled !== false && (only === undefined || only.has(v.key)));
/** Scenario 6 is an absolute target on Airlock (RSS growth, leaks), so it runs for the Airlock variants. */
const MEMORY_VARIANTS = new Set(['airlock', 'isolation']);

const log = (line) => process.stderr.write(`${line}\n`);
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s`;

// ── the page bundle: the official @tauri-apps/api and birpc, bundled by esbuild ───────────────────────────────

function warnIfStale() {
  const dist = path.join(root, 'dist', 'index.js');
  if (!existsSync(dist)) {
    log('dist/ is missing: run `npm run build` first');
    process.exit(2);
  }
  const built = statSync(dist).mtimeMs;
  const newest = (dir) =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  if (newest(path.join(root, 'src')) > built) log('warning: src/ changed after the last build; run `npm run build` to bench the current code');
}

async function bundlePage() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-page-'));
  writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html>\n<html><head><meta charset="utf-8"><title>Airlock bench</title><script src="/page.js"></script></head><body></body></html>\n',
  );
  await build({
    entryPoints: [path.join(benchDir, 'page', 'main.js')],
    outfile: path.join(dir, 'page.js'),
    bundle: true,
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
  });
  return dir;
}

// ── server processes ────────────────────────────────────────────────────────────────────────────────────────────

const children = [];
function startServer(name, file, argv) {
  const execArgv = ['--expose-gc'];
  if (args.profile) {
    const dir = path.join(benchDir, 'results', 'profiles');
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`);
  }
  const child = fork(path.join(benchDir, 'servers', file), argv, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  const pending = new Map();
  let nextId = 1;
  child.on('message', (m) => {
    const p = pending.get(m.id);
    if (p === undefined) return;
    pending.delete(m.id);
    if (m.err !== undefined) p.reject(new Error(`${name}: ${m.err}`));
    else p.resolve(m.ok);
  });
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code} before it was ready`)));
  });
  return ready.then((hello) => ({
    name,
    origin: hello.origin,
    request: (op, extra = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, op, ...extra });
      }),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ id: 0, op: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  }));
}

// ── the control socket: pages say hello, take tasks and report results ───────────────────────────────────────

function controlServer() {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, path: '/control' });
  const state = { socket: undefined, hello: new Map(), pending: new Map(), nextId: 1, errors: [] };
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.hello !== undefined) {
        state.socket = ws;
        state.hello.get(m.session)?.(m);
      } else if (m.pageError !== undefined) {
        state.errors.push(m.pageError);
        log(`  [page error] ${m.pageError.split('\n')[0]}`);
      } else {
        const p = state.pending.get(m.id);
        if (p === undefined) return;
        state.pending.delete(m.id);
        if (m.err !== undefined) p.reject(new Error(m.err));
        else p.resolve(m.ok);
      }
    });
    ws.on('close', () => {
      if (state.socket !== ws) return;
      state.socket = undefined;
      for (const [id, p] of state.pending) {
        state.pending.delete(id);
        p.reject(new Error('the page went away during the task'));
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        state,
        close: () => {
          for (const ws of wss.clients) ws.terminate();
          wss.close();
          server.close();
        },
      }),
    ),
  );
}

// ── main ────────────────────────────────────────────────────────────────────────────────────────────────────────

warnIfStale();
const pageDir = await bundlePage();
const control = await controlServer();
let browser;
let session = 0;
let pageBroken = false;
const errors = [];

const servers = {};
const results = Object.fromEntries(active.map((v) => [v.key, { info: undefined, runs: [], memory: undefined }]));
let exitCode = 0;

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function pageUrl(variant, s) {
  const query = `/index.html?v=${variant.key}&ctl=${control.port}&s=${s}`;
  const server = servers[variant.server];
  return variant.server === 'peer' ? `${server.origin}${query}` : server.request('url', { path: query });
}

/** Shows `variant` in the browser (navigating the one tab, or launching Chromium) and waits for its hello. */
async function openPage(variant) {
  const s = String(++session);
  const url = await pageUrl(variant, s);
  const hello = new Promise((resolve) => control.state.hello.set(s, resolve));
  if (browser === undefined || pageBroken || control.state.socket === undefined) {
    await browser?.kill();
    browser = launchChromium(url);
    pageBroken = false;
  } else {
    control.state.socket.send(JSON.stringify({ navigate: url }));
  }
  try {
    await withTimeout(hello, 30_000, `page ${variant.key}`);
  } catch (error) {
    log(`  chromium stderr tail:\n${browser.stderrTail()}`);
    throw error;
  } finally {
    control.state.hello.delete(s);
  }
}

function task(name, taskCfg = {}, timeoutMs = cfg.taskTimeoutMs) {
  const { state } = control;
  if (state.socket === undefined) return Promise.reject(new Error('no page connected'));
  const id = state.nextId++;
  const done = new Promise((resolve, reject) => state.pending.set(id, { resolve, reject }));
  state.socket.send(JSON.stringify({ id, task: name, cfg: taskCfg }));
  return withTimeout(done, timeoutMs, `task ${name}`).catch((error) => {
    state.pending.delete(id);
    pageBroken = true;
    throw error;
  });
}

/** One page of one variant: warm-up, then scenarios 1–5, each measured once. */
async function measurePage(variant, run) {
  await openPage(variant);
  const entry = results[variant.key];
  entry.info ??= await task('info');
  const w = cfg.warmup;
  await task('sequential', { n: w.sequential });
  await task('pipelined', { n: w.pipelined });
  const out = { run };
  const step = async (key, name, taskCfg) => {
    try {
      out[key] = await task(name, taskCfg);
    } catch (error) {
      out[key] = { error: String(error.message).split('\n')[0] };
      errors.push(`${variant.key} run ${run} ${key}: ${error.message}`);
      log(`  ${variant.key} ${key} FAILED: ${error.message.split('\n')[0]}`);
      if (pageBroken) await openPage(variant);
    }
  };
  if (scenarios.has(1)) await step('sequential', 'sequential', { n: cfg.sequential });
  if (scenarios.has(2)) await step('pipelined', 'pipelined', { n: cfg.pipelined });
  if (scenarios.has(3)) {
    await task('bytes', { size: w.bytes });
    await step('bytes', 'bytes', { size: cfg.bytes });
    if (variant.server !== 'peer' && run < cfg.bytesJsonRuns) await step('bytesJson', 'bytes', { size: cfg.bytes, json: true });
  }
  if (scenarios.has(4)) {
    await task('events', { n: w.events });
    await step('events', 'events', { n: cfg.events });
  }
  if (scenarios.has(5)) {
    await task('stream', { total: w.stream, chunk: cfg.stream.chunk });
    await step('stream', 'stream', cfg.stream);
  }
  entry.runs.push(out);
  const f = (x, d = 0) => (typeof x === 'number' ? x.toFixed(d) : '-');
  log(
    `${elapsed()} run ${run + 1}/${cfg.runs} ${variant.key.padEnd(9)} p50 ${f(out.sequential?.p50Us)} µs  p99 ${f(out.sequential?.p99Us)} µs  ` +
      `pipelined ${f(out.pipelined?.callsPerSec)}/s  10MiB ${f(out.bytes?.mbPerSec)} MB/s${out.bytesJson ? ` (JSON ${f(out.bytesJson.mbPerSec, 1)})` : ''}  ` +
      `events ${f(out.events?.eventsPerSec)}/s  stream ${f(out.stream?.mbPerSec)} MB/s`,
  );
}

/** Scenario 6 on a fresh page: Node RSS and page heap around 1,000,000 invokes and 10,000 listen/unlisten cycles. */
async function measureMemory(variant) {
  await openPage(variant);
  results[variant.key].info ??= await task('info');
  await task('sequential', { n: cfg.warmup.sequential });
  const server = servers[variant.server];
  const before = await server.request('memory');
  const m = cfg.memory;
  const page = await task('memory', m, 600_000);
  const after = await server.request('memory');
  results[variant.key].memory = { ...m, page, nodeBefore: before, nodeAfter: after };
  const mb = (b) => (b / 1e6).toFixed(1);
  log(
    `${elapsed()} memory ${variant.key}: ${m.invokes} invokes in ${(page.invokeMs / 1000).toFixed(1)} s, ${page.cycles} listen/unlisten in ${(page.cycleMs / 1000).toFixed(1)} s; ` +
      `node RSS ${mb(before.rss)} → ${mb(after.rss)} MB, page heap ${mb(page.heapBefore)} → ${mb(page.heapAfter)} MB, ` +
      `callbacks ${page.callbacksBefore} → ${page.callbacksAfter}, core ${JSON.stringify(after.stats)}`,
  );
}

try {
  const coepArg = coi ? '1' : '0';
  const needed = new Set(active.map((v) => v.server));
  const starting = [];
  if (needed.has('peer')) starting.push(startServer('peer', 'peer.mjs', [pageDir, coepArg]).then((s) => (servers.peer = s)));
  if (needed.has('airlock')) starting.push(startServer('airlock', 'airlock.mjs', [pageDir, coepArg, 'brownfield']).then((s) => (servers.airlock = s)));
  if (needed.has('isolation')) {
    const isoDir = path.join(benchDir, 'isolation');
    starting.push(startServer('isolation', 'airlock.mjs', [pageDir, coepArg, 'isolation', isoDir]).then((s) => (servers.isolation = s)));
  }
  await Promise.all(starting);
  await Promise.all(Object.values(servers).map((s) => s.request('prepare', { size: cfg.stream.total })));
  log(`${elapsed()} servers up (${Object.keys(servers).join(', ')}); ${cfg.runs} run(s), variants ${active.map((v) => v.key).join(', ')}`);

  if ([1, 2, 3, 4, 5].some((s) => scenarios.has(s))) {
    for (let run = 0; run < cfg.runs; run++) {
      // Rotate the order each run so no variant always goes first (or right after another's burst).
      const order = active.map((_, i) => active[(i + run) % active.length]);
      for (const variant of order) await measurePage(variant, run);
    }
  }
  if (scenarios.has(6)) {
    for (const variant of active) {
      if (!MEMORY_VARIANTS.has(variant.key)) continue;
      try {
        await measureMemory(variant);
      } catch (error) {
        errors.push(`${variant.key} memory: ${error.message}`);
        log(`  ${variant.key} memory FAILED: ${error.message.split('\n')[0]}`);
      }
    }
  }
} catch (error) {
  errors.push(String(error?.stack ?? error));
  log(`bench failed: ${error?.stack ?? error}`);
} finally {
  await browser?.kill();
  await Promise.all(Object.values(servers).map((s) => s.stop().catch(() => {})));
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  control.close();
  rmSync(pageDir, { recursive: true, force: true });
}

const readVersion = (pkg) => {
  try {
    return JSON.parse(readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
};
const env = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
  chromium: chromiumVersion(),
  chromiumFlags: CHROMIUM_FLAGS,
  crossOriginIsolated: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.info?.crossOriginIsolated])),
  timerStepUs: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.info?.timerStepUs])),
  packages: { ws: readVersion('ws'), birpc: readVersion('birpc'), '@tauri-apps/api': readVersion('@tauri-apps/api'), esbuild: readVersion('esbuild') },
  mode: args.quick ? 'quick' : 'full',
  wallSeconds: Math.round((Date.now() - t0) / 1000),
};
const variants = VARIANTS.map((v) => ({ key: v.key, label: v.label, ran: active.includes(v) }));
const evaluation = evaluate({ variants, results, cfg });
printTable({ variants, evaluation, cfg, env });
const out = { env, config: cfg, variants, evaluation, results, errors };
const jsonPath = args.json ?? path.join(benchDir, 'results', args.quick ? 'quick.json' : 'latest.json');
mkdirSync(path.dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify(out, null, 1)}\n`);
log(`wrote ${path.relative(process.cwd(), jsonPath)} (${env.wallSeconds} s)`);
if (errors.length > 0) {
  log(`${errors.length} error(s):\n  ${errors.map((e) => e.split('\n')[0]).join('\n  ')}`);
  exitCode = 1;
}
if (args.strict && evaluation.targets.some((t) => t.met === false)) exitCode = 1;
process.exit(exitCode);
