// Memory figures for leak checks. RSS rarely shrinks after a burst (V8 keeps the pages it grew into), so "nothing
// leaked" is judged on the heap after a full garbage collection, and "bounded" on the peak RSS.
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

/** Bytes of live heap after a full collection. */
export function liveHeap(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

/** Tracks the peak RSS while `sample()` is called. */
export function rssPeak(): { sample(): void; readonly start: number; readonly peak: number } {
  const start = process.memoryUsage().rss;
  let peak = start;
  return {
    sample() {
      peak = Math.max(peak, process.memoryUsage().rss);
    },
    start,
    get peak() {
      return peak;
    },
  };
}

export const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
