// The folder boundaries of ARCHITECTURE.md, checked on every module reference in src/: static imports, `export … from`,
// dynamic `import()` and `require()` (see test/helpers/imports.ts). Every folder and top-level file of src/ needs a
// rule here; a new one fails the suite until it has one.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { findImports } from '../helpers/imports.ts';

const src = path.join(import.meta.dirname, '..', '..', 'src');

interface Rule {
  /** Paths under src/ (a folder, or a module without extension) this code may import at run time. */
  imports: string[];
  /** Paths it may import for types only (`import type`, `export type … from`, `typeof import()`), erased at build. */
  types?: string[];
  /** Packages (bare specifiers) it may import. */
  packages: RegExp;
  /** Why this code may `import()` a computed specifier; without it, a computed one is a violation. */
  computed?: string;
}

const NONE = /^$/;
/** Folder (or top-level module, without `.ts`) under src/ → what it may reference. */
const RULES: Record<string, Rule> = {
  protocol: { imports: ['protocol'], packages: NONE },
  acl: { imports: ['acl', 'protocol'], types: ['core/commands'], packages: /^(node:(fs|path)|smol-toml)$/ },
  core: { imports: ['core', 'protocol'], packages: /^(node:(crypto|async_hooks|events|fs|os|path|url)|zod|picomatch)$/ },
  // Plugins, the core's own (plugins/core) and first-party ones: written on the core's public plugin API.
  plugins: { imports: ['plugins', 'core', 'protocol'], packages: /^(node:.*|zod|urlpattern-polyfill\/urlpattern)$/ },
  transports: { imports: ['transports', 'core', 'protocol'], packages: /^(node:.*|ws|mime)$/ },
  // Browser code: bundled into the page and the isolation frame, so no Node module and no core at run time.
  // The one package: global-tauri.ts bundles the official API for `window.__TAURI__`.
  webview: { imports: ['webview', 'protocol'], packages: /^@tauri-apps\/api\/[a-zA-Z]+$/ },
  isolation: { imports: ['isolation', 'protocol'], packages: NONE },
  inspector: { imports: ['inspector', 'protocol'], types: ['core/trace'], packages: NONE },
  // airlock/client and airlock/client/mocks: browser modules the app's frontend bundles, on the protocol alone.
  client: { imports: ['client', 'protocol'], packages: NONE },
  // The CLI is the outermost Node layer: it may use any Node-side folder, never the browser runtimes.
  cli: {
    imports: ['cli', 'core', 'protocol', 'acl', 'transports'],
    packages: /^(node:.*|tsx\/esm\/api)$/,
    computed: "it loads the user's backend entry, a file of the app's project",
  },
  builder: { imports: ['builder', 'core', 'protocol', 'acl', 'transports', 'plugins'], packages: NONE },
  index: { imports: ['builder', 'core', 'protocol'], packages: NONE },
  testing: { imports: ['transports/memory', 'core', 'protocol'], packages: NONE },
};

/** Which rule a file under src/ falls under: its top folder, or its own name for a top-level module. */
function ruleName(rel: string): string {
  const [first = '', ...rest] = rel.split('/');
  return rest.length === 0 ? first.replace(/\.[cm]?[jt]s$/, '') : first;
}

const covers = (entries: string[] | undefined, target: string): boolean =>
  (entries ?? []).some((e) => target === e || target.startsWith(`${e}/`));

/** The boundary violations in one file; `rel` is its path under src/ with forward slashes. */
function violations(rel: string, text: string): string[] {
  const name = ruleName(rel);
  const rule = RULES[name];
  if (rule === undefined) return [`src/${rel}: no rule for src/${name} in test/unit/architecture.test.ts`];
  const out: string[] = [];
  for (const ref of findImports(text)) {
    const where = `src/${rel}:${ref.line} (${ref.form}${ref.typeOnly ? ', type' : ''})`;
    if (ref.specifier === undefined) {
      if (rule.computed !== undefined && ref.form === 'dynamic-import') continue;
      out.push(`${where} → a computed specifier, which no boundary check can vouch for`);
      continue;
    }
    if (ref.specifier.startsWith('.')) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), ref.specifier)).replace(/\.[cm]?[jt]s$/, '');
      const ok = covers(rule.imports, target) || (ref.typeOnly && covers(rule.types, target));
      if (target.startsWith('../') || !ok) out.push(`${where} → ${ref.specifier}`);
    } else if (!rule.packages.test(ref.specifier)) {
      out.push(`${where} → ${ref.specifier}`);
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((f) => String(f).split(path.sep).join('/'))
    .filter((f) => /\.[cm]?[jt]s$/.test(f));
}

describe('folder boundaries in src/', () => {
  test('every folder and top-level module of src/ has a rule', () => {
    const entries = readdirSync(src).map((e) => (statSync(path.join(src, e)).isDirectory() ? e : e.replace(/\.[cm]?[jt]s$/, '')));
    assert.deepEqual(
      entries.filter((e) => RULES[e] === undefined),
      [],
    );
  });

  for (const [name, rule] of Object.entries(RULES)) {
    const extra = rule.types === undefined ? '' : `, types from ${rule.types.join(', ')}`;
    test(`src/${name} imports only ${rule.imports.join(', ')}${extra}${rule.packages === NONE ? '' : ' and its packages'}`, () => {
      const dir = path.join(src, name);
      const files = statSync(dir, { throwIfNoEntry: false })?.isDirectory() ? sourceFiles(dir).map((f) => `${name}/${f}`) : [`${name}.ts`];
      assert.ok(files.length > 0);
      assert.deepEqual(
        files.flatMap((rel) => violations(rel, readFileSync(path.join(src, rel), 'utf8'))),
        [],
      );
    });
  }
});

