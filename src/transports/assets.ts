/**
 * Serves the app's frontend files, with the page runtime injected into every HTML document before any app script.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export function isHtml(file: string): boolean {
  const ext = path.extname(file).toLowerCase();
  return ext === '.html' || ext === '.htm';
}

/** Inserts `tag` as the first element of `<head>` (or of the document when there is no head). */
export function injectIntoHtml(html: string, tag: string): string {
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head !== null) {
    const at = head.index + head[0].length;
    return html.slice(0, at) + tag + html.slice(at);
  }
  const root = /<html(\s[^>]*)?>/i.exec(html);
  if (root !== null) {
    const at = root.index + root[0].length;
    return `${html.slice(0, at)}<head>${tag}</head>${html.slice(at)}`;
  }
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  const at = doctype === null ? 0 : doctype[0].length;
  return html.slice(0, at) + tag + html.slice(at);
}

export interface Asset {
  readonly file: string;
  readonly body: Buffer;
}

/**
 * Resolves a URL path inside `root`: the file itself, `<dir>/index.html`, and for extension-less paths the root
 * `index.html` (client-side routing). Anything that escapes `root` or cannot be decoded resolves to nothing.
 */
export async function readAsset(root: string, urlPath: string): Promise<Asset | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const base = path.resolve(root);
  const candidates = [path.resolve(base, `.${decoded}`)];
  candidates.push(path.join(candidates[0] ?? base, 'index.html'));
  if (path.extname(decoded) === '') candidates.push(path.join(base, 'index.html'));
  for (const file of candidates) {
    if (file !== base && !file.startsWith(base + path.sep)) continue;
    try {
      const info = await stat(file);
      if (!info.isFile()) continue;
      return { file, body: await readFile(file) };
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}
