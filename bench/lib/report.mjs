// Medians, ratios to raw ws, the issue's targets, and the table (Markdown, so it can go into the README as is).

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const MiB = 1024 * 1024;
const count = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));
const size = (b) => (b >= MiB ? `${b / MiB} MiB` : `${b / 1024} KiB`);

function rowsFor(cfg) {
  return [
    {
      id: '1.p50',
      label: `1. sequential invoke, ~100 B JSON, p50 (${count(cfg.sequential)} calls)`,
      unit: 'µs',
      better: 'lower',
      get: (r) => r.sequential?.p50Us,
    },
    { id: '1.p99', label: '1. sequential invoke, p99', unit: 'µs', better: 'lower', get: (r) => r.sequential?.p99Us },
    {
      id: '2',
      label: `2. ${count(cfg.pipelined)} invokes in flight, then awaited`,
      unit: 'calls/s',
      better: 'higher',
      get: (r) => r.pipelined?.callsPerSec,
    },
    {
      id: '3',
      label: `3. ${size(cfg.bytes)} Uint8Array to a command and back`,
      unit: 'MB/s',
      better: 'higher',
      get: (r) => r.bytes?.mbPerSec,
    },
    {
      id: '3.json',
      label: '3. the same bytes as a JSON number array (Tauri v1)',
      unit: 'MB/s',
      better: 'higher',
      get: (r) => r.bytesJson?.mbPerSec,
    },
    {
      id: '4',
      label: `4. ${count(cfg.events)} small events core → page listener`,
      unit: 'events/s',
      better: 'higher',
      get: (r) => r.events?.eventsPerSec,
    },
    {
      id: '5',
      label: `5. channel, ${size(cfg.stream.total)} in ${size(cfg.stream.chunk)} chunks, order checked`,
      unit: 'MB/s',
      better: 'higher',
      get: (r) => r.stream?.mbPerSec,
    },
  ];
}

/**
 * `a` over `b`, from the rounds both took part in: the median of the per-round ratios. Variants take their turns
 * seconds apart within a round, so a per-round ratio cancels most of what other load did to that round.
 */
function pairedRatio(a, b) {
  if (a === undefined || b === undefined) return undefined;
  const ratios = [];
  for (let r = 0; r < Math.min(a.runs.length, b.runs.length); r++) {
    const x = a.runs[r];
    const y = b.runs[r];
    if (typeof x === 'number' && typeof y === 'number' && y > 0) ratios.push(x / y);
  }
  return median(ratios);
}