test("ARCHITECTURE.md's code map names every file of src/", () => {
  const doc = readFileSync(path.join(src, '..', 'ARCHITECTURE.md'), 'utf8');
  const map = doc.slice(doc.indexOf('## Code map'), doc.indexOf('## Invariants'));
  // One bullet per folder (`- \`src/x/\` — …`), or per top-level module (`- \`src/x.ts\``).
  const bullets = map.split(/\n(?=- )/);
  const missing = sourceFiles(src).filter((rel) => {
    const [folder, file] = rel.includes('/') ? [rel.slice(0, rel.indexOf('/')), rel.slice(rel.indexOf('/') + 1)] : ['', rel];
    if (folder === '') return !map.includes(`\`src/${file}\``);
    const bullet = bullets.find((b) => b.startsWith(`- \`src/${folder}/\``));
    return bullet === undefined || !bullet.includes(`\`${file}\``);
  });
  assert.deepEqual(missing, []);
});

test('only src/protocol spells a frame: no frame field literal anywhere else in src/', () => {
  // The keys of the frames of frames.ts as JSON text (`"t":`, `"cb":`, `"r":` …): building or matching them by hand
  // is what src/protocol/page.ts and codec.ts are for.
  const frameKey = /"(t|c|cb|er|a|h|b|i|q|n|k|r|d|e|p|l|m|end|hello)":/;
  const found = sourceFiles(src)
    .filter((rel) => !rel.startsWith('protocol/'))
    .flatMap((rel) =>
      readFileSync(path.join(src, rel), 'utf8')
        .split('\n')
        .flatMap((line, i) => (frameKey.test(line) ? [`src/${rel}:${i + 1}: ${line.trim()}`] : [])),
    );
  assert.deepEqual(found, []);
});

test('src/ cites nothing outside the repository: no spec sections, issue numbers or session documents', () => {
  const outside = [
    /§/,
    /\bissues? #?\d+/i,
    /\(#\d+\)/,
    /github\.com\//,
    /\.\.\/shared\/[\w-]+\.md/,
    /\/work\//,
    /tauri-ipc-spec|peers-and-threats|code-style\.md|machine-notes/,
    // Upstream source files: name the Tauri item instead (`resolve_access`, its `BadResourceId` error).
    /\bcrates\/|\.rs\b/,
  ];
  const found = sourceFiles(src).flatMap((rel) =>
    readFileSync(path.join(src, rel), 'utf8')
      .split('\n')
      .flatMap((line, i) => (outside.some((re) => re.test(line)) ? [`src/${rel}:${i + 1}: ${line.trim()}`] : [])),
  );
  assert.deepEqual(found, []);
});

describe('the checker catches each form of a wrong import in src/core', () => {
  const wrong: Record<string, string> = {
    'a static import': `import { startServer } from '../transports/server.js';\n`,
    'a side-effect import': `import '../transports/server.js';\n`,
    'a multi-line static import': `import {\n  startServer,\n  type ServerOptions,\n} from '../transports/server.js';\n`,
    'a type-only import of a folder core may not see': `import type { ServerOptions } from '../transports/server.js';\n`,
    'export … from': `export { startServer } from '../transports/server.js';\n`,
    'export * from': `export * from '../transports/server.js';\n`,
    'export * as … from': `export * as server from '../transports/server.js';\n`,
    'a dynamic import()': `export async function load() {\n  return await import('../transports/server.js');\n}\n`,
    'a dynamic import() of a computed path': `export const load = (name: string) => import(\`../transports/\${name}.js\`);\n`,
    'require()': `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nexport const ws = require('ws');\n`,
    'import x = require()': `import server = require('../transports/server.js');\n`,
    'a package core may not use': `import { WebSocketServer } from 'ws';\n`,
    'a path outside src/': `import { x } from '../../test/helpers/app.ts';\n`,
  };
  for (const [form, text] of Object.entries(wrong)) {
    test(form, () => {
      const found = violations('core/wrong.ts', text);
      assert.ok(found.length > 0, `expected a violation for:\n${text}`);
    });
  }

  test('what only looks like an import is not one', () => {
    const text = [
      `// import { startServer } from '../transports/server.js';`,
      `/* export * from '../transports/server.js'; */`,
      `const a = "import('../transports/server.js')";`,
      `const b = \`require('ws') \${1 + 1} import '../transports/x.js'\`;`,
      `const c = /import\\('ws'\\)/.test(a) ? 1 / 2 : 3;`,
      `const d = { import: 1, require: 2 }.import + x.require;`,
      `const e = import.meta.url;`,
      `import { AirlockError } from '../protocol/errors.js';`,
      `export { AirlockError };`,
      `export type { Channel } from './channels.js';`,
    ].join('\n');
    assert.deepEqual(violations('core/fine.ts', text), []);
  });

  test('a type-only import is allowed only where the rule says so', () => {
    assert.deepEqual(violations('acl/x.ts', `import type { CommandScope } from '../core/commands.js';\n`), []);
    assert.equal(violations('acl/x.ts', `import { command } from '../core/commands.js';\n`).length, 1);
    assert.equal(violations('acl/x.ts', `export type { CommandScope } from '../core/app.js';\n`).length, 1);
  });

  test('a file in a folder with no rule is reported', () => {
    assert.match(violations('newfolder/x.ts', '')[0] ?? '', /no rule for src\/newfolder/);
  });
});
