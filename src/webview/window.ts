/**
 * The page's view of its own window, for windows no host drives: it reports what it sees (sizes, position, scale
 * factor, focus, visibility, theme, title, its screen, the last pointer position) to the core whenever that changes,
 * and carries out what the core asks of its window (title, size, position, center, focus, a best-effort maximize,
 * zoom, cursor, fullscreen). The core answers Tauri's window getters and emits `tauri://resize|move|focus|blur|
 * scale-change|theme-changed` from these reports. Files dragged over the page are reported too (`tauri://drag-*`).
 */
import type { WindowReport } from '../protocol/frames.js';
import { encodeCall } from '../protocol/page.js';
import { g } from './globals.js';
import type { IpcSocket } from './socket.js';

const POLL_MS = 250;
/** How long an op waits for the window to change before reporting anyway. */
const OP_SETTLE_MS = 400;

export function watchWindow(socket: IpcSocket): void {
  const w = window;
  const d = document;
  const dark = w.matchMedia('(prefers-color-scheme: dark)');
  const fullscreenMode = w.matchMedia('(display-mode: fullscreen)');
  let cursor: { x: number; y: number } | undefined;
  let last = '';
  let restore: { x: number; y: number; w: number; h: number } | undefined;

  const report = (): WindowReport => {
    const s = w.screen as Screen & { availLeft?: number; availTop?: number; left?: number; top?: number };
    return {
      iw: w.innerWidth,
      ih: w.innerHeight,
      ow: w.outerWidth,
      oh: w.outerHeight,
      x: w.screenX,
      y: w.screenY,
      sf: w.devicePixelRatio || 1,
      f: d.hasFocus(),
      h: d.visibilityState === 'hidden',
      fs: d.fullscreenElement != null || fullscreenMode.matches,
      th: dark.matches ? 'dark' : 'light',
      ti: d.title.slice(0, 4096),
      sc: [s.left ?? 0, s.top ?? 0, s.width, s.height, s.availLeft ?? 0, s.availTop ?? 0, s.availWidth, s.availHeight],
      ...(cursor === undefined ? {} : { cx: cursor.x, cy: cursor.y }),
    };
  };

  const send = (force = false): void => {
    const text = encodeCall.report(report());
    if (!force && text === last) return;
    if (socket.sendReport(text)) last = text;
  };
  const changed = (): void => send();

  // The first report follows every hello (a reconnect gets a fresh one).
  socket.onHello(() => {
    last = '';
    send(true);
  });
  for (const name of ['resize', 'focus', 'blur']) w.addEventListener(name, changed);
  d.addEventListener('visibilitychange', changed);
  d.addEventListener('fullscreenchange', changed);
  dark.addEventListener('change', changed);
  fullscreenMode.addEventListener('change', changed);
  w.addEventListener(
    'pointermove',
    (e: PointerEvent) => {
      cursor = { x: e.screenX, y: e.screenY };
    },
    { passive: true },
  );
  // Files dragged over the page: tauri://drag-enter|over|drop|leave (the core adds the position's scale and, where
  // a window host drives the window, the dropped files' paths, which it reads from `__AIRLOCK_DROP__`). A dragover
  // and drop of files are default-prevented, as in a Tauri webview: the browser would otherwise open the file.
  let depth = 0;
  let drops = 0;
  let lastOver = '';
  // Only the browser's own drags count (a page script's synthetic drop could hold files it took from a file input),
  // and the host reads the latest drop through a getter no page script can redefine.
  const files = (e: DragEvent): boolean => e.isTrusted && e.dataTransfer?.types.includes('Files') === true;
  let dropped: Readonly<{ q: number; files: readonly File[] }> | undefined;
  try {
    Object.defineProperty(w, '__AIRLOCK_DROP__', { get: () => dropped, configurable: false, enumerable: false });
  } catch {
    // Already defined (the page took it first): the host then finds no drop of ours, and drops carry no paths.
  }
  const drag = (k: 'enter' | 'over' | 'drop' | 'leave', e: DragEvent): void => {
    socket.sendReport(encodeCall.drag(k, e.clientX, e.clientY, drops));
  };
  w.addEventListener(
    'dragenter',
    (e: DragEvent) => {
      if (files(e) && depth++ === 0) drag('enter', e);
    },
    true,
  );
  w.addEventListener(
    'dragover',
    (e: DragEvent) => {
      if (!files(e)) return;
      e.preventDefault();
      const at = `${e.clientX},${e.clientY}`;
      if (at === lastOver) return;
      lastOver = at;
      drag('over', e);
    },
    true,
  );
  w.addEventListener(
    'dragleave',
    (e: DragEvent) => {
      if (!files(e) || depth === 0) return;
      depth--;
      if (depth > 0) return;
      lastOver = '';
      drag('leave', e);
    },
    true,
  );
  w.addEventListener(
    'drop',
    (e: DragEvent) => {
      if (!files(e)) return;
      e.preventDefault();
      depth = 0;
      lastOver = '';
      drops++;
      dropped = Object.freeze({ q: drops, files: Object.freeze(Array.from(e.dataTransfer?.files ?? [])) });
      drag('drop', e);
    },
    true,
  );
  // Moves and title changes fire no event: look a few times a second (one string compare when nothing changed).
  g.setInterval(changed, POLL_MS);

  /** Reports once the window changed after an op, or after a short wait when it did not (the op had no effect). */
  const settle = (): void => {
    const before = encodeCall.report(report());
    const started = g.now();
    const check = (): void => {
      if (encodeCall.report(report()) !== before || g.now() - started > OP_SETTLE_MS) send(true);
      else g.setTimeout(check, 16);
    };
    g.setTimeout(check, 16);
  };

  socket.onWindowOp((op, value) => {
    const s = w.screen as Screen & { availLeft?: number; availTop?: number };
    const availLeft = s.availLeft ?? 0;
    const availTop = s.availTop ?? 0;
    const v = value as Record<string, number> | undefined;
    try {
      if (op === 'title' && typeof value === 'string') d.title = value;
      else if (op === 'size' && v !== undefined) {
        w.resizeTo(
          Math.round(v['width'] as number) + w.outerWidth - w.innerWidth,
          Math.round(v['height'] as number) + w.outerHeight - w.innerHeight,
        );
      } else if (op === 'position' && v !== undefined) w.moveTo(Math.round(v['x'] as number), Math.round(v['y'] as number));
      else if (op === 'center') {
        w.moveTo(Math.round(availLeft + (s.availWidth - w.outerWidth) / 2), Math.round(availTop + (s.availHeight - w.outerHeight) / 2));
      } else if (op === 'focus') w.focus();
      else if (op === 'maximize' || op === 'unmaximize' || op === 'toggle_maximize') {
        const maximized = w.outerWidth >= s.availWidth && w.outerHeight >= s.availHeight;
        if ((op === 'maximize' || (op === 'toggle_maximize' && !maximized)) && !maximized) {
          restore = { x: w.screenX, y: w.screenY, w: w.outerWidth, h: w.outerHeight };
          w.moveTo(availLeft, availTop);
          w.resizeTo(s.availWidth, s.availHeight);
        } else if (op !== 'maximize' && maximized && restore !== undefined) {
          w.resizeTo(restore.w, restore.h);
          w.moveTo(restore.x, restore.y);
          restore = undefined;
        }
      } else if (op === 'zoom' && typeof value === 'number') d.documentElement.style.setProperty('zoom', String(value));
      else if (op === 'cursor' && typeof value === 'string') d.documentElement.style.cursor = value;
      else if (op === 'fullscreen') {
        if (value === true && d.fullscreenElement == null) void d.documentElement.requestFullscreen().catch(() => undefined);
        else if (value === false && d.fullscreenElement != null) void d.exitFullscreen().catch(() => undefined);
      }
    } finally {
      settle();
    }
  });
}
