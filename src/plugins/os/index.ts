/**
 * The `os` plugin, for `@tauri-apps/plugin-os` 2.x: the synchronous getters (`platform()`, `arch()`, `family()`,
 * `type()`, `version()`, `eol()`, `exeExtension()`) read `window.__TAURI_OS_PLUGIN_INTERNALS__`, which this plugin's
 * init script defines in every page with the values rendered when the app is built; `locale()` and `hostname()`
 * are commands. Values use Rust's names, as Tauri reports them (`macos`, `x86_64`, `aarch64` …).
 *
 * @example
 *   import os from 'airlock/plugins/os';
 *   await Builder.default().plugin(os()).build();
 */
import { readFileSync } from 'node:fs';
import nodeOs from 'node:os';
import { PluginBuilder } from '../../core/plugin.js';
import { globalApi } from '../shared/global-api.js';

/** The os plugin has no options (Tauri's has none either); the object is accepted for symmetry with the others. */
export type OsOptions = Record<string, never>;

/** What the guest package reads synchronously (snake_case keys, as Tauri's init script defines them). */
export interface OsInfo {
  readonly eol: string;
  readonly os_type: string;
  readonly platform: string;
  readonly family: string;
  readonly version: string;
  readonly arch: string;
  readonly exe_extension: string;
}

/** Rust's `std::env::consts::OS` for a Node platform. */
export function rustPlatform(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macos';
  if (platform === 'win32') return 'windows';
  return platform;
}

/** Rust's `std::env::consts::ARCH` for a Node arch. */
export function rustArch(arch: string): string {
  const names: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'x86', ppc64: 'powerpc64', loong64: 'loongarch64' };
  return names[arch] ?? arch;
}

/** `os_info`'s version as Display prints it: a numeric version padded to three parts, else the text, else `Unknown`. */
export function displayVersion(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') return 'Unknown';
  const v = raw.trim();
  if (/^\d+(\.\d+){0,2}$/.test(v)) {
    const parts = v.split('.');
    while (parts.length < 3) parts.push('0');
    return parts.join('.');
  }
  return v;
}

/** `VERSION_ID` of an os-release file's text. */
export function osReleaseVersion(text: string | undefined): string | undefined {
  const m = /^VERSION_ID=(?:"([^"]*)"|'([^']*)'|(\S*))\s*$/m.exec(text ?? '');
  return m === null ? undefined : (m[1] ?? m[2] ?? m[3]);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function osVersion(platform: NodeJS.Platform): string {
  if (platform === 'linux') return displayVersion(osReleaseVersion(readText('/etc/os-release') ?? readText('/usr/lib/os-release')));
  if (platform === 'darwin') {
    // Darwin's kernel release is not the macOS version; os.release() 23.x is macOS 14.x.
    const major = Number(nodeOs.release().split('.')[0]);
    return Number.isFinite(major) && major >= 20 ? displayVersion(`${major - 9}`) : displayVersion(nodeOs.release());
  }
  return displayVersion(nodeOs.release());
}

/** The values of this machine. */
export function osInfo(platform: NodeJS.Platform = process.platform, arch: string = process.arch): OsInfo {
  const p = rustPlatform(platform);
  const type = p === 'macos' || p === 'windows' || p === 'ios' || p === 'android' ? p : 'linux';
  return {
    eol: platform === 'win32' ? '\r\n' : '\n',
    os_type: type,
    platform: p,
    family: platform === 'win32' ? 'windows' : 'unix',
    version: osVersion(platform),
    arch: rustArch(arch),
    exe_extension: platform === 'win32' ? 'exe' : '',
  };
}

/**
 * The locale as `sys_locale` gives it on Unix: the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set, with the
 * codeset and modifier cut and `_` made `-` (`en_US.UTF-8` → `en-US`); `null` when none names a language.
 */
export function localeOf(env: NodeJS.ProcessEnv): string | null {
  for (const key of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const v = env[key];
    if (v === undefined || v === '') continue;
    const tag = v.split('.')[0]?.split('@')[0]?.replaceAll('_', '-') ?? '';
    if (tag === '' || tag === 'C' || tag === 'POSIX') return null;
    return tag;
  }
  return null;
}

function locale(): string | null {
  if (process.platform === 'win32' || process.platform === 'darwin') {
    return Intl.DateTimeFormat().resolvedOptions().locale || null;
  }
  return localeOf(process.env);
}

export default function os(_options: OsOptions = {}) {
  const info = osInfo();
  return new PluginBuilder('os')
    .invokeHandler({
      locale: () => locale(),
      hostname: () => nodeOs.hostname(),
      // Tauri 2.0's command names, still in its permission set (os:allow-platform …); the guest reads the init
      // script's global instead, so these answer the same values for a caller that invokes them.
      platform: () => info.platform,
      version: () => info.version,
      os_type: () => info.os_type,
      family: () => info.family,
      arch: () => info.arch,
      exe_extension: () => info.exe_extension,
    })
    .permissions(new URL('./permissions', import.meta.url))
    .jsInitScript(
      `Object.defineProperty(window, '__TAURI_OS_PLUGIN_INTERNALS__', { value: Object.freeze(${JSON.stringify(info)}), configurable: false, enumerable: false, writable: false });`,
    )
    .jsInitScript(globalApi('os'))
    .build();
}
