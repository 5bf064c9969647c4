// The demo's page: the official @tauri-apps/api, as in a Tauri app, and Airlock's typed client beside it for the
// commands (their types come from the core's handlers: no code generator).
import { Channel, invoke } from '@tauri-apps/api/core';
import { emit, listen } from '@tauri-apps/api/event';
import { LogicalSize } from '@tauri-apps/api/dpi';
import { WebviewWindow } from '@tauri-apps/api/webviewWindow';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { BaseDirectory, mkdir, readTextFile, writeTextFile } from '@tauri-apps/plugin-fs';
import { load } from '@tauri-apps/plugin-store';
import { createClient } from 'airlock/client';
import type { DemoCommands } from '../src-tauri/main.ts';

const client = createClient<DemoCommands>();

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

interface IpcError {
  code?: string;
  message?: string;
}

function describeError(error: unknown): string {
  if (typeof error === 'string') return error;
  const e = error as IpcError;
  return e.code !== undefined ? `${e.code}: ${e.message ?? ''}` : JSON.stringify(error);
}

function show(out: HTMLElement, text: string, kind: 'ok' | 'err' | 'warn' = 'ok'): void {
  out.textContent = text;
  out.className = `out ${kind}`;
}

function logLine(list: HTMLElement, text: string, kind = ''): void {
  const li = document.createElement('li');
  li.className = kind;
  li.innerHTML = `<time>${new Date().toLocaleTimeString()}</time> `;
  li.append(text);
  list.prepend(li);
  while (list.children.length > 8) list.lastElementChild?.remove();
}

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

// ── header ───────────────────────────────────────────────────────────────────────────────────────────────────────
const win = getCurrentWindow();
const pattern =
  (window as unknown as { __TAURI_INTERNALS__: { __TAURI_PATTERN__?: { pattern: string } } }).__TAURI_INTERNALS__.__TAURI_PATTERN__
    ?.pattern ?? 'brownfield';
$('pattern-pill').textContent = `pattern: ${pattern}`;
void win.title().then((title) => ($('window-pill').textContent = `window: ${win.label} · “${title}”`));

// ── 1. commands ──────────────────────────────────────────────────────────────────────────────────────────────────
$('greet-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const out = $('greet-out');
  const started = performance.now();
  try {
    const greeting = await client.greet({ name: $<HTMLInputElement>('greet-name').value }, { timeoutMs: 10_000 });
    show(out, `${greeting}  (${(performance.now() - started).toFixed(1)} ms)`);
  } catch (error) {
    show(out, describeError(error), 'err');
  }
});

// ── 2. events ────────────────────────────────────────────────────────────────────────────────────────────────────
let clicks = 0;
const eventLog = $('event-log');
$('emit-btn').addEventListener('click', () => {
  clicks++;
  logLine(eventLog, `→ emit page-clicked { clicks: ${clicks} }`, 'up');
  void emit('page-clicked', { clicks });
});
void listen<{ clicks: number; at: string }>('core-ack', (event) => {
  $('ack-out').textContent = `core acknowledged click #${event.payload.clicks}`;
  logLine(eventLog, `← core-ack { clicks: ${event.payload.clicks} }`, 'down');
});
void listen<{ n: number; rss: number }>('tick', (event) => {
  $('tick-pill').textContent = `core ● tick ${event.payload.n} · ${(event.payload.rss / 1048576).toFixed(0)} MiB`;
  $('tick-pill').classList.toggle('blink');
});

// ── 3. channel ───────────────────────────────────────────────────────────────────────────────────────────────────
$('stream-btn').addEventListener('click', async () => {
  const bar = $('stream-bar');
  const out = $('stream-out');
  const onProgress = new Channel<{ done: number; total: number }>((p) => {
    bar.style.width = `${(100 * p.done) / p.total}%`;
    out.textContent = `${p.done} / ${p.total}`;
  });
  try {
    const result = await client.stream_progress({ steps: 120, onProgress });
    out.textContent = `${result.steps} ordered messages in ${result.ms} ms`;
  } catch (error) {
    out.textContent = describeError(error);
  }
});

