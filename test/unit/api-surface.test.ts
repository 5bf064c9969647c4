// The whole @tauri-apps/api 2.12.5 surface: docs/api-compatibility.md names every command string the installed
// package contains (no more, no fewer), and every command, granted by a capability, answers as that table says —
// `answered` resolves, `no-op` resolves null with exactly one warning per setter, `unsupported` rejects a string
// beginning `unsupported:` — and none rejects `not found`. Then the page-reported window state: getters in Tauri's
// physical pixels, window events with Tauri's payloads, setters sent to the page, and windows created from the core.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type App, Builder } from 'airlock';
import { connectInMemory, type EventRecord, type InMemoryPage } from 'airlock/testing';
import type { WindowReport } from '../../src/protocol/frames.ts';
import { testFrontend } from '../helpers/frontend.ts';
import { TEST_PNG_RGBA, testPng } from '../helpers/png.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const apiDir = path.join(root, 'node_modules', '@tauri-apps', 'api');

/** Every `plugin:<p>|<cmd>` literal in the package's ESM files. */
function apiCommands(): Set<string> {
  const files = [
    ...readdirSync(apiDir).filter((f) => f.endsWith('.js')),
    ...readdirSync(path.join(apiDir, 'menu'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => path.join('menu', f)),
  ];
  const found = new Set<string>();
  for (const f of files)
    for (const m of readFileSync(path.join(apiDir, f), 'utf8').matchAll(/plugin:[a-zA-Z_]+\|[a-zA-Z_]+/g)) found.add(m[0]);
  return found;
}

type Status = 'answered' | 'no-op' | 'unsupported';

function docTable(): Map<string, Status> {
  const text = readFileSync(path.join(root, 'docs', 'api-compatibility.md'), 'utf8');
  const rows = new Map<string, Status>();
  for (const m of text.matchAll(/^\| `(plugin:\w+)\\\|(\w+)` \| (answered|no-op|unsupported) \|/gm))
    rows.set(`${m[1]}|${m[2]}`, m[3] as Status);
  return rows;
}

const png = testPng;
const PNG_RGBA = TEST_PNG_RGBA;

/** What a page at 1.5× on a 1920×1080 screen (CSS pixels) would report. */
const REPORT: WindowReport = {
  iw: 800,
  ih: 600,
  ow: 810,
  oh: 640,
  x: 100,
  y: 50,
  sf: 1.5,
  f: true,
  h: false,
  fs: false,
  th: 'light',
  ti: 'Reported title',
  sc: [0, 0, 1920, 1080, 0, 30, 1920, 1050],
  cx: 200,
  cy: 300,
};

interface Fixture {
  app: App;
  page: InMemoryPage;
  logs: string[];
  tmp: string;
}

async function start(permissions: string[]): Promise<Fixture> {
  const logs: string[] = [];
  const app = await Builder.default()
    .logger((level, m) => logs.push(`${level}: ${m}`))
    .build({
      frontendDist: await testFrontend(),
      config: {
        identifier: 'dev.airlock.surface',
        app: {
          windows: [{ label: 'main', title: 'Main' }, { label: 'other' }],
          security: { capabilities: [{ identifier: 'all', windows: ['*'], permissions }] },
        },
      },
    });
  await app.serve({ port: 0 });
  const page = await connectInMemory(app, 'main');
  return { app, page, logs, tmp: mkdtempSync(path.join(tmpdir(), 'airlock-surface-')) };
}

const permissionOf = (command: string): string => {
  const [plugin, cmd] = command.slice('plugin:'.length).split('|') as [string, string];
  return `core:${plugin}:allow-${cmd.replaceAll('_', '-')}`;
};

const settle = (p: Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe('@tauri-apps/api 2.12.5 surface', () => {
  test('docs/api-compatibility.md lists exactly the command strings of the installed package', () => {
    const api = apiCommands();
    const doc = docTable();
    assert.equal(api.size, 160, 'the pinned api sends 160 distinct commands');
    assert.deepEqual([...doc.keys()].sort(), [...api].sort());
  });

  test('every command, granted by a capability, answers as the table says; none rejects `not found`', async () => {
    const table = docTable();
    const f = await start([...table.keys()].map(permissionOf));
    try {
      const { page, app, logs, tmp } = f;
      page.reportWindow(REPORT);
      const pngPath = path.join(tmp, 'icon.png');
      writeFileSync(pngPath, png());
      const rids: { image?: number; closable?: number } = {};
      const w = { label: 'main' };
      const args: Record<string, () => unknown> = {
        'plugin:event|listen': () => ({ event: 'surface', target: { kind: 'Any' }, handler: 7 }),
        'plugin:event|unlisten': () => ({ event: 'surface', eventId: 1 }),
        'plugin:event|emit': () => ({ event: 'surface', payload: 1 }),
        'plugin:event|emit_to': () => ({ target: { kind: 'Any' }, event: 'surface', payload: 1 }),
        'plugin:app|set_app_theme': () => ({ theme: 'dark' }),
        'plugin:app|exit': () => ({ code: 0 }),
        'plugin:app|set_dock_visibility': () => ({ visible: true }),
        'plugin:app|remove_data_store': () => ({ uuid: [1, 2, 3] }),
        'plugin:path|resolve_directory': () => ({ directory: 14, path: 'state.json' }),
        'plugin:path|resolve': () => ({ paths: ['/a', 'b', '../c'] }),
        'plugin:path|normalize': () => ({ path: '/a/./b/../c' }),
        'plugin:path|join': () => ({ paths: ['a', 'b/', 'c'] }),
        'plugin:path|dirname': () => ({ path: '/a/b.txt' }),
        'plugin:path|extname': () => ({ path: '/a/b.txt' }),
        'plugin:path|basename': () => ({ path: '/a/b.txt', ext: '.txt' }),
        'plugin:path|is_absolute': () => ({ path: '/a' }),
        'plugin:image|new': () => ({ rgba: [1, 2, 3, 4], width: 1, height: 1 }),
        'plugin:image|from_bytes': () => ({ bytes: [...png()] }),
        'plugin:image|from_path': () => ({ path: pngPath }),
        'plugin:image|rgba': () => ({ rid: rids.image }),
        'plugin:image|size': () => ({ rid: rids.image }),
        'plugin:resources|close': () => ({ rid: rids.closable }),
        'plugin:tray|get_by_id': () => ({ id: 'tray' }),
        'plugin:tray|remove_by_id': () => ({ id: 'tray' }),
        'plugin:window|set_title': () => ({ ...w, value: 'New title' }),
        'plugin:window|set_size': () => ({ ...w, value: { Logical: { width: 640, height: 480 } } }),
        'plugin:window|set_position': () => ({ ...w, value: { Physical: { x: 30, y: 60 } } }),
        'plugin:window|set_fullscreen': () => ({ ...w, value: false }),
        'plugin:window|set_cursor_icon': () => ({ ...w, value: 'hand' }),
        'plugin:window|set_cursor_visible': () => ({ ...w, value: false }),
        'plugin:window|monitor_from_point': () => ({ x: 10, y: 10 }),
        'plugin:window|close': () => ({ label: 'other' }),
        'plugin:window|destroy': () => ({ label: 'other' }),
        'plugin:webview|webview_close': () => ({ label: 'other' }),
        'plugin:webview|set_webview_zoom': () => ({ ...w, value: 1.25 }),
        'plugin:webview|create_webview_window': () => ({ options: { label: 'second', url: '/', title: 'Second' } }),
      };
      const expected: Record<string, unknown> = {
        'plugin:path|resolve': '/a/c',
        'plugin:path|normalize': '/a/c',
        'plugin:path|join': 'a/b/c',
        'plugin:path|dirname': '/a',
        'plugin:path|extname': 'txt',
        'plugin:path|basename': 'b',
        'plugin:path|is_absolute': true,
        'plugin:window|inner_size': { width: 1200, height: 900 },
        'plugin:window|outer_size': { width: 1215, height: 960 },
        'plugin:window|outer_position': { x: 150, y: 75 },
        'plugin:window|scale_factor': 1.5,
        'plugin:window|is_focused': true,
        'plugin:window|theme': 'light',
        'plugin:window|title': 'New title', // set_title ran first (the table is in order)
        'plugin:window|cursor_position': { x: 300, y: 450 },
        'plugin:window|is_maximized': false,
        'plugin:webview|webview_size': { width: 1200, height: 900 },
        'plugin:tray|get_by_id': null,
        'plugin:app|fetch_data_store_identifiers': [],
      };
      // Images first (rgba/size/close need a rid), exit last (it closes the app).
      const order = [...table.keys()].sort((a, b) => rank(a) - rank(b));
      for (const command of order) {
        const status = table.get(command) as Status;
        if (command === 'plugin:image|rgba' || command === 'plugin:image|size')
          rids.image ??= (await page.invoke('plugin:image|from_bytes', args['plugin:image|from_bytes']?.())) as number;
        if (command === 'plugin:resources|close')
          rids.closable = (await page.invoke('plugin:image|new', args['plugin:image|new']?.())) as number;
        const a = args[command]?.() ?? (command.startsWith('plugin:window|') || command.startsWith('plugin:webview|') ? w : {});
        const first = await settle(page.invoke(command, a));
        const where = `${command} (${status})`;
        if (!first.ok) assert.doesNotMatch(String(first.error), /not found/, `${where} rejected ${JSON.stringify(first.error)}`);
        if (status === 'unsupported') {
          assert.equal(first.ok, false, `${where} resolved`);
          if (!first.ok) assert.match(String(first.error), /^unsupported: \w+: ./, where);
          continue;
        }
        assert.equal(first.ok, true, `${where} rejected ${first.ok ? '' : JSON.stringify(first.error)}`);
        if (!first.ok) continue;
        if (status === 'no-op') {
          assert.equal(first.value, null, where);
          assert.equal((await settle(page.invoke(command, a))).ok, true, `${where}, second call`);
          const cmd = command.split('|')[1] as string;
          assert.equal(
            logs.filter((l) => l.startsWith('warn:') && l.includes(`\`${cmd}\` has no effect`)).length,
            1,
            `${where}: one warning`,
          );
        } else if (command in expected) assert.deepEqual(first.value, expected[command], where);
        else assert.notEqual(first.value, undefined, where);
        if (command === 'plugin:image|from_bytes') {
          const rgba = await page.invoke('plugin:image|rgba', { rid: first.value });
          assert.deepEqual([...(rgba as Uint8Array)], PNG_RGBA, 'the PNG decodes to its pixels');
        }
        if (command === 'plugin:app|exit') {
          while (!app.closed) await new Promise((r) => setImmediate(r));
        }
      }
      assert.ok(app.closed, 'exit closed the app');
      const appDataFile = await settle(Promise.resolve(app.path.resolve(14, 'state.json')));
      assert.ok(appDataFile.ok && String(appDataFile.value).endsWith(path.join('dev.airlock.surface', 'state.json')));
    } finally {
      await f.app.close();
    }
  });
});

function rank(command: string): number {
  if (command === 'plugin:app|exit') return 2;
  if (command.startsWith('plugin:image|') || command === 'plugin:resources|close') return 0;
  return 1;
}

describe('window state from the page', () => {
  const all = [
    'core:default',
    'core:window:allow-set-title',
    'core:window:allow-set-size',
    'core:window:allow-maximize',
    'core:window:allow-set-always-on-top',
    'core:webview:allow-create-webview-window',
  ];

  test('getters answer from the config before a report, then from the report in physical pixels', async () => {
    const { app, page } = await start(all);
    try {
      assert.deepEqual(await page.invoke('plugin:window|inner_size', { label: 'main' }), { width: 800, height: 600 });
      assert.equal(await page.invoke('plugin:window|title', { label: 'main' }), 'Main');
      assert.equal(await page.invoke('plugin:window|current_monitor'), null, 'no screen seen yet');
      assert.equal(await page.invoke('plugin:window|is_focused', { label: 'main' }), false);
      await assert.rejects(page.invoke('plugin:window|cursor_position'), (e) => String(e).startsWith('unsupported: cursor_position'));
      page.reportWindow(REPORT);
      assert.deepEqual(await page.invoke('plugin:window|inner_size', { label: 'main' }), { width: 1200, height: 900 });
      assert.deepEqual(await page.invoke('plugin:window|current_monitor'), {
        name: null,
        scaleFactor: 1.5,
        position: { x: 0, y: 0 },
        size: { width: 2880, height: 1620 },
        workArea: { position: { x: 0, y: 45 }, size: { width: 2880, height: 1575 } },
      });
      assert.deepEqual(await page.invoke('plugin:window|monitor_from_point', { x: 5000, y: 10 }), null);
      assert.equal(Array.isArray(await page.invoke('plugin:window|available_monitors')), true);
      page.reportWindow({ ...REPORT, ow: 1920, oh: 1050 });
      assert.equal(await page.invoke('plugin:window|is_maximized', { label: 'main' }), true);
      await assert.rejects(page.invoke('plugin:window|inner_size', { label: 'nope' }), (e) => e === 'window not found');
      await assert.rejects(page.invoke('plugin:webview|webview_size', { label: 'nope' }), (e) => e === 'webview not found');
    } finally {
      await app.close();
    }
  });

  test('a changed report emits tauri://resize, move, focus/blur, theme-changed and scale-change with Tauri payloads', async () => {
    const { app, page } = await start(all);
    try {
      const seen: EventRecord[] = [] as EventRecord[];
      for (const e of ['tauri://resize', 'tauri://move', 'tauri://focus', 'tauri://blur', 'tauri://theme-changed', 'tauri://scale-change'])
        await page.listen(e, (r) => seen.push(r), { kind: 'Window', label: 'main' });
      page.reportWindow(REPORT);
      page.reportWindow(REPORT);
      await page.invoke('plugin:app|version');
      assert.deepEqual(seen, [], 'the first report is the baseline; an equal one changes nothing');
      page.reportWindow({ ...REPORT, iw: 400, ih: 300 });
      page.reportWindow({ ...REPORT, iw: 400, ih: 300, x: 10, y: 20 });
      page.reportWindow({ ...REPORT, iw: 400, ih: 300, x: 10, y: 20, f: false });
      page.reportWindow({ ...REPORT, iw: 400, ih: 300, x: 10, y: 20, f: true, th: 'dark' });
      page.reportWindow({ ...REPORT, iw: 400, ih: 300, x: 10, y: 20, f: true, th: 'dark', sf: 2 });
      await page.invoke('plugin:app|version');
      assert.deepEqual(
        seen.map((e: EventRecord) => [e.event, e.payload]),
        [
          ['tauri://resize', { width: 600, height: 450 }],
          ['tauri://move', { x: 15, y: 30 }],
          ['tauri://blur', null],
          ['tauri://focus', null],
          ['tauri://theme-changed', 'dark'],
          ['tauri://scale-change', { scaleFactor: 2, size: { width: 800, height: 600 } }],
          ['tauri://resize', { width: 800, height: 600 }],
          ['tauri://move', { x: 20, y: 40 }],
        ],
      );
    } finally {
      await app.close();
    }
  });

  test('setters the page can carry out are sent to it, in CSS pixels; a no-op setter warns once', async () => {
    const { app, page, logs } = await start(all);
    try {
      page.reportWindow(REPORT);
      await page.invoke('plugin:window|set_title', { label: 'main', value: 'Hi' });
      await page.invoke('plugin:window|set_size', { label: 'main', value: { Physical: { width: 300, height: 150 } } });
      await page.invoke('plugin:window|maximize', { label: 'main' });
      await page.invoke('plugin:window|set_always_on_top', { label: 'main', value: true });
      await page.invoke('plugin:window|set_always_on_top', { label: 'main', value: false });
      assert.deepEqual(page.windowOps, [
        { op: 'title', value: 'Hi' },
        { op: 'size', value: { width: 200, height: 100 } },
        { op: 'maximize', value: undefined },
      ]);
      assert.equal(logs.filter((l) => l.includes('`set_always_on_top` has no effect')).length, 1);
      await assert.rejects(page.invoke('plugin:window|set_title', { label: 'main', value: 3 }), (e: { message?: string }) =>
        /invalid args `value` for command `set_title`/.test(e.message ?? ''),
      );
    } finally {
      await app.close();
    }
  });

  test('createWebviewWindow from the core and from the page: listed, a label in use refused, the host asked', async () => {
    const { app, page, logs } = await start(all);
    try {
      const asked: string[] = [];
      const first = await app.createWebviewWindow('second', { url: '/', title: 'Second' });
      assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+\/#__airlock=/);
      assert.ok(
        logs.some((l) => l.includes('window `second`: open http://127.0.0.1')),
        'with no host, the URL is logged',
      );
      await assert.rejects(app.createWebviewWindow('second'), /a webview with label `second` already exists/);
      app.onWindowRequested((r) => {
        asked.push(`${r.label} ${r.options.title}`);
      });
      await page.invoke('plugin:webview|create_webview_window', { options: { label: 'third', title: 'Third' } });
      assert.deepEqual(asked, ['third Third']);
      await assert.rejects(page.invoke('plugin:webview|create_webview_window', { options: { label: 'main' } }), (e) =>
        String(e).includes('a webview with label `main` already exists'),
      );
      const labels = (await page.invoke('plugin:window|get_all_windows')) as string[];
      assert.deepEqual([...labels].sort(), ['main', 'other', 'second', 'third']);
      assert.equal(await page.invoke('plugin:window|title', { label: 'third' }), 'Third');
    } finally {
      await app.close();
    }
  });
});