export function evaluate({ variants, results, cfg }) {
  const rows = rowsFor(cfg).map((row) => {
    const cells = {};
    for (const v of variants) {
      const values = (results[v.key]?.runs ?? []).map((run) => (run === null || run === undefined ? undefined : row.get(run)));
      cells[v.key] = { median: median(values), runs: values.map((x) => (typeof x === 'number' ? Number(x.toFixed(2)) : null)) };
    }
    for (const v of variants) if (v.key !== 'raw') cells[v.key].ratioToRaw = pairedRatio(cells[v.key], cells.raw);
    // The window host's variant is the brownfield app and page with `airlock dev`'s host attached: its ratio to
    // brownfield is what the host costs.
    for (const key of ['host', 'hostFlags', 'hostPipe', 'hostNav', 'hostDiscover', 'hostSession', 'hostInSession'])
      if (cells[key] !== undefined) cells[key].ratioToBrownfield = pairedRatio(cells[key], cells.airlock);
    return { id: row.id, label: row.label, unit: row.unit, better: row.better, cells };
  });
  const cell = (id, key) => rows.find((r) => r.id === id)?.cells[key];

  const memory = {};
  for (const v of variants) {
    const m = results[v.key]?.memory;
    if (m === undefined || m.page === undefined) continue;
    memory[v.key] = {
      invokes: m.invokes,
      cycles: m.page.cycles,
      nodeRssGrowthMB: (m.nodeAfter.rss - m.nodeBefore.rss) / 1e6,
      // RSS sampled during the run (no forced GC): growth over its second half, ~0 when the first half's growth was
      // a one-time step (heap and allocator sizing) rather than a leak.
      nodeRssGrowthSecondHalfMB:
        m.samples?.length > 2
          ? (m.samples[m.samples.length - 1].rss - m.samples[Math.floor((m.samples.length - 1) / 2)].rss) / 1e6
          : undefined,
      nodeHeapGrowthMB: (m.nodeAfter.heapUsed - m.nodeBefore.heapUsed) / 1e6,
      pageHeapGrowthMB: (m.page.heapAfter - m.page.heapBefore) / 1e6,
      callbacksLeft: m.page.callbacksAfter === null ? undefined : m.page.callbacksAfter - m.page.callbacksBefore,
      core: m.nodeAfter.stats,
    };
  }

  const targets = [];
  const ratioTarget = (name, id, key, op, bound) => {
    const c = cell(id, key);
    const value = c?.ratioToRaw;
    targets.push({ name, value, bound, op, met: value === undefined ? undefined : op === '<=' ? value <= bound : value >= bound });
  };
  ratioTarget('1. sequential small invoke p50 ≤ 1.15× raw ws', '1.p50', 'airlock', '<=', 1.15);
  ratioTarget('2. pipelined throughput ≥ 0.9× raw ws', '2', 'airlock', '>=', 0.9);
  ratioTarget('3. 10 MiB both ways ≥ 0.9× raw ws MB/s', '3', 'airlock', '>=', 0.9);
  {
    const value = pairedRatio(cell('3', 'airlock'), cell('3.json', 'airlock'));
    targets.push({
      name: '3. binary ≥ 20× the JSON-array way',
      value,
      bound: 20,
      op: '>=',
      met: value === undefined ? undefined : value >= 20,
    });
  }
  ratioTarget('4. events/s ≥ 0.9× raw ws message rate', '4', 'airlock', '>=', 0.9);
  ratioTarget('5. channel MB/s ≥ 0.9× raw ws', '5', 'airlock', '>=', 0.9);
  {
    const m = memory.airlock;
    targets.push({
      name: '6. Node RSS growth < 20 MB',
      value: m?.nodeRssGrowthMB,
      bound: 20,
      op: '<',
      unit: 'MB',
      met: m === undefined ? undefined : m.nodeRssGrowthMB < 20,
    });
    const left = m === undefined ? undefined : m.callbacksLeft + m.core.pending + m.core.pageListeners + m.core.channels;
    targets.push({
      name: '6. zero callbacks/listeners left registered',
      value: left,
      bound: 0,
      op: '==',
      unit: '',
      met: left === undefined ? undefined : left === 0,
    });
  }
  {
    const iso = (id) => pairedRatio(cell(id, 'isolation'), cell(id, 'airlock'));
    const p50 = iso('1.p50');
    const bytes = iso('3');
    const pipelined = iso('2');
    targets.push({
      name: 'isolation p50 ≤ 1.5× brownfield',
      value: p50,
      bound: 1.5,
      op: '<=',
      met: p50 === undefined ? undefined : p50 <= 1.5,
      vs: 'brownfield',
    });
    targets.push({
      name: 'isolation 10 MiB ≥ 0.5× brownfield',
      value: bytes,
      bound: 0.5,
      op: '>=',
      met: bytes === undefined ? undefined : bytes >= 0.5,
      vs: 'brownfield',
    });
    targets.push({
      name: 'isolation pipelined ≥ 0.5× brownfield',
      value: pipelined,
      bound: 0.5,
      op: '>=',
      met: pipelined === undefined ? undefined : pipelined >= 0.5,
      vs: 'brownfield',
    });
  }
  {
    // Per row, Airlock over birpc in the rounds both ran (median of per-round ratios): < 1 wins for times, > 1 for rates.
    const compared = rows.filter((r) => pairedRatio(r.cells.airlock, r.cells.birpc) !== undefined);
    for (const r of compared) r.airlockOverBirpc = pairedRatio(r.cells.airlock, r.cells.birpc);
    const lost = compared.filter((r) => (r.better === 'lower' ? r.airlockOverBirpc >= 1 : r.airlockOverBirpc <= 1));
    targets.push({
      name: 'Airlock faster than birpc on every row',
      value: compared.length === 0 ? undefined : `${compared.length - lost.length}/${compared.length} rows`,
      lost: lost.map((r) => `${r.id}: ${r.airlockOverBirpc.toFixed(2)}×`),
      met: compared.length === 0 ? undefined : lost.length === 0,
    });
  }
  return { rows, memory, targets };
}

function fmt(x, unit) {
  if (x === undefined) return '—';
  if (unit === 'MB/s') return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
  return Math.round(x).toLocaleString('en-US');
}
const fmtRatio = (r) => (r === undefined ? '' : `${r.toFixed(2)}×`);

