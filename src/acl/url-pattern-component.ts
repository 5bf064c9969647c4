/**
 * One URLPattern component (`*.tauri.app`, `/books/:id?`, `8080`) compiled to an anchored RegExp, plus the scanner
 * that splits a pattern string into components without mistaking pattern syntax for URL delimiters (a `?` after `}`
 * is a modifier, not the start of the search; a `:` before a name is a group, not a port).
 */

export interface Component {
  readonly source: string;
  readonly regex: RegExp;
}

const NAME_START = /[A-Za-z_$]/;
const NAME_CHAR = /[A-Za-z0-9_$]/;

function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** Index just past the `)` closing the regex group that opens at `start`. */
function skipRegexGroup(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  throw new Error('unbalanced `(`');
}

/** Index of the `}` closing the group that opens at `start`. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '(') i = skipRegexGroup(text, i) - 1;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  throw new Error('unbalanced `{`');
}

function skipName(text: string, colon: number): number {
  let i = colon + 1;
  while (i < text.length && NAME_CHAR.test(text[i] as string)) i++;
  return i;
}

/**
 * Index of the first `ch` outside groups and escapes that is a delimiter, or -1. A `?` right after a group, name,
 * regex or `*` is a modifier; a `:` followed by a name start is a named group.
 */
export function findUnescaped(text: string, ch: string): number {
  let depth = 0;
  let modifiable = false;
  for (let i = 0; i < text.length; ) {
    const c = text[i] as string;
    if (c === '\\') {
      i += 2;
      modifiable = false;
    } else if (c === '(') {
      i = skipRegexGroup(text, i);
      modifiable = true;
    } else if (c === ':' && NAME_START.test(text[i + 1] ?? '')) {
      i = skipName(text, i);
      modifiable = true;
    } else if (c === '{') {
      depth++;
      i++;
      modifiable = false;
    } else if (c === '}') {
      depth--;
      i++;
      modifiable = true;
    } else {
      if (depth === 0 && c === ch && !(ch === '?' && modifiable)) return i;
      modifiable = c === '*';
      i++;
    }
  }
  return -1;
}

const SEGMENT: Readonly<Record<string, string>> = { pathname: '[^/]+?', hostname: '[^.]+?' };

function modifierAt(text: string, i: number): string {
  const m = text[i];
  return m === '?' || m === '*' || m === '+' ? m : '';
}

/** Applies a modifier to a matching part, taking a preceding `/` along as its optional prefix in the pathname. */
function withModifier(part: string, modifier: string, prefix: string): string {
  if (modifier === '') return `${prefix}${part}`;
  if (modifier === '?') return `(?:${prefix}${part})?`;
  const repeated = `(?:${prefix}${part})`;
  return modifier === '+' ? `${repeated}+` : `${repeated}*`;
}

function compileParts(text: string, kind: string): string {
  const out: string[] = [];
  const segment = SEGMENT[kind] ?? '.+?';
  let i = 0;
  const takePrefix = (modifier: string): string => {
    if (kind === 'pathname' && modifier !== '' && out[out.length - 1] === '\\/') {
      out.pop();
      return '\\/';
    }
    return '';
  };
  while (i < text.length) {
    const c = text[i] as string;
    let part: string | undefined;
    if (c === '\\') {
      if (i + 1 >= text.length) throw new Error('trailing `\\`');
      out.push(escapeRegex(text[i + 1] as string));
      i += 2;
      continue;
    }
    if (c === '*') {
      part = '(.*)';
      i++;
    } else if (c === ':' && NAME_START.test(text[i + 1] ?? '')) {
      part = `(${segment})`;
      i = skipName(text, i);
      if (text[i] === '(') {
        const end = skipRegexGroup(text, i);
        part = `(${text.slice(i + 1, end - 1)})`;
        i = end;
      }
    } else if (c === '(') {
      const end = skipRegexGroup(text, i);
      part = `(${text.slice(i + 1, end - 1)})`;
      i = end;
    } else if (c === '{') {
      const end = closingBrace(text, i);
      part = `(?:${compileParts(text.slice(i + 1, end), kind)})`;
      i = end + 1;
    } else if (c === '}' || c === ')') {
      throw new Error(`unexpected \`${c}\``);
    } else {
      out.push(escapeRegex(c));
      i++;
      continue;
    }
    const modifier = modifierAt(text, i);
    if (modifier !== '') i++;
    out.push(withModifier(part, modifier, takePrefix(modifier)));
  }
  return out.join('');
}

/** Compiles one component; throws a plain Error describing the syntax problem. */
export function compileComponent(text: string, kind: string): Component {
  const source = compileParts(text, kind);
  try {
    return { source: text, regex: new RegExp(`^${source}$`, 'u') };
  } catch (cause) {
    throw new Error(`${kind} \`${text}\`: ${(cause as Error).message}`);
  }
}
