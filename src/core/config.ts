/**
 * Reads the parts of a Tauri v2 `tauri.conf.json` that Airlock uses. Unknown keys are ignored (an existing Tauri
 * project's config loads unchanged); a known key with the wrong type is a CONFIG error naming the file, the key and
 * what it should be.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import type { FsScopeConfig } from './fs-scope.js';
import { isValidLabel, LABEL_MESSAGE } from './targets.js';

export interface WindowConfig {
  readonly label: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  /** Path (relative to the app origin) the window opens. */
  readonly url: string;
}

export type PatternConfig = { readonly use: 'brownfield' } | { readonly use: 'isolation'; readonly dir: string };

export interface AppConfig {
  readonly productName: string;
  readonly version: string;
  readonly identifier: string;
  /** Absolute directory of built frontend assets, if any. */
  readonly frontendDist: string | undefined;
  /** Dev server URL (`build.devUrl`), if any. */
  readonly devUrl: string | undefined;
  readonly beforeDevCommand: string | undefined;
  readonly windows: readonly WindowConfig[];
  readonly pattern: PatternConfig;
  /** `app.security.assetProtocol`: whether `convertFileSrc` URLs are served, and from which files. */
  readonly assetProtocol: { readonly enable: boolean; readonly scope: FsScopeConfig };
  /**
   * `app.security.csp` / `devCsp` (as policy text; the object form is joined) and
   * `dangerousDisableAssetCspModification` (true, or the directives left unmodified).
   */
  readonly csp: { readonly csp?: string; readonly devCsp?: string; readonly disableModification: boolean | readonly string[] };
  /** `app.withGlobalTauri`: the page gets `window.__TAURI__` with the official API's modules. */
  readonly withGlobalTauri: boolean;
  /** `app.security.capabilities`: identifiers or inline capability objects; empty = every file. */
  readonly capabilities: readonly unknown[];
  /** `plugins`: each plugin's configuration by plugin name (a plugin's setup reads its own as `api.config`). */
  readonly plugins: Readonly<Record<string, unknown>>;
  /** Directory of the config file (capabilities/ and permissions/ are found next to it). */
  readonly configDir: string | undefined;
  /** Where the config came from, for messages. */
  readonly source: string;
}

type Json = Record<string, unknown>;

class Reader {
  constructor(readonly source: string) {}

  fail(key: string, expected: string, got: unknown): never {
    const shown = got === undefined ? 'nothing' : (JSON.stringify(got)?.slice(0, 60) ?? String(got));
    throw new AirlockError(ErrorCode.CONFIG, `${this.source}: \`${key}\` must be ${expected}, got ${shown}`, { data: { key } });
  }

  object(obj: Json, key: string, full: string): Json | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(full, 'an object', v);
    return v as Json;
  }

  string(obj: Json, key: string, full: string): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(full, 'a string', v);
    return v;
  }

  number(obj: Json, key: string, full: string): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) this.fail(full, 'a positive number', v);
    return v;
  }

  boolean(obj: Json, key: string, full: string): boolean | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(full, 'true or false', v);
    return v;
  }

  array(obj: Json, key: string, full: string): unknown[] | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) this.fail(full, 'an array', v);
    return v;
  }
}

export interface ConfigOverrides {
  readonly frontendDist?: string;
}

