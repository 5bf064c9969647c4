// How much of the machine something other than this bench used while a page was measured (Linux /proc only).
// The bench shares 2 cores with whatever else runs (another test suite, a build); the ratios are taken within one
// run to cancel most of that, and this figure says when a run was disturbed anyway.
import { readdirSync, readFileSync } from 'node:fs';

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // after the comm: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
    return { ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** CPU ticks: the whole machine (busy and total) and this process with all its descendants. */
export function cpuSnapshot() {
  let line;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  } catch {
    return undefined;
  }
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  const stats = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(name);
    if (s !== undefined) stats.set(Number(name), s);
  }
  const children = new Map();
  for (const [pid, s] of stats) {
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push(pid);
  }
  let ours = 0;
  const queue = [process.pid];
  while (queue.length > 0) {
    const pid = queue.pop();
    ours += stats.get(pid)?.cpu ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return { busy, total: busy + idle + iowait, ours };
}

/** Share of the whole machine (0–1) used by other processes between two snapshots. */
export function foreignShare(a, b) {
  if (a === undefined || b === undefined || b.total <= a.total) return undefined;
  return Math.max(0, (b.busy - a.busy - (b.ours - a.ours)) / (b.total - a.total));
}
