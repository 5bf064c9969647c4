#!/usr/bin/env node
// `npm run bench` — Airlock against the limit of its architecture (a raw WebSocket echo) and a peer (birpc), side by
// side in one run, in real headless Chromium started without a DevTools driver. See bench/README.md.
//
//   node bench/run.mjs [--quick] [--runs=N] [--only=raw,airlock,host,isolation,birpc] [--scenarios=1,2,3,4,5,6]
//                      [--profile] [--no-coi] [--isolation] [--json=FILE] [--strict]
//
// --quick      small counts, 1 run, < 60 s: a smoke test for CI (writes bench/results/quick.json)
// --profile    runs the server processes under `node --cpu-prof` (profiles in bench/results/profiles/)
// --no-coi     leaves COEP off every page: performance.now() then has 100 µs steps with jitter (for comparison)
// --host-control  adds diagnosis variants that take the window host (variant host) apart step by step (lib/host.mjs)
// --isolation  adds "(c) Airlock isolation" even before the bench knows the pattern exists
// --compare=DIR  adds the brownfield app built from another checkout's dist/ as one more variant (before/after)
// --report=FILE  prints the table of a saved results JSON again, measuring nothing (with --json=OUT: rewrites its
//              evaluation with this version's report code)
// --strict     exit code 1 when a target is missed (the default fails only on errors)
// --memory-control  also runs scenario 6 on the raw-ws page (the same invokes as plain echoes): what Node and `ws`
//              themselves grow by, for comparison (adds about as long as the Airlock memory run)
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { WebSocketServer } from 'ws';
import { CHROMIUM, CHROMIUM_FLAGS, chromiumVersion, launchChromium } from './lib/browser.mjs';
import { launchHostFlags, launchHosted } from './lib/host.mjs';
import { cpuSnapshot, foreignShare } from './lib/load.mjs';
import { evaluate, printTable } from './lib/report.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(benchDir);
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }),
);

// The isolation pattern (variant c) exists since the isolation work landed; set to false to leave it out.
const ISOLATION_AVAILABLE = true;

const MiB = 1024 * 1024;
// Counts per scenario (those of the issue). `runs` rounds; each round every variant takes every scenario in turn.
// To keep a full run near 5 minutes on 2 cores, the slow rows (`runsFor`) and the variants without a ratio target
// against raw ws (`variantRuns`: isolation is compared with brownfield, birpc with Airlock) take part in fewer
// rounds, always the last ones; each median is over the rounds it has, and the JSON lists them. Scenario 6 runs once, after the rounds; the isolation
// variant gets a smaller count there, because it has no memory target of its own and is ~5× slower per call.
const FULL = {
  runs: 5,
  runsFor: { events: 3, stream: 3, bytesJson: 1 },
  variantRuns: { isolation: 3, birpc: 3, compareIsolation: 3 },
  warmup: { sequential: 2000, pipelined: 2000, bytes: 1 * MiB, events: 5000, stream: 4 * MiB },
  sequential: 10_000,
  pipelined: 10_000,
  bytes: 10 * MiB,
  bytesReps: 3,
  jsonVariants: ['airlock', 'compare'],
  events: 100_000,
  stream: { total: 100 * MiB, chunk: 64 * 1024 },
  memory: { invokes: 1_000_000, batch: 1000, cycles: 10_000 },
  memoryIsolation: { invokes: 20_000, batch: 1000, cycles: 1000 },
  taskTimeoutMs: 120_000,
};
const QUICK = {
  runs: 1,
  runsFor: {},
  variantRuns: {},
  warmup: { sequential: 300, pipelined: 300, bytes: 256 * 1024, events: 1000, stream: 1 * MiB },
  sequential: 1000,
  pipelined: 1000,
  bytes: 1 * MiB,
  bytesReps: 1,
  jsonVariants: ['airlock', 'compare'],
  events: 5000,
  stream: { total: 8 * MiB, chunk: 64 * 1024 },
  memory: { invokes: 10_000, batch: 1000, cycles: 200 },
  memoryIsolation: { invokes: 2000, batch: 500, cycles: 50 },
  taskTimeoutMs: 30_000,
};
const cfg = structuredClone(args.quick ? QUICK : FULL);
if (args.runs !== undefined) cfg.runs = Number(args.runs);
const runsOf = (key, variant) => Math.min(cfg.runs, cfg.runsFor[key] ?? cfg.runs, cfg.variantRuns[variant] ?? cfg.runs);
const coi = !args['no-coi'];
const scenarios = new Set(
  String(args.scenarios ?? '1,2,3,4,5,6')
    .split(',')
    .map(Number),
);

