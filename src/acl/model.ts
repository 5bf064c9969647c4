/**
 * The declared ACL as plain data: what capability and permission files say, after validation, before resolution.
 * Every declaration remembers the file (or config key) it came from, so later errors can name it.
 */

/** Tauri's platform names, as written in `platforms` fields. */
export type Target = 'linux' | 'macOS' | 'windows' | 'android' | 'iOS';

export const TARGETS: readonly Target[] = ['linux', 'macOS', 'windows', 'android', 'iOS'];

/** Maps Node's `process.platform` to Tauri's target; platforms Tauri has no name for match no `platforms` list. */
export function targetOf(platform: NodeJS.Platform): Target | undefined {
  switch (platform) {
    case 'linux':
      return 'linux';
    case 'darwin':
      return 'macOS';
    case 'win32':
      return 'windows';
    case 'android':
      return 'android';
    default:
      return undefined;
  }
}

export interface ScopeValues {
  readonly allow: readonly unknown[];
  readonly deny: readonly unknown[];
}

/** One entry of a capability's `permissions`: an identifier, optionally with scope values appended to it. */
export interface PermissionEntry {
  readonly identifier: string;
  /** Present only for the `{ identifier, allow, deny }` form. */
  readonly allow?: readonly unknown[];
  readonly deny?: readonly unknown[];
}

export interface Capability {
  readonly identifier: string;
  readonly description: string;
  readonly windows: readonly string[];
  readonly webviews: readonly string[];
  readonly permissions: readonly PermissionEntry[];
  /** Whether the capability applies to the app's own (local) pages; Tauri's default is true. */
  readonly local: boolean;
  /** `remote.urls`: URLPattern strings of remote pages the capability also applies to. */
  readonly remoteUrls: readonly string[];
  /** Undefined = every platform. */
  readonly platforms: readonly Target[] | undefined;
  /** File (relative to the config directory) or config key it was declared in. */
  readonly source: string;
}

/** A `[[permission]]`: commands it allows or denies, and scope values handed to them (or to the plugin globally). */
export interface Permission {
  readonly identifier: string;
  readonly description: string;
  readonly commands: { readonly allow: readonly string[]; readonly deny: readonly string[] };
  /** Each list is undefined when the file does not mention it (Tauri distinguishes "no scope" from "empty"). */
  readonly scope: { readonly allow?: readonly unknown[]; readonly deny?: readonly unknown[] };
  readonly platforms: readonly Target[] | undefined;
  readonly source: string;
}

/** A `[[set]]`, or a `[default]` (then its identifier is `default`). */
export interface PermissionSet {
  readonly identifier: string;
  readonly description: string;
  /** Member identifiers: a name in the same manifest, or `other-plugin:name`. */
  readonly permissions: readonly string[];
  readonly source: string;
}

/** What one permission file declares. */
export interface PermissionFile {
  readonly source: string;
  readonly default: PermissionSet | undefined;
  readonly sets: readonly PermissionSet[];
  readonly permissions: readonly Permission[];
}

/** All permissions of one plugin (or of the app, or of `core:<plugin>`), merged from its files. */
export interface Manifest {
  readonly key: string;
  readonly default: PermissionSet | undefined;
  readonly permissions: ReadonlyMap<string, Permission>;
  readonly sets: ReadonlyMap<string, PermissionSet>;
  /** Commands that get `allow-<cmd>` / `deny-<cmd>` generated on demand. */
  readonly commands: readonly string[];
}