/** Loads a config from an object or a file path; relative paths resolve against the file's directory. */
export function loadConfig(input: string | object, overrides: ConfigOverrides = {}): AppConfig {
  let raw: unknown = input;
  let source = 'config';
  let configDir: string | undefined;
  if (typeof input === 'string') {
    const file = path.resolve(input);
    source = file;
    configDir = path.dirname(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new AirlockError(ErrorCode.CONFIG, `cannot read config file ${file}: ${(cause as Error).message}`, { cause });
    }
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      throw new AirlockError(ErrorCode.CONFIG, `${file} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
  }
  const r = new Reader(source);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) r.fail('(root)', 'an object', raw);
  const root = raw as Json;
  const base = configDir ?? process.cwd();

  const build = r.object(root, 'build', 'build') ?? {};
  const app = r.object(root, 'app', 'app') ?? {};
  const security = r.object(app, 'security', 'app.security') ?? {};

  let frontendDist = overrides.frontendDist;
  if (frontendDist === undefined) {
    const dist = build['frontendDist'];
    if (typeof dist === 'string') {
      frontendDist = /^https?:\/\//.test(dist) ? undefined : path.resolve(base, dist);
    } else if (dist !== undefined && dist !== null && !Array.isArray(dist)) {
      r.fail('build.frontendDist', 'a directory path, a URL or a list of files', dist);
    }
  }

  const windowsRaw = r.array(app, 'windows', 'app.windows') ?? [];
  const windows = windowsRaw.map((w, i) => readWindow(r, w, i));
  const labels = new Set<string>();
  for (const w of windows) {
    if (labels.has(w.label)) r.fail('app.windows', 'a list with unique labels', w.label);
    labels.add(w.label);
  }

  return {
    productName: r.string(root, 'productName', 'productName') ?? 'Airlock app',
    version: r.string(root, 'version', 'version') ?? '0.0.0',
    identifier: r.string(root, 'identifier', 'identifier') ?? 'dev.airlock.app',
    frontendDist,
    devUrl: r.string(build, 'devUrl', 'build.devUrl'),
    beforeDevCommand: readCommand(r, build, 'beforeDevCommand'),
    windows: windows.length > 0 ? windows : [defaultWindow('main', 'Airlock app')],
    pattern: readPattern(r, security, base),
    withGlobalTauri: r.boolean(app, 'withGlobalTauri', 'app.withGlobalTauri') ?? false,
    assetProtocol: readAssetProtocol(r, security),
    csp: readCsp(r, security),
    capabilities: r.array(security, 'capabilities', 'app.security.capabilities') ?? [],
    plugins: Object.freeze({ ...(r.object(root, 'plugins', 'plugins') ?? {}) }),
    configDir,
    source,
  };
}

function defaultWindow(label: string, title: string): WindowConfig {
  return { label, title, width: 800, height: 600, url: '/' };
}

function readWindow(r: Reader, w: unknown, i: number): WindowConfig {
  const key = `app.windows[${i}]`;
  if (typeof w !== 'object' || w === null || Array.isArray(w)) r.fail(key, 'an object', w);
  const obj = w as Json;
  const label = r.string(obj, 'label', `${key}.label`) ?? 'main';
  if (!isValidLabel(label)) r.fail(`${key}.label`, `a valid label (${LABEL_MESSAGE})`, label);
  const url = r.string(obj, 'url', `${key}.url`) ?? '/';
  return {
    label,
    title: r.string(obj, 'title', `${key}.title`) ?? label,
    width: r.number(obj, 'width', `${key}.width`) ?? 800,
    height: r.number(obj, 'height', `${key}.height`) ?? 600,
    url: /^https?:\/\//.test(url) ? url : `/${url.replace(/^\/+/, '')}`,
  };
}

function readCommand(r: Reader, build: Json, key: string): string | undefined {
  const v = build[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v) && typeof (v as Json)['script'] === 'string') return (v as Json)['script'] as string;
  return r.fail(`build.${key}`, 'a string or { "script": string }', v);
}

function strings(r: Reader, value: unknown, key: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) r.fail(key, 'a list of path patterns', value);
  return value as string[];
}

/** Tauri's `FsScope`: a list of allowed patterns, or `{ allow, deny, requireLiteralLeadingDot }`. */
function readFsScope(r: Reader, value: unknown, key: string): FsScopeConfig {
  if (value === undefined || value === null) return { allow: [], deny: [] };
  if (Array.isArray(value)) return { allow: strings(r, value, key), deny: [] };
  if (typeof value !== 'object') r.fail(key, 'a list of path patterns or { allow, deny }', value);
  const o = value as Json;
  const dot = r.boolean(o, 'requireLiteralLeadingDot', `${key}.requireLiteralLeadingDot`);
  return {
    allow: o['allow'] === undefined ? [] : strings(r, o['allow'], `${key}.allow`),
    deny: o['deny'] === undefined ? [] : strings(r, o['deny'], `${key}.deny`),
    ...(dot === undefined ? {} : { requireLiteralLeadingDot: dot }),
  };
}

/** A policy as Tauri accepts it: a string, or `{ directive: "sources" | ["source", …] }`. */
function readPolicy(r: Reader, security: Json, key: string): string | undefined {
  const v = security[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  const expected = 'a policy string or an object of directive → string or list of strings';
  if (typeof v !== 'object' || Array.isArray(v)) r.fail(`app.security.${key}`, expected, v);
  const parts: string[] = [];
  for (const [directive, sources] of Object.entries(v as Json)) {
    if (typeof sources === 'string') parts.push(`${directive} ${sources}`.trim());
    else if (Array.isArray(sources) && sources.every((x) => typeof x === 'string')) parts.push([directive, ...sources].join(' '));
    else r.fail(`app.security.${key}.${directive}`, 'a string or a list of strings', sources);
  }
  return parts.join('; ');
}

function readCsp(r: Reader, security: Json): AppConfig['csp'] {
  const csp = readPolicy(r, security, 'csp');
  const devCsp = readPolicy(r, security, 'devCsp');
  const d = security['dangerousDisableAssetCspModification'];
  let disableModification: boolean | string[] = false;
  if (typeof d === 'boolean') disableModification = d;
  else if (Array.isArray(d) && d.every((x) => typeof x === 'string')) disableModification = d.map((x) => x.toLowerCase());
  else if (d !== undefined && d !== null)
    r.fail('app.security.dangerousDisableAssetCspModification', 'a boolean or a list of directive names', d);
  return { ...(csp === undefined ? {} : { csp }), ...(devCsp === undefined ? {} : { devCsp }), disableModification };
}

function readAssetProtocol(r: Reader, security: Json): AppConfig['assetProtocol'] {
  const a = r.object(security, 'assetProtocol', 'app.security.assetProtocol') ?? {};
  return {
    enable: r.boolean(a, 'enable', 'app.security.assetProtocol.enable') ?? false,
    scope: readFsScope(r, a['scope'], 'app.security.assetProtocol.scope'),
  };
}

function readPattern(r: Reader, security: Json, base: string): PatternConfig {
  const p = r.object(security, 'pattern', 'app.security.pattern');
  if (p === undefined) return { use: 'brownfield' };
  const use = p['use'];
  if (use === 'brownfield') return { use };
  if (use !== 'isolation') r.fail('app.security.pattern.use', '"brownfield" or "isolation"', use);
  const options = r.object(p, 'options', 'app.security.pattern.options') ?? {};
  const dir = r.string(options, 'dir', 'app.security.pattern.options.dir');
  if (dir === undefined) r.fail('app.security.pattern.options.dir', 'the isolation application directory', dir);
  return { use: 'isolation', dir: path.resolve(base, dir) };
}
