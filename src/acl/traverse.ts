/**
 * Expands a permission identifier into the concrete permissions it stands for: `default` and sets recursively
 * (across plugins: a set may name `fs:default`), explicit `[[permission]]`s, and the `allow-<cmd>` / `deny-<cmd>`
 * generated on demand for a manifest's commands. Mirrors Tauri's `get_permissions`, with two
 * additions: a set that includes itself is an error instead of a stack overflow, and a permission of a plugin that
 * is not registered becomes a warning (so an existing Tauri project's `opener:default` does not stop start-up).
 */
import { configError } from './fields.js';
import { APP_KEY, commandSlug, parseIdentifier } from './identifier.js';
import type { Manifest, Permission, PermissionSet } from './model.js';

export interface Traversed {
  /** Manifest key of the permission (`fs`, `core:event`, APP_KEY). */
  readonly key: string;
  readonly permission: Permission;
}

/** The `allow-<cmd>` / `deny-<cmd>` permission generated for one of the manifest's commands, if `name` is one. */
export function generatedPermission(manifest: Manifest, name: string): Permission | undefined {
  const match = /^(allow|deny)-(.+)$/.exec(name);
  if (match === null) return undefined;
  const [, kind, slug] = match;
  const command = manifest.commands.find((c) => commandSlug(c) === slug);
  if (command === undefined) return undefined;
  return {
    identifier: name,
    description: `${kind === 'allow' ? 'Enables' : 'Denies'} the ${command} command without any pre-configured scope.`,
    commands: kind === 'allow' ? { allow: [command], deny: [] } : { allow: [], deny: [command] },
    scope: {},
    platforms: undefined,
    source: `generated for command \`${command}\``,
  };
}

/** An explicit permission, else a generated one (explicit ones win, as in Tauri). */
export function findPermission(manifest: Manifest, name: string): Permission | undefined {
  return manifest.permissions.get(name) ?? generatedPermission(manifest, name);
}

export function isCoreKey(key: string): boolean {
  return key === 'core' || key.startsWith('core:');
}

/** A human name for a manifest key, for messages. */
export function keyName(key: string): string {
  return key === APP_KEY ? 'the app' : `plugin \`${key}\``;
}

export class Traverser {
  constructor(
    readonly manifests: ReadonlyMap<string, Manifest>,
    /** Collects warnings about permissions of unregistered plugins. */
    readonly warnings: string[],
  ) {}

  /**
   * Expands an identifier named at `where` (`capabilities/x.json: capability \`x\``). Returns undefined after
   * recording a warning when it belongs to a plugin that is not registered.
   */
  expand(identifier: string, where: string): Traversed[] | undefined {
    const id = parseIdentifier(identifier);
    if ('error' in id) throw configError(`${where}: ${id.error}`);
    const manifest = this.manifests.get(id.key);
    if (manifest === undefined) return this.unregistered(id.key, identifier, where);
    const found = this.expandName(manifest, id.base, [`${id.key}:${id.base}`]);
    if (found === undefined) throw configError(`${where}: unknown permission \`${identifier}\``);
    return found;
  }

  private unregistered(key: string, identifier: string, where: string): undefined {
    if (isCoreKey(key)) throw configError(`${where}: unknown permission \`${identifier}\` (no core plugin \`${key}\`)`);
    this.warnings.push(`${where}: permission \`${identifier}\` belongs to plugin \`${key}\`, which is not registered; it grants nothing`);
    return undefined;
  }

  private expandName(manifest: Manifest, name: string, stack: readonly string[]): Traversed[] | undefined {
    if (name === 'default') return manifest.default === undefined ? [] : this.expandSet(manifest, manifest.default, stack);
    const set = manifest.sets.get(name);
    if (set !== undefined) return this.expandSet(manifest, set, stack);
    const permission = findPermission(manifest, name);
    return permission === undefined ? undefined : [{ key: manifest.key, permission }];
  }

  private expandSet(manifest: Manifest, set: PermissionSet, stack: readonly string[]): Traversed[] {
    const where = `${set.source}: ${set.identifier === 'default' ? 'default' : `set \`${set.identifier}\``}`;
    const out: Traversed[] = [];
    for (const member of set.permissions) {
      const id = parseIdentifier(member);
      if ('error' in id) throw configError(`${where}: ${id.error}`);
      // A prefixed member names another manifest (`fs:default`); a bare one names this manifest's own.
      const target = member.includes(':') ? this.manifests.get(id.key) : manifest;
      if (target === undefined) {
        this.unregistered(id.key, member, where);
        continue;
      }
      const name = member.includes(':') ? id.base : member;
      const node = `${target.key}:${name}`;
      if (stack.includes(node)) {
        const cycle = [...stack, node].map((n) => n.replace(`${APP_KEY}:`, '')).join(' → ');
        throw configError(`${where}: includes itself (${cycle})`);
      }
      const found = this.expandName(target, name, [...stack, node]);
      if (found === undefined) throw configError(`${where}: unknown permission \`${member}\``);
      out.push(...found);
    }
    return out;
  }

  /** Expands every set of every non-core manifest once, so a broken set fails start-up even if nothing uses it. */
  validateSets(): void {
    for (const manifest of this.manifests.values()) {
      if (isCoreKey(manifest.key)) continue;
      const all = manifest.default === undefined ? [...manifest.sets.values()] : [manifest.default, ...manifest.sets.values()];
      for (const set of all) this.expandSet(manifest, set, [`${manifest.key}:${set.identifier}`]);
    }
  }
}
