/**
 * The inspector page (served by src/transports/inspector.ts on its own origin): a live, filterable log of the
 * core's IPC traffic and a per-command latency summary. Plain DOM, no framework; at most MAX_ROWS rows are kept.
 */
import type { TraceRecord } from '../core/trace.js';

const MAX_ROWS = 1000;
const KINDS = ['call', 'refused', 'event', 'channel', 'page'] as const;

const css = `
:root { color-scheme: dark; font: 13px/1.45 ui-sans-serif, system-ui, sans-serif; }
body { margin: 0; background: #0d1117; color: #d7dce4; }
header { position: sticky; top: 0; background: #111823; border-bottom: 1px solid #243041; padding: 10px 16px; display: flex; gap: 14px; align-items: center; flex-wrap: wrap; }
h1 { font-size: 15px; margin: 0 8px 0 0; } h1 span { color: #58c4a8; }
input[type=search] { background: #0b1018; color: inherit; border: 1px solid #2c3a4e; border-radius: 6px; padding: 5px 9px; width: 240px; }
label { user-select: none; color: #9fb0c5; } .status { margin-left: auto; color: #7d8ea3; }
main { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 16px; padding: 12px 16px; }
table { width: 100%; border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 12px; }
th { text-align: left; color: #7d8ea3; font-weight: 500; padding: 4px 6px; border-bottom: 1px solid #243041; position: sticky; top: 49px; background: #0d1117; }
td { padding: 3px 6px; border-bottom: 1px solid #161f2b; vertical-align: top; white-space: nowrap; }
td.detail { white-space: normal; word-break: break-word; color: #9fb0c5; }
.bad { color: #ff8c82; } .ok { color: #7ee0b5; } .dim { color: #66768a; }
.tag { display: inline-block; padding: 0 6px; border-radius: 4px; background: #1b2533; color: #9fb0c5; }
.tag.call { background: #143127; color: #7ee0b5; } .tag.refused { background: #3a1a1a; color: #ff8c82; }
.tag.event { background: #1c2742; color: #8fb4ff; } .tag.channel { background: #2b2442; color: #c2a5ff; }
aside h2 { font-size: 13px; margin: 4px 0 8px; color: #9fb0c5; font-weight: 600; }
`;

interface Stat {
  count: number;
  errors: number;
  times: number[];
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const time = (at: number): string =>
  `${new Date(at).toLocaleTimeString(undefined, { hour12: false })}.${String(at % 1000).padStart(3, '0')}`;
const size = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
const text = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));