const VARIANTS = [
  { key: 'raw', label: 'raw ws', server: 'peer' },
  { key: 'airlock', label: 'Airlock brownfield', server: 'airlock' },
  // The brownfield app and page, the page in a window of the CLI's window host (`airlock dev`'s ChromiumHost, its
  // DevTools pipe attached for the whole run): what a user of the CLI runs. Compared with brownfield.
  { key: 'host', label: 'Airlock + window host', server: 'host' },
  // Diagnosis (`--host-control`): the window host taken apart, one step of it each (lib/host.mjs, README).
  { key: 'hostFlags', label: 'host flags, no pipe', server: 'hostFlags', enabled: args['host-control'] === true },
  { key: 'hostPipe', label: 'host flags, idle pipe', server: 'hostPipe', enabled: args['host-control'] === true },
  { key: 'hostNav', label: 'host flags, pipe: navigate', server: 'hostNav', enabled: args['host-control'] === true },
  { key: 'hostDiscover', label: 'host flags, pipe: discover', server: 'hostDiscover', enabled: args['host-control'] === true },
  { key: 'hostSession', label: 'host flags, own session', server: 'hostSession', enabled: args['host-control'] === true },
  { key: 'hostInSession', label: "host, driver's session", server: 'hostInSession', enabled: args['host-control'] === true },
  { key: 'isolation', label: 'Airlock isolation', server: 'isolation', enabled: ISOLATION_AVAILABLE || args.isolation === true },
  { key: 'birpc', label: 'birpc 4.2.0', server: 'peer' },
  // Before/after: the same brownfield app, built from another checkout (`--compare=<dir>`, its dist/ built).
  {
    key: 'compare',
    label: `Airlock @ ${path.basename(String(args.compare ?? ''))}`,
    server: 'compare',
    enabled: typeof args.compare === 'string',
  },
  // …and that checkout's isolation app, for before/after numbers of the isolated path.
  {
    key: 'compareIsolation',
    label: `isolation @ ${path.basename(String(args.compare ?? ''))}`,
    server: 'compareIsolation',
    enabled: typeof args.compare === 'string',
  },
];
/** Columns shown only when their variant ran (the others show n/a when left out). */
const OPTIONAL_COLUMNS = new Set([
  'compare',
  'compareIsolation',
  'hostFlags',
  'hostPipe',
  'hostNav',
  'hostDiscover',
  'hostSession',
  'hostInSession',
]);
const only = args.only === undefined ? undefined : new Set(String(args.only).split(','));
const active = VARIANTS.filter((v) => v.enabled !== false && (only === undefined || only.has(v.key)));
/** Scenario 6 is an absolute target on Airlock (RSS growth, leaks), so it runs for the Airlock variants. */
const SETTLE_MS = args.quick ? 200 : 1000;
const MEMORY_VARIANTS = new Set(['airlock', 'isolation', 'compare', ...(args['memory-control'] ? ['raw'] : [])]);

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
  if (newest(path.join(root, 'src')) > built)
    log('warning: src/ changed after the last build; run `npm run build` to bench the current code');
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
function startServer(name, file, argv, extraEnv = {}) {
  const execArgv = ['--expose-gc'];
  if (args.profile) {
    const dir = path.join(benchDir, 'results', 'profiles');
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`);
  }
  const env = { ...process.env, ...extraEnv, BENCH_BREAKDOWN: args.breakdown ? '1' : '0' };
  const child = fork(path.join(benchDir, 'servers', file), argv, { env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
  const state = { hello: new Map(), pending: new Map(), nextId: 1, errors: [] };
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.hello !== undefined) {
        state.hello.get(m.session)?.(ws);
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
      for (const [id, p] of state.pending) {
        if (p.socket !== ws) continue;
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

if (typeof args.report === 'string') {
  // Prints the table of an earlier run again (with this version's evaluation) without measuring anything.
  const saved = JSON.parse(readFileSync(args.report, 'utf8'));
  const variants = saved.variants.filter((v) => !OPTIONAL_COLUMNS.has(v.key) || v.ran);
  const evaluation = evaluate({ variants, results: saved.results, cfg: saved.config });
  printTable({ variants, evaluation, cfg: saved.config, env: saved.env });
  if (typeof args.json === 'string') writeFileSync(args.json, `${JSON.stringify({ ...saved, variants, evaluation }, null, 1)}\n`);
  process.exit(0);
}

warnIfStale();
const pageDir = await bundlePage();
const control = await controlServer();
/** One Chromium per variant, each showing that variant's page for the whole run. */
const pages = new Map();
let session = 0;
const errors = [];
/** The diagnosis variants of `--host-control` (lib/host.mjs). */
const HOST_CONTROLS = {
  hostFlags: {},
  hostPipe: { pipe: true },
  hostNav: { pipe: true, step: 'navigate' },
  hostDiscover: { pipe: true, step: 'discover' },
  hostSession: { detached: true },
};
/** The window host's Chromium flags (variant host), for the JSON. */
let hostChromiumFlags;

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

/**
 * Starts a Chromium showing `variant`'s page and waits for its hello. Each variant has its own browser, started
 * with the URL on its command line: Airlock refuses a navigation another site started (`Sec-Fetch-Site:
 * same-site` from the raw page's port is refused, by design), and separate browsers share no state. They all stay
 * up, so the variants can take turns scenario by scenario; an idle headless page costs next to nothing.
 */
async function openPage(variant) {
  await pages.get(variant.key)?.browser.kill();
  const s = String(++session);
  const url = await pageUrl(variant, s);
  const hello = new Promise((resolve) => control.state.hello.set(s, resolve));
  const browser =
    variant.key === 'host' || variant.key === 'hostInSession'
      ? await launchHosted(root, CHROMIUM, url, { sameSession: variant.key === 'hostInSession' })
      : variant.key in HOST_CONTROLS
        ? await launchHostFlags(root, url, HOST_CONTROLS[variant.key])
        : launchChromium(url);
  if (variant.key === 'host') hostChromiumFlags = browser.flags;
  pages.set(variant.key, { browser, socket: undefined });
  try {
    pages.get(variant.key).socket = await withTimeout(hello, 30_000, `page ${variant.key}`);
  } catch (error) {
    log(`  chromium stderr tail:\n${browser.stderrTail()}`);
    throw error;
  } finally {
    control.state.hello.delete(s);
  }
  // Let the browser finish starting up (its own start-up work competes for the 2 cores).
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  results[variant.key].info ??= await task(variant, 'info');
  // Which session the browser runs in (the window host's is its own: see README, "The window host").
  results[variant.key].info.browserSession ??= sessionOf(browser.pid);
  await task(variant, 'sequential', { n: cfg.warmup.sequential });
  await task(variant, 'pipelined', { n: cfg.warmup.pipelined });
}

/** The session id of a process (Linux `/proc/<pid>/stat`), and whether it is the driver's. */
function sessionOf(pid) {
  const sid = (p) => {
    try {
      return Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ')[3]);
    } catch {
      return undefined;
    }
  };
  const own = sid(pid);
  return own === undefined ? undefined : { sid: own, driversSession: own === sid(process.pid) };
}

function task(variant, name, taskCfg = {}, timeoutMs = cfg.taskTimeoutMs) {
  const socket = pages.get(variant.key)?.socket;
  if (socket === undefined || socket.readyState !== socket.OPEN) return Promise.reject(new Error(`no ${variant.key} page connected`));
  const { state } = control;
  const id = state.nextId++;
  const done = new Promise((resolve, reject) => state.pending.set(id, { resolve, reject, socket }));
  socket.send(JSON.stringify({ id, task: name, cfg: taskCfg }));
  return withTimeout(done, timeoutMs, `${variant.key} task ${name}`).catch((error) => {
    state.pending.delete(id);
    throw error;
  });
}

/** The measured scenarios, in the order each run takes them; every variant takes each in turn before the next. */
const SCENARIOS = [
  { scenario: 1, key: 'sequential', task: 'sequential', cfg: () => ({ n: cfg.sequential }) },
  { scenario: 2, key: 'pipelined', task: 'pipelined', cfg: () => ({ n: cfg.pipelined }) },
  {
    scenario: 3,
    key: 'bytes',
    task: 'bytes',
    cfg: () => ({ size: cfg.bytes, reps: cfg.bytesReps }),
    warm: () => ({ size: cfg.warmup.bytes }),
  },
  { scenario: 3, key: 'bytesJson', task: 'bytes', cfg: () => ({ size: cfg.bytes, json: true }), variants: cfg.jsonVariants },
  { scenario: 4, key: 'events', task: 'events', cfg: () => ({ n: cfg.events }), warm: () => ({ n: cfg.warmup.events }) },
  {
    scenario: 5,
    key: 'stream',
    task: 'stream',
    cfg: () => cfg.stream,
    warm: () => ({ total: cfg.warmup.stream, chunk: cfg.stream.chunk }),
  },
];

/** The record of one run of one variant, created on first use. */
function runRecord(variant, run) {
  const runs = results[variant.key].runs;
  runs[run] ??= { run };
  return runs[run];
}

async function measure(variant, sc, run) {
  const out = runRecord(variant, run);
  try {
    if (sc.warm !== undefined && !results[variant.key][`warm:${sc.key}`]) {
      await task(variant, sc.task, sc.warm());
      results[variant.key][`warm:${sc.key}`] = true;
    }
    out[sc.key] = await task(variant, sc.task, sc.cfg());
  } catch (error) {
    out[sc.key] = { error: String(error.message).split('\n')[0] };
    errors.push(`${variant.key} run ${run + 1} ${sc.key}: ${error.message}`);
    log(`  ${variant.key} ${sc.key} FAILED: ${error.message.split('\n')[0]}`);
    await openPage(variant); // a fresh page for what follows: this one may be stuck
  }
}

function logRun(variant, run) {
  const out = results[variant.key].runs[run] ?? {};
  const f = (x, d = 0) => (typeof x === 'number' ? x.toFixed(d) : '-');
  log(
    `${elapsed()} run ${run + 1}/${cfg.runs} ${variant.key.padEnd(9)} p50 ${f(out.sequential?.p50Us)} µs  p99 ${f(out.sequential?.p99Us)} µs  ` +
      `pipelined ${f(out.pipelined?.callsPerSec)}/s  ${cfg.bytes / MiB} MiB ${f(out.bytes?.mbPerSec)} MB/s${out.bytesJson ? ` (JSON ${f(out.bytesJson.mbPerSec, 1)})` : ''}  ` +
      `events ${f(out.events?.eventsPerSec)}/s  stream ${f(out.stream?.mbPerSec)} MB/s`,
  );
}

const thin = (xs, max) =>
  xs.length <= max ? xs : Array.from({ length: max }, (_, i) => xs[Math.round((i * (xs.length - 1)) / (max - 1))]);

/** Scenario 6: Node RSS and page heap around many invokes and listen/unlisten cycles, on the variant's warm page. */
async function measureMemory(variant) {
  const m = variant.key === 'isolation' ? cfg.memoryIsolation : cfg.memory;
  const server = servers[variant.server];
  const before = await server.request('memory');
  await server.request('samplingStart');
  const page = await task(variant, 'memory', m, 900_000);
  const samples = await server.request('samplingStop');
  const after = await server.request('memory');
  results[variant.key].memory = { ...m, page, nodeBefore: before, nodeAfter: after, samples: thin(samples, 60) };
  const mb = (b) => (b / 1e6).toFixed(1);
  log(
    `${elapsed()} memory ${variant.key}: ${m.invokes} invokes in ${(page.invokeMs / 1000).toFixed(1)} s, ${page.cycles} listen/unlisten in ${(page.cycleMs / 1000).toFixed(1)} s; ` +
      `node RSS ${mb(before.rss)} → ${mb(after.rss)} MB, page heap ${mb(page.heapBefore)} → ${mb(page.heapAfter)} MB, ` +
      `callbacks ${page.callbacksBefore} → ${page.callbacksAfter}, core ${JSON.stringify(after.stats)}`,
  );
}

const killBrowsers = () => Promise.all([...pages.values()].map((p) => p.browser.kill()));

// Ctrl-C or a kill: still end the browsers and the servers (Chromium outlives its parent otherwise).
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    void killBrowsers().finally(() => process.exit(130));
  });
}

try {
  const coepArg = coi ? '1' : '0';
  const needed = new Set(active.map((v) => v.server));
  const starting = [];
  if (needed.has('peer')) starting.push(startServer('peer', 'peer.mjs', [pageDir, coepArg]).then((s) => (servers.peer = s)));
  if (needed.has('airlock'))
    starting.push(startServer('airlock', 'airlock.mjs', [pageDir, coepArg, 'brownfield']).then((s) => (servers.airlock = s)));
  for (const key of ['host', 'hostInSession', ...Object.keys(HOST_CONTROLS)])
    if (needed.has(key)) starting.push(startServer(key, 'airlock.mjs', [pageDir, coepArg, 'brownfield']).then((s) => (servers[key] = s)));
  if (needed.has('compare')) {
    const entry = path.resolve(String(args.compare), 'dist', 'index.js');
    starting.push(
      startServer('compare', 'airlock.mjs', [pageDir, coepArg, 'brownfield'], { AIRLOCK_ENTRY: entry }).then((s) => (servers.compare = s)),
    );
  }
  if (needed.has('compareIsolation')) {
    const entry = path.resolve(String(args.compare), 'dist', 'index.js');
    const isoDir = path.join(benchDir, 'isolation');
    starting.push(
      startServer('compareIsolation', 'airlock.mjs', [pageDir, coepArg, 'isolation', isoDir], { AIRLOCK_ENTRY: entry }).then(
        (s) => (servers.compareIsolation = s),
      ),
    );
  }
  if (needed.has('isolation')) {
    const isoDir = path.join(benchDir, 'isolation');
    starting.push(startServer('isolation', 'airlock.mjs', [pageDir, coepArg, 'isolation', isoDir]).then((s) => (servers.isolation = s)));
  }
  await Promise.all(starting);
  await Promise.all(Object.values(servers).map((s) => s.request('prepare', { size: cfg.stream.total })));
  for (const variant of active) await openPage(variant);
  log(`${elapsed()} servers and pages up (${active.map((v) => v.key).join(', ')}); ${cfg.runs} run(s)`);

  if (args.breakdown) {
    // Diagnosis only: where the time of one sequential call goes, per variant (see tasks.breakdown in the page).
    for (let run = 0; run < cfg.runs; run++) {
      for (const variant of active) {
        await servers[variant.server].request('serverTime');
        const b = await task(variant, 'breakdown', { n: cfg.sequential });
        b.server = await servers[variant.server].request('serverTime');
        results[variant.key].breakdown ??= [];
        results[variant.key].breakdown.push(b);
        const f = (x) => (x === undefined ? '?' : x.toFixed(0));
        log(
          `${elapsed()} breakdown ${variant.key.padEnd(9)} round trip ${f(b.totalUs)} µs: page until send ${f(b.preUs)}, browser+network+server ${f(b.wireUs)} ` +
            `(server: ${f(b.server.totalP50Us)} from bytes in to reply written, of which ${f(b.server.appP50Us)} after ws's 'message'), onmessage ${f(b.handlerUs)}, promise chain to the caller ${f(b.chainUs)} (µs, medians)`,
        );
      }
    }
  } else {
    for (let run = 0; run < cfg.runs && [1, 2, 3, 4, 5].some((n) => scenarios.has(n)); run++) {
      const snap = cpuSnapshot();
      for (const [index, sc] of SCENARIOS.entries()) {
        // A row with fewer runs than the others is measured on the last runs, when everything is warm.
        if (!scenarios.has(sc.scenario)) continue;
        // Every variant takes the scenario in turn, seconds apart, so they see the same machine; the order rotates
        // so that none always goes first or always follows the same neighbour.
        const order = active.map((_, i) => active[(i + run + index) % active.length]);
        for (const variant of order) {
          if (sc.variants !== undefined && !sc.variants.includes(variant.key)) continue;
          if (run < cfg.runs - runsOf(sc.key, variant.key)) continue;
          await measure(variant, sc, run);
        }
      }
      const foreign = foreignShare(snap, cpuSnapshot());
      for (const variant of active) {
        runRecord(variant, run).foreignCpu = foreign;
        logRun(variant, run);
      }
      if (foreign !== undefined) log(`${elapsed()} run ${run + 1}: other processes used ${(foreign * 100).toFixed(0)}% of the machine`);
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
  }
} catch (error) {
  errors.push(String(error?.stack ?? error));
  log(`bench failed: ${error?.stack ?? error}`);
} finally {
  await killBrowsers();
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
/** Which code was measured: the checkout's commit, and whether src/ had uncommitted changes. */
function sourceRevision() {
  if (process.env.BENCH_COMMIT) return process.env.BENCH_COMMIT;
  try {
    const git = (...a) =>
      execFileSync('git', a, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'src') ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return undefined;
  }
}
/**
 * How this machine's idle CPUs wake (Linux): the cpuidle driver and, in a VM with the haltpoll driver, how long an idle
 * vCPU polls before it halts. Every cross-process hop of a round trip can wait for a halted vCPU to wake, so with no
 * polling (0) each absolute figure here is about twice what the same run measures with it; see README, Performance.
 */
function cpuIdle() {
  const read = (file) => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const driver = read('/sys/devices/system/cpu/cpuidle/current_driver');
  const pollNs = read('/sys/module/haltpoll/parameters/guest_halt_poll_ns');
  return driver === undefined ? undefined : { driver, ...(pollNs === undefined ? {} : { guestHaltPollNs: Number(pollNs) }) };
}
const env = {
  date: new Date().toISOString(),
  cpuIdle: cpuIdle(),
  commit: sourceRevision(),
  node: process.version,
  cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
  chromium: chromiumVersion(),
  chromiumFlags: CHROMIUM_FLAGS,
  ...(hostChromiumFlags === undefined ? {} : { hostChromiumFlags }),
  crossOriginIsolated: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.info?.crossOriginIsolated])),
  timerStepUs: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.info?.timerStepUs])),
  packages: {
    ws: readVersion('ws'),
    birpc: readVersion('birpc'),
    '@tauri-apps/api': readVersion('@tauri-apps/api'),
    esbuild: readVersion('esbuild'),
  },
  foreignCpuMedian: (() => {
    const xs = Object.values(results)
      .flatMap((r) => r.runs.map((x) => x.foreignCpu))
      .filter((x) => typeof x === 'number')
      .sort((a, b) => a - b);
    return xs.length === 0 ? undefined : xs[xs.length >> 1];
  })(),
  mode: args.quick ? 'quick' : 'full',
  wallSeconds: Math.round((Date.now() - t0) / 1000),
};
// Columns: every variant of the issue (n/a when it did not run), plus --compare's when it ran.
const variants = VARIANTS.filter((v) => !OPTIONAL_COLUMNS.has(v.key) || active.includes(v)).map((v) => ({
  key: v.key,
  label: v.label,
  ran: active.includes(v),
}));
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
