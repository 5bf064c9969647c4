/**
 * Backend file watching for `airlock dev`: the config directory (src-tauri/: the entry, its modules, the config,
 * capabilities), debounced, ignoring build output and dependencies. The frontend is the dev server's to watch.
 */
import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';

const IGNORED = new Set(['node_modules', 'target', 'gen', '.airlock', '.git', 'dist']);

export interface Watcher {
  close(): void;
}

export function watchBackend(dirs: readonly string[], onChange: (file: string) => void, debounceMs = 150): Watcher {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let first: string | undefined;
  for (const dir of dirs) {
    const w = watch(dir, { recursive: true }, (_event, name) => {
      if (name === null) return;
      const parts = name.toString().split(/[\\/]/);
      if (parts.some((p) => IGNORED.has(p) || (p.startsWith('.') && p !== '.')) || /~$|\.sw.$/.test(name.toString())) return;
      first ??= path.join(dir, name.toString());
      clearTimeout(timer);
      timer = setTimeout(() => {
        const file = first ?? dir;
        first = undefined;
        onChange(file);
      }, debounceMs);
    });
    w.on('error', () => undefined);
    watchers.push(w);
  }
  return {
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
