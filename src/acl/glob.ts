/**
 * Label globs, with the semantics of the Rust `glob` crate's `Pattern` that Tauri compiles capability `windows` and
 * `webviews` entries with: `*` and `?` match any character (labels may contain `/`, and Tauri matches with the default
 * options, so `*` crosses it), `[abc]`, `[a-z]` and `[!x]` are classes, `**` is allowed only as a whole `/`-separated
 * component. Anything else is literal (the crate has no backslash escapes). Invalid patterns are rejected with the
 * crate's wording, so a typo in a capability fails start-up instead of silently matching nothing.
 */

export interface Glob {
  /** The pattern as written, for messages. */
  readonly source: string;
  readonly regex: RegExp;
}

export class GlobError extends Error {
  override readonly name = 'GlobError';
}

const ANY = '[\\s\\S]';

/** Escapes a literal outside a class (the `u` flag allows only syntax characters to be escaped). */
function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** Escapes a literal inside a class. */
function escapeClassChar(c: string): string {
  return /[\\\][^-]/.test(c) ? `\\${c}` : c;
}

/** Compiles a class body (`[` already consumed); returns the regex source and the index after `]`. */
function compileClass(chars: readonly string[], start: number, pattern: string): [string, number] {
  let i = start;
  let negate = false;
  if (chars[i] === '!') {
    negate = true;
    i++;
  }
  // A `]` right after `[` or `[!` is a literal member, as in the crate; so the search for the end starts one later.
  const close = chars.indexOf(']', i + 1);
  if (close < 0 || close === i) throw new GlobError(`invalid glob \`${pattern}\`: invalid range pattern`);
  let body = '';
  for (let j = i; j < close; j++) {
    const c = chars[j] as string;
    if (chars[j + 1] === '-' && j + 2 < close) {
      const to = chars[j + 2] as string;
      if (to < c) throw new GlobError(`invalid glob \`${pattern}\`: invalid range pattern`);
      body += `${escapeClassChar(c)}-${escapeClassChar(to)}`;
      j += 2;
    } else {
      body += escapeClassChar(c);
    }
  }
  return [`[${negate ? '^' : ''}${body}]`, close + 1];
}

/** Compiles a glob; throws GlobError with the crate's message on an invalid pattern. */
export function compileGlob(pattern: string): Glob {
  const chars = [...pattern];
  let out = '';
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    if (c === '*') {
      let n = 0;
      while (chars[i + n] === '*') n++;
      if (n > 2) throw new GlobError(`invalid glob \`${pattern}\`: wildcards are either regular \`*\` or recursive \`**\``);
      if (n === 2) {
        const before = i === 0 || chars[i - 1] === '/';
        const after = chars[i + 2];
        if (!before || (after !== undefined && after !== '/')) {
          throw new GlobError(`invalid glob \`${pattern}\`: recursive wildcards must form a single path component`);
        }
        // `**/` also matches no component at all (`**/x` matches `x`), as in the crate.
        if (after === '/') {
          out += `(?:${ANY}*/)?`;
          i += 3;
        } else {
          out += `${ANY}*`;
          i += 2;
        }
        continue;
      }
      out += `${ANY}*`;
      i++;
    } else if (c === '?') {
      out += ANY;
      i++;
    } else if (c === '[') {
      const [cls, next] = compileClass(chars, i + 1, pattern);
      out += cls;
      i = next;
    } else {
      out += escapeChar(c);
      i++;
    }
  }
  return { source: pattern, regex: new RegExp(`^${out}$`, 'u') };
}

export function globMatches(glob: Glob, value: string): boolean {
  return glob.regex.test(value);
}
