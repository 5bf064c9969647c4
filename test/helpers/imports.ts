// Finds every module reference in a TypeScript/JavaScript source: static imports (value and `type`), `export … from`,
// dynamic `import()` and `require()`. It tokenizes first (comments, strings, template literals and regular
// expressions are skipped as units), so an import spelled inside a comment or a string is not one, and a real one
// spread over several lines, or written with `export`, is.

export type ImportForm = 'import' | 'export-from' | 'dynamic-import' | 'require';

export interface ImportRef {
  form: ImportForm;
  /** The module specifier, or `undefined` when it is computed (which no boundary check can vouch for). */
  specifier: string | undefined;
  /** Erased at compile time: `import type`, `export type … from`, `typeof import('…')`. */
  typeOnly: boolean;
  line: number;
}

interface Token {
  kind: 'id' | 'str' | 'punct' | 'template' | 'regex';
  value: string;
  line: number;
}

/** After these keywords a `/` starts a regular expression, not a division. */
const BEFORE_EXPRESSION = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

function isIdentChar(c: string): boolean {
  return /[\w$]/.test(c) || c.charCodeAt(0) > 0x7f;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  // What each open `{` belongs to: a block/object, or a template literal's `${`.
  const braces: ('brace' | 'template')[] = [];
  let line = 1;
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`unterminated ${what} starting on line ${line}`);
  };
  const countLines = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (text[k] === '\n') line++;
  };
  /** Scans template characters from `i` (just after '`' or '}') to the closing '`' or the next '${'. */
  const templatePart = (): void => {
    const start = i;
    const startLine = line;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') i += 2;
      else if (c === '`') {
        i++;
        countLines(start, i);
        tokens.push({ kind: 'template', value: text.slice(start, i - 1), line: startLine });
        return;
      } else if (c === '$' && text[i + 1] === '{') {
        i += 2;
        countLines(start, i);
        braces.push('template');
        tokens.push({ kind: 'template', value: text.slice(start, i - 2), line: startLine });
        return;
      } else i++;
    }
    fail('template literal');
  };
  const regexAllowed = (): boolean => {
    const prev = tokens.at(-1);
    if (prev === undefined) return true;
    if (prev.kind === 'id') return BEFORE_EXPRESSION.has(prev.value);
    if (prev.kind === 'punct') return prev.value !== ')' && prev.value !== ']';
    return false;
  };

  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) fail('block comment');
      countLines(i, end + 2);
      i = end + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\n') fail('string');
        if (text[j] === '\\') {
          value += text[j + 1] ?? '';
          j += 2;
        } else value += text[j++];
      }
      if (j >= text.length) fail('string');
      tokens.push({ kind: 'str', value, line });
      i = j + 1;
    } else if (c === '`') {
      i++;
      templatePart();
    } else if (c === '}' && braces.at(-1) === 'template') {
      braces.pop();
      i++;
      templatePart();
    } else if (c === '/' && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      for (; j < text.length; j++) {
        const r = text[j];
        if (r === '\n') fail('regular expression');
        if (r === '\\') j++;
        else if (r === '[') inClass = true;
        else if (r === ']') inClass = false;
        else if (r === '/' && !inClass) break;
      }
      if (j >= text.length) fail('regular expression');
      j++;
      while (j < text.length && isIdentChar(text[j] as string)) j++;
      tokens.push({ kind: 'regex', value: text.slice(i, j), line });
      i = j;
    } else if (isIdentChar(c)) {
      let j = i + 1;
      while (j < text.length && isIdentChar(text[j] as string)) j++;
      tokens.push({ kind: 'id', value: text.slice(i, j), line });
      i = j;
    } else {
      if (c === '{') braces.push('brace');
      else if (c === '}') braces.pop();
      // `?.` is one token so that `a?.import(…)` reads as a property access.
      const value = c === '?' && text[i + 1] === '.' ? '?.' : c;
      tokens.push({ kind: 'punct', value, line });
      i += value.length;
    }
  }
  return tokens;
}

const isPunct = (t: Token | undefined, value: string): boolean => t?.kind === 'punct' && t.value === value;
const isId = (t: Token | undefined, value: string): boolean => t?.kind === 'id' && t.value === value;

/** Every module reference in `text`, in source order. Throws on source it cannot tokenize. */
export function findImports(text: string): ImportRef[] {
  const tokens = tokenize(text);
  const out: ImportRef[] = [];
  /** `import(…)` / `require(…)` at `open` (the '(' token): a literal specifier, or undefined when computed. */
  const callSpecifier = (open: number): string | undefined => {
    const arg = tokens[open + 1];
    const after = tokens[open + 2];
    const literal = arg?.kind === 'str' || (arg?.kind === 'template' && isPunct(after, ')') && !arg.value.includes('${'));
    return literal && (isPunct(after, ')') || isPunct(after, ',')) ? arg.value : undefined;
  };
  /** From `start`, the `from '…'` that ends this declaration, or undefined if it ends without one. */
  const fromClause = (start: number): string | undefined => {
    let depth = 0;
    for (let k = start; k < tokens.length; k++) {
      const t = tokens[k] as Token;
      if (k > start && depth === 0 && t.kind === 'id' && (t.value === 'import' || t.value === 'export')) return undefined;
      if (isPunct(t, '{')) depth++;
      else if (isPunct(t, '}')) depth--;
      else if (depth === 0 && (isPunct(t, ';') || isPunct(t, '=') || isPunct(t, '('))) return undefined;
      else if (depth === 0 && isId(t, 'from') && tokens[k + 1]?.kind === 'str') return tokens[k + 1]?.value;
      if (depth < 0) return undefined;
    }
    return undefined;
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind !== 'id') continue;
    const prev = tokens[i - 1];
    if (isPunct(prev, '.') || isPunct(prev, '?.')) continue; // a property called import/require/export
    const next = tokens[i + 1];
    if (t.value === 'import') {
      if (isPunct(next, '.')) continue; // import.meta
      if (isPunct(next, '(')) {
        out.push({ form: 'dynamic-import', specifier: callSpecifier(i + 1), typeOnly: isId(prev, 'typeof'), line: t.line });
        continue;
      }
      if (next?.kind === 'str') {
        out.push({ form: 'import', specifier: next.value, typeOnly: false, line: t.line });
        continue;
      }
      const afterType = tokens[i + 2];
      const typeOnly = isId(next, 'type') && !isId(afterType, 'from') && !isPunct(afterType, ',') && !isPunct(afterType, '=');
      const specifier = fromClause(i + 1);
      if (specifier !== undefined) out.push({ form: 'import', specifier, typeOnly, line: t.line });
    } else if (t.value === 'export') {
      const typeOnly = isId(next, 'type') && (isPunct(tokens[i + 2], '{') || isPunct(tokens[i + 2], '*'));
      const head = tokens[typeOnly ? i + 2 : i + 1];
      if (!isPunct(head, '{') && !isPunct(head, '*')) continue; // export const/function/default…: no module
      const specifier = fromClause(typeOnly ? i + 2 : i + 1);
      if (specifier !== undefined) out.push({ form: 'export-from', specifier, typeOnly, line: t.line });
    } else if (t.value === 'require' && isPunct(next, '(') && !isId(prev, 'function')) {
      out.push({ form: 'require', specifier: callSpecifier(i + 1), typeOnly: false, line: t.line });
    }
  }
  return out;
}
