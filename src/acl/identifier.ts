/**
 * Permission identifiers as Tauri spells them (its ACL `Identifier`): `prefix:base`, where the
 * prefix names a plugin's manifest and no prefix means the app's own. Core identifiers keep `core:` in the prefix,
 * so `core:event:allow-listen` has prefix `core:event`, and `core:default` has prefix `core`.
 */

/** The manifest key of the app's own permissions (Tauri's `APP_ACL_KEY`). */
export const APP_KEY = '__app-acl__';

export interface Identifier {
  /** The manifest key: a plugin name, `core`, `core:<plugin>`, or APP_KEY. */
  readonly key: string;
  /** The permission or set name inside that manifest (`default`, `allow-listen`, `read`). */
  readonly base: string;
  /** The identifier as written. */
  readonly text: string;
}

const MAX_LENGTH = 116;

/** Why `text` is not a valid identifier, or undefined when it is. */
function problem(text: string): string | undefined {
  if (text.length === 0) return 'it is empty';
  if (text.length > MAX_LENGTH) return `it is longer than ${MAX_LENGTH} characters`;
  if (text.startsWith('tauri-plugin-')) return 'it must not start with `tauri-plugin-` (name the plugin without it)';
  if (!/^[A-Za-z0-9:-]+$/.test(text)) return 'only ASCII letters, digits, `-` and `:` are allowed';
  const separators = text.split(':').length - 1;
  if (separators > (text.startsWith('core:') ? 2 : 1)) return 'it has too many `:` separators';
  if (/(^|:)-|-($|:)/.test(text)) return 'a `-` may not start or end a part';
  if (text.includes('--')) return 'it contains `--`';
  if (/(^|:)(:|$)/.test(text)) return 'it has an empty part';
  return undefined;
}

/** Parses an identifier; returns an error reason instead when it is malformed. */
export function parseIdentifier(text: string): Identifier | { readonly error: string } {
  const why = problem(text);
  if (why !== undefined) return { error: `invalid permission identifier \`${text}\`: ${why}` };
  const last = text.lastIndexOf(':');
  if (last < 0) return { key: APP_KEY, base: text, text };
  return { key: text.slice(0, last), base: text.slice(last + 1), text };
}

/** The identifier of `base` inside manifest `key`, as a user writes it. */
export function qualify(key: string, base: string): string {
  return key === APP_KEY ? base : `${key}:${base}`;
}

/** A command name as it appears in `allow-<cmd>` (Tauri turns `_` into `-`). */
export function commandSlug(command: string): string {
  return command.replaceAll('_', '-');
}
