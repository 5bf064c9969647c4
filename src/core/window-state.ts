/**
 * What the core knows of a window from its page's reports (`WindowReport`, CSS pixels), in the shapes Tauri's
 * window commands answer (physical pixels: CSS × scale factor), and the window events Tauri emits when those
 * values change (`tauri://resize`, `move`, `focus`, `blur`, `scale-change`, `theme-changed`). Pure.
 */
import type { WindowReport } from '../protocol/frames.js';

export interface PhysicalSize {
  readonly width: number;
  readonly height: number;
}
export interface PhysicalPosition {
  readonly x: number;
  readonly y: number;
}
/** Tauri's `Monitor` as the window plugin serializes it. */
export interface Monitor {
  readonly name: string | null;
  readonly scaleFactor: number;
  readonly position: PhysicalPosition;
  readonly size: PhysicalSize;
  readonly workArea: { readonly position: PhysicalPosition; readonly size: PhysicalSize };
}

const px = (css: number, sf: number): number => Math.round(css * sf);

export function innerSize(r: WindowReport): PhysicalSize {
  return { width: px(r.iw, r.sf), height: px(r.ih, r.sf) };
}

export function outerSize(r: WindowReport): PhysicalSize {
  return { width: px(r.ow, r.sf), height: px(r.oh, r.sf) };
}

export function outerPosition(r: WindowReport): PhysicalPosition {
  return { x: px(r.x, r.sf), y: px(r.y, r.sf) };
}

/** The content area's position: the outer one plus the frame (equal side borders, the rest on top). */
export function innerPosition(r: WindowReport): PhysicalPosition {
  const side = Math.max(0, (r.ow - r.iw) / 2);
  const top = Math.max(0, r.oh - r.ih - side);
  return { x: px(r.x + side, r.sf), y: px(r.y + top, r.sf) };
}

/** The screen the page is on, as Tauri's `Monitor` (a browser names no monitor: `name` is null). */
export function monitor(r: WindowReport): Monitor {
  const [left, top, width, height, availLeft, availTop, availWidth, availHeight] = r.sc;
  return {
    name: null,
    scaleFactor: r.sf,
    position: { x: px(left, r.sf), y: px(top, r.sf) },
    size: { width: px(width, r.sf), height: px(height, r.sf) },
    workArea: {
      position: { x: px(availLeft, r.sf), y: px(availTop, r.sf) },
      size: { width: px(availWidth, r.sf), height: px(availHeight, r.sf) },
    },
  };
}

/** Whether a physical point lies on the monitor. */
export function monitorContains(m: Monitor, x: number, y: number): boolean {
  return x >= m.position.x && y >= m.position.y && x < m.position.x + m.size.width && y < m.position.y + m.size.height;
}

/** A window that fills the work area (and is not fullscreen) counts as maximized. */
export function isMaximized(r: WindowReport): boolean {
  const [, , , , , , availWidth, availHeight] = r.sc;
  return !r.fs && !r.h && r.ow >= availWidth && r.oh >= availHeight;
}

/** A browser window hides its page when minimized (the page cannot tell a minimized window from a covered tab). */
export function isMinimized(r: WindowReport): boolean {
  return r.h;
}

export function cursorPosition(r: WindowReport): PhysicalPosition | undefined {
  return r.cx === undefined || r.cy === undefined ? undefined : { x: px(r.cx, r.sf), y: px(r.cy, r.sf) };
}

/** The events Tauri would emit for a window whose report went from `before` to `after`, with Tauri's payloads. */
export function windowEvents(before: WindowReport, after: WindowReport): [event: string, payload: unknown][] {
  const out: [string, unknown][] = [];
  const a = innerSize(before);
  const b = innerSize(after);
  if (before.sf !== after.sf) out.push(['tauri://scale-change', { scaleFactor: after.sf, size: b }]);
  if (a.width !== b.width || a.height !== b.height) out.push(['tauri://resize', b]);
  const p = outerPosition(before);
  const q = outerPosition(after);
  if (p.x !== q.x || p.y !== q.y) out.push(['tauri://move', q]);
  if (before.f !== after.f) out.push([after.f ? 'tauri://focus' : 'tauri://blur', null]);
  if (before.th !== after.th) out.push(['tauri://theme-changed', after.th]);
  return out;
}
