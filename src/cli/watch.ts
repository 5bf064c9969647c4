/**
 * Backend file watching for `airlock dev`: the config directory (src-tauri/: the entry, its modules, the config,
 * capabilities), debounced, ignoring build output and dependencies. The frontend is the dev server's to watch.
 *
 * One non-recursive `fs.watch` per directory (Node 20's `recursive: true` on Linux misses events in practice);
 * a `rename` event rescans, so new directories are watched too.
 */
import { type Dirent, type FSWatcher, readdirSync, watch } from 'node:fs';
import path from 'node:path';

const IGNORED = new Set(['node_modules', 'target', 'gen', '.airlock', '.git', 'dist']);

export interface Watcher {
  close(): void;
}

function ignoredName(name: string): boolean {
  return IGNORED.has(name) || name.startsWith('.') || name.endsWith('~') || /\.sw.$/.test(name);
}

function directories(root: string, out: string[] = []): string[] {
  out.push(root);
  let entries: Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) if (e.isDirectory() && !ignoredName(e.name)) directories(path.join(root, e.name), out);
  return out;
}

export function watchBackend(roots: readonly string[], onChange: (file: string) => void, debounceMs = 150): Watcher {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let first: string | undefined;
  let closed = false;

  const changed = (file: string): void => {
    first ??= file;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const f = first ?? file;
      first = undefined;
      if (!closed) onChange(f);
    }, debounceMs);
  };

  const scan = (): void => {
    const wanted = new Set(roots.flatMap((r) => directories(r)));
    for (const [dir, w] of watchers) {
      if (!wanted.has(dir)) {
        w.close();
        watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (watchers.has(dir)) continue;
      try {
        const w = watch(dir, (event, name) => {
          if (name === null || ignoredName(name.toString())) return;
          if (event === 'rename') scan();
          changed(path.join(dir, name.toString()));
        });
        w.on('error', () => {
          w.close();
          watchers.delete(dir);
        });
        watchers.set(dir, w);
      } catch {
        // the directory went away between the scan and the watch
      }
    }
  };
  scan();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