// ── 4. raw bytes ─────────────────────────────────────────────────────────────────────────────────────────────────
$('digest-btn').addEventListener('click', async () => {
  const data = new Uint8Array(2 * 1024 * 1024);
  for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  const started = performance.now();
  try {
    const result = await invoke<{ bytes: number; sha256: string }>('digest', data);
    const ms = performance.now() - started;
    const local = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', data)));
    const match = local === result.sha256 ? '✓ matches WebCrypto' : '✗ differs from WebCrypto';
    show(
      $('bytes-out'),
      `${result.bytes.toLocaleString()} bytes up in ${ms.toFixed(0)} ms\nsha256 ${result.sha256.slice(0, 32)}… ${match}`,
      local === result.sha256 ? 'ok' : 'err',
    );
  } catch (error) {
    show($('bytes-out'), describeError(error), 'err');
  }
});
$('random-btn').addEventListener('click', async () => {
  const started = performance.now();
  try {
    const buffer = await invoke<ArrayBuffer>('random_bytes', { size: 1024 * 1024 });
    const ms = performance.now() - started;
    const kind = buffer instanceof ArrayBuffer ? 'ArrayBuffer' : typeof buffer;
    show(
      $('bytes-out'),
      `${buffer.byteLength.toLocaleString()} bytes down as ${kind} in ${ms.toFixed(0)} ms\nfirst bytes ${hex(new Uint8Array(buffer, 0, 12))}…`,
    );
  } catch (error) {
    show($('bytes-out'), describeError(error), 'err');
  }
});

// ── 5. isolation ─────────────────────────────────────────────────────────────────────────────────────────────────
const hookLog = $('hook-log');
if (pattern !== 'isolation') logLine(hookLog, 'this app runs without the isolation pattern: no hook sees the calls', 'warn');
void listen<{ line: string }>('hook-log', (event) => logLine(hookLog, `hook ${event.payload.line}`, 'ok'));
$('delete-btn').addEventListener('click', async () => {
  try {
    await invoke('delete_everything');
    logLine(hookLog, 'delete_everything ran: no hook blocked it', 'err');
  } catch (error) {
    logLine(hookLog, `hook blocked delete_everything → ${describeError(error)}`, 'err');
  }
});

// ── 6. capabilities ──────────────────────────────────────────────────────────────────────────────────────────────
$('admin-btn').addEventListener('click', async () => {
  try {
    const result = await invoke<string>('admin_reset');
    // TODO(capabilities): shown until the core enforces src-tauri/capabilities (src/acl wired into Builder.build).
    show($('acl-out'), `⚠ ${result} — this build of the core does not enforce capabilities yet`, 'warn');
  } catch (error) {
    show($('acl-out'), `denied as configured ✓\n${describeError(error)}`, 'err');
  }
});

// ── 7. plugins: store and fs ──────────────────────────────────────────────────────────────────────────────────────
$('note-btn').addEventListener('click', async () => {
  try {
    const text = $<HTMLInputElement>('note-text').value;
    const store = await load('demo.json');
    const saves = ((await store.get<number>('saves')) ?? 0) + 1;
    await store.set('note', text);
    await store.set('saves', saves);
    await store.save();
    await mkdir('', { baseDir: BaseDirectory.AppData, recursive: true });
    await writeTextFile('note.txt', text, { baseDir: BaseDirectory.AppData });
    const back = await readTextFile('note.txt', { baseDir: BaseDirectory.AppData });
    show($('note-out'), `store: note saved (${saves} saves in demo.json)\nfs: note.txt reads back “${back}”`);
  } catch (error) {
    show($('note-out'), describeError(error), 'err');
  }
});
$('note-outside-btn').addEventListener('click', async () => {
  try {
    await readTextFile('/etc/hostname');
    show($('note-out'), 'read /etc/hostname: the fs scope did not stop it', 'warn');
  } catch (error) {
    show($('note-out'), `refused by the fs scope ✓\n${describeError(error)}`, 'err');
  }
});

// ── footer ───────────────────────────────────────────────────────────────────────────────────────────────────────
$('close-btn').addEventListener('click', () => void win.close());

// ── 8. windows ───────────────────────────────────────────────────────────────────────────────────────────────────
const windowLog = $('window-log');
void win.onResized(({ payload }) => logLine(windowLog, `tauri://resize → ${payload.width}×${payload.height} physical px`));
$('resize-btn').addEventListener('click', async () => {
  const out = $('window-out');
  try {
    await win.setSize(new LogicalSize(900, 640));
    const [size, scale] = await Promise.all([win.innerSize(), win.scaleFactor()]);
    const now = `${Math.round(size.width / scale)}×${Math.round(size.height / scale)}`;
    show(out, `asked for 900×640, the window is now ${now}`, now === '900×640' ? 'ok' : 'warn');
  } catch (error) {
    show(out, describeError(error), 'err');
  }
});
$('open-btn').addEventListener('click', () => {
  const out = $('window-out');
  const label = `second-${Date.now().toString(36)}`;
  const second = new WebviewWindow(label, { url: '/', title: 'Airlock demo (second window)', width: 560, height: 420 });
  void second.once('tauri://created', () => show(out, `window ${label} created`));
  void second.once('tauri://error', (e) => show(out, describeError(e.payload), 'err'));
});