export function printTable({ variants, evaluation, cfg, env }) {
  const out = [];
  const cols = variants;
  // The window host's column also has its ratio to brownfield (what the host costs).
  const extra = (v) => (v.key.startsWith('host') ? 1 : 0);
  out.push(
    `| scenario | unit | ${cols.map((v) => (v.key === 'raw' ? v.label : `${v.label} | × raw${extra(v) ? ' | × brownfield' : ''}`)).join(' | ')} |`,
  );
  out.push(`|---|---|${cols.map((v) => (v.key === 'raw' ? '---:' : `---:|---:${extra(v) ? '|---:' : ''}`)).join('|')}|`);
  for (const row of evaluation.rows) {
    const cells = cols.map((v) => {
      if (!v.ran) return v.key === 'raw' ? 'not run' : `n/a | ${extra(v) ? ' | ' : ''}`;
      const c = row.cells[v.key];
      const value = c.median === undefined ? '—' : fmt(c.median, row.unit);
      if (v.key === 'raw') return value;
      return `${value} | ${fmtRatio(c.ratioToRaw)}${extra(v) ? ` | ${fmtRatio(c.ratioToBrownfield)}` : ''}`;
    });
    out.push(`| ${row.label} | ${row.unit} | ${cells.join(' | ')} |`);
  }
  const mem = (key, f) => (evaluation.memory[key] === undefined ? '—' : f(evaluation.memory[key]));
  const memRow = (label, unit, f) =>
    `| ${label} | ${unit} | ${cols.map((v) => (v.key === 'raw' ? (v.ran ? mem(v.key, f) : 'not run') : `${v.ran ? mem(v.key, f) : 'n/a'} | ${extra(v) ? ' | ' : ''}`)).join(' | ')} |`;
  const m = cfg.memory;
  out.push(
    memRow(
      `6. Node RSS growth over ${count(m.invokes)} invokes + ${count(m.cycles)} listen/unlisten (in its 2nd half)`,
      'MB',
      (x) =>
        `${x.nodeRssGrowthMB.toFixed(1)}${x.nodeRssGrowthSecondHalfMB === undefined ? '' : ` (${x.nodeRssGrowthSecondHalfMB.toFixed(1)})`}${x.invokes === m.invokes ? '' : ` [${count(x.invokes)} invokes]`}`,
    ),
  );
  out.push(memRow('6. Node JS heap used growth (after GC)', 'MB', (x) => x.nodeHeapGrowthMB.toFixed(2)));
  out.push(memRow('6. page JS heap growth (after GC)', 'MB', (x) => x.pageHeapGrowthMB.toFixed(2)));
  out.push(
    memRow('6. left registered: page callbacks / core pending, listeners, channels', 'count', (x) =>
      x.core === undefined ? 'n/a' : `${x.callbacksLeft} / ${x.core.pending}, ${x.core.pageListeners}, ${x.core.channels}`,
    ),
  );
  out.push('');
  out.push('| target (ratios: median of per-round ratios) | measured | result |');
  out.push('|---|---:|---|');
  for (const t of evaluation.targets) {
    let value = '—';
    if (typeof t.value === 'string') value = t.value;
    else if (t.value !== undefined)
      value = t.unit !== undefined ? `${t.unit === 'MB' ? t.value.toFixed(1) : t.value} ${t.unit}`.trim() : `${t.value.toFixed(2)}×`;
    const result = t.met === undefined ? 'n/a' : t.met ? 'met' : `**missed**${t.lost?.length ? ` (${t.lost.join(', ')})` : ''}`;
    out.push(`| ${t.name} | ${value} | ${result} |`);
  }
  out.push('');
  out.push(
    `Median of ${cfg.runs} rounds${
      Object.keys(cfg.runsFor).length + Object.keys(cfg.variantRuns).length
        ? ` (${[
            ...Object.entries(cfg.runsFor).map(
              ([k, n]) => `${{ bytesJson: 'JSON-array row', events: 'row 4', stream: 'row 5' }[k] ?? k}: ${Math.min(n, cfg.runs)}`,
            ),
            ...Object.entries(cfg.variantRuns).map(([k, n]) => `${k}: ${Math.min(n, cfg.runs)}`),
          ].join(', ')})`
        : ''
    }, scenario 6 once; each "× raw" is the median of per-round ratios, so it need not equal the quotient of the two medians shown. ` +
      `${env.commit ? `Airlock ${env.commit}; ` : ''}${env.chromium}, headless, no DevTools attached${
        variants.some((v) => v.key === 'host' && v.ran)
          ? ' except the window host\'s pipe in variant host, whose "× brownfield" is its cost (median of per-round ratios too)'
          : ''
      }; ` +
      `Node ${env.node}; ${env.cpus}${
        env.cpuIdle === undefined
          ? ''
          : ` (cpuidle ${env.cpuIdle.driver}${env.cpuIdle.guestHaltPollNs === undefined ? '' : `, guest halt poll ${env.cpuIdle.guestHaltPollNs / 1000} µs`})`
      }; pages cross-origin isolated: ${Object.values(env.crossOriginIsolated).every(Boolean) ? 'yes (5 µs timer)' : JSON.stringify(env.crossOriginIsolated)}; ` +
      `${env.mode} mode, ${env.wallSeconds} s` +
      (env.foreignCpuMedian === undefined
        ? '.'
        : `; other processes used ${(env.foreignCpuMedian * 100).toFixed(0)}% of the machine (median over pages).`),
  );
  process.stdout.write(`\n${out.join('\n')}\n\n`);
}