function describe(r: TraceRecord): { who: string; what: string; detail: string; bad: boolean } {
  switch (r.kind) {
    case 'call':
      return {
        who: r.webview,
        what: r.command,
        detail: `${r.ms.toFixed(2)} ms · args ${size(r.argsSize)} · ACL ${r.acl}${r.sealed ? ' · sealed ✓' : ''}${r.ok ? '' : ` · ${text(r.error)}`}`,
        bad: !r.ok,
      };
    case 'refused':
      return { who: r.webview, what: r.command, detail: r.reason, bad: true };
    case 'event':
      return { who: r.source, what: r.event, detail: `→ ${r.target} · payload ${size(r.payloadSize)}`, bad: false };
    case 'channel':
      return {
        who: r.webview,
        what: `channel ${r.channel}`,
        detail: r.end ? `end after ${r.index} messages` : `#${r.index} · ${size(r.size)}`,
        bad: false,
      };
    case 'page':
      return { who: r.webview, what: r.change, detail: '', bad: false };
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

export function start(): void {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  history.replaceState(null, '', location.pathname);
  document.head.append(el('style', { textContent: css }));
  const filter = el('input', { type: 'search', placeholder: 'filter: command, event, webview…' });
  const errorsOnly = el('input', { type: 'checkbox' });
  const shown = new Map<string, HTMLInputElement>(KINDS.map((k) => [k, el('input', { type: 'checkbox', checked: k !== 'channel' })]));
  const status = el('span', { className: 'status', textContent: 'connecting…' });
  const rows = el('tbody');
  const summary = el('tbody');
  const root = document.getElementById('root') as HTMLElement;
  root.replaceChildren(
    el(
      'header',
      {},
      el('h1', {}, 'Airlock ', el('span', { textContent: 'inspector' })),
      filter,
      ...KINDS.map((k) => el('label', {}, shown.get(k) as HTMLInputElement, ` ${k === 'refused' ? 'refusals' : `${k}s`}`)),
      el('label', {}, errorsOnly, ' errors only'),
      status,
    ),
    el(
      'main',
      {},
      el(
        'section',
        {},
        el(
          'table',
          {},
          el('thead', {}, el('tr', {}, ...['time', 'kind', 'webview', 'what', 'detail'].map((h) => el('th', { textContent: h })))),
          rows,
        ),
      ),
      el(
        'aside',
        {},
        el('h2', { textContent: 'Latency per command' }),
        el(
          'table',
          {},
          el('thead', {}, el('tr', {}, ...['command', 'calls', 'p50', 'p95', 'errors'].map((h) => el('th', { textContent: h })))),
          summary,
        ),
      ),
    ),
  );

  const records: TraceRecord[] = [];
  const stats = new Map<string, Stat>();

  const visible = (r: TraceRecord): boolean => {
    if (!shown.get(r.kind)?.checked) return false;
    const d = describe(r);
    if (errorsOnly.checked && !d.bad) return false;
    const q = filter.value.trim().toLowerCase();
    return q === '' || `${d.who} ${d.what} ${d.detail}`.toLowerCase().includes(q);
  };
  const row = (r: TraceRecord): HTMLTableRowElement => {
    const d = describe(r);
    return el(
      'tr',
      {},
      el('td', { className: 'dim', textContent: time(r.at) }),
      el('td', {}, el('span', { className: `tag ${r.kind}`, textContent: r.kind })),
      el('td', { textContent: d.who }),
      el('td', { className: d.bad ? 'bad' : '', textContent: d.what }),
      el('td', { className: `detail${d.bad ? ' bad' : ''}`, textContent: d.detail }),
    );
  };
  const redraw = (): void => {
    rows.replaceChildren(...records.filter(visible).slice(-MAX_ROWS).reverse().map(row));
  };
  const drawSummary = (): void => {
    const lines = [...stats]
      .sort((a, b) => b[1].count - a[1].count)
      .map(([cmd, s]) => {
        const sorted = [...s.times].sort((a, b) => a - b);
        return el(
          'tr',
          {},
          el('td', { textContent: cmd }),
          el('td', { textContent: String(s.count) }),
          el('td', { textContent: `${percentile(sorted, 50).toFixed(2)} ms` }),
          el('td', { textContent: `${percentile(sorted, 95).toFixed(2)} ms` }),
          el('td', { className: s.errors > 0 ? 'bad' : 'ok', textContent: String(s.errors) }),
        );
      });
    summary.replaceChildren(...lines);
  };
  const add = (batch: TraceRecord[]): void => {
    for (const r of batch) {
      records.push(r);
      if (r.kind === 'call') {
        const s = stats.get(r.command) ?? { count: 0, errors: 0, times: [] };
        s.count++;
        if (!r.ok) s.errors++;
        s.times.push(r.ms);
        if (s.times.length > 5000) s.times.splice(0, s.times.length - 5000);
        stats.set(r.command, s);
      }
      if (visible(r)) rows.prepend(row(r));
    }
    if (records.length > 5 * MAX_ROWS) records.splice(0, records.length - 5 * MAX_ROWS);
    while (rows.childElementCount > MAX_ROWS) rows.lastElementChild?.remove();
    drawSummary();
  };
  for (const input of [filter, errorsOnly, ...shown.values()]) input.addEventListener('input', redraw);

  const ws = new WebSocket(`ws://${location.host}/ws`, [`airlock-inspector.${token}`]);
  ws.onopen = () => (status.textContent = 'live');
  ws.onclose = () => (status.textContent = 'disconnected (the app stopped, or the token is wrong)');
  ws.onmessage = (ev: MessageEvent<string>) => add(JSON.parse(ev.data) as TraceRecord[]);
}
