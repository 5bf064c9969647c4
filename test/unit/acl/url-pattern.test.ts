/**
 * The URLPattern subset used by `remote.urls`. The first rows are the cases of Tauri's own tests (acl/mod.rs and
 * ipc/authority.rs); the rest pin the constructor-string rules (unspecified components match anything, a default
 * port is the empty port) and Tauri's widening of an empty or `/` pathname, search and hash to `*`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileUrlPattern, urlPatternMatches } from '../../../src/acl/index.js';

const CASES: [pattern: string, url: string, expected: boolean][] = [
  // Tauri: url_pattern_domain_wildcard, url_pattern_path_wildcard, url_pattern_scheme_wildcard, remote_domain_*.
  ['http://*', 'http://tauri.app/path', true],
  ['http://*', 'http://localhost/path?q=1', true],
  ['http://*.tauri.app', 'http://tauri.app/path', false],
  ['http://*.tauri.app', 'http://api.tauri.app/path?q=1', true],
  ['http://*.tauri.app', 'http://localhost/path', false],
  ['http://localhost/*', 'http://localhost/path?q=1', true],
  ['*://localhost', 'http://localhost/path', true],
  ['*://localhost', 'https://localhost/path?q=1', true],
  ['*://localhost', 'custom://localhost/path', true],
  ['https://tauri.app', 'https://tauri.app', true],
  ['http://tauri.*', 'http://tauri.studio', true],
  ['http://localhost:8080', 'http://localhost:123', false],
  // Widening and the constructor-string defaults.
  ['https://tauri.app', 'https://tauri.app/deep/page?x=1#frag', true],
  ['https://tauri.app/', 'https://tauri.app/deep', true],
  ['https://tauri.app', 'https://tauri.app:8443/', true],
  ['https://tauri.app:443', 'https://tauri.app/', true],
  ['https://tauri.app:443', 'https://tauri.app:8443/', false],
  ['https://tauri.app', 'http://tauri.app/', false],
  ['https://tauri.app', 'https://evil.app/', false],
  ['https://tauri.app', 'https://tauri.app.evil.com/', false],
  ['https://tauri.app', 'https://user:pw@tauri.app/', true],
  ['https://TAURI.app', 'https://tauri.APP/', true],
  ['http://localhost:8080/app/*', 'http://localhost:8080/app/index.html', true],
  ['http://localhost:8080/app/*', 'http://localhost:8080/admin', false],
  ['http://127.0.0.1:*', 'http://127.0.0.1:5173/', true],
  // Pattern syntax.
  ['http{s}?://example.com/books/:id', 'http://example.com/books/1', true],
  ['http{s}?://example.com/books/:id', 'https://example.com/books/1/2', false],
  ['https://example.com/books/:id?', 'https://example.com/books', true],
  ['https://example.com/books/:id?', 'https://example.com/books/7', true],
  ['https://example.com/files/:path+', 'https://example.com/files/a/b', true],
  ['https://example.com/files/:path+', 'https://example.com/files', false],
  ['https://{www.}?example.com', 'https://www.example.com/', true],
  ['https://{www.}?example.com', 'https://example.com/', true],
  ['https://:sub.example.com', 'https://api.example.com/', true],
  ['https://:sub.example.com', 'https://a.b.example.com/', false],
  ['https://example.com/(\\d+)', 'https://example.com/12', true],
  ['https://example.com/(\\d+)', 'https://example.com/ab', false],
  ['https://example.com/a\\*b', 'https://example.com/a*b', true],
  ['https://example.com/a\\*b', 'https://example.com/axb', false],
  ['https://example.com/app?lang=en', 'https://example.com/app?lang=en', true],
  ['https://example.com/app?lang=en', 'https://example.com/app?lang=de', false],
  ['https://example.com/*#top', 'https://example.com/x#bottom', false],
];

const INVALID: [pattern: string, message: string][] = [
  ['tauri.app', 'invalid URL pattern `tauri.app`: expected an absolute pattern such as `https://example.com/*`'],
  ['/app/*', 'invalid URL pattern `/app/*`: expected an absolute pattern such as `https://example.com/*`'],
  ['https://', 'invalid URL pattern `https://`: the host is empty'],
  ['https://example.com/(x', 'invalid URL pattern `https://example.com/(x`: unbalanced `(`'],
  ['https://example.com/{x', 'invalid URL pattern `https://example.com/{x`: unbalanced `{`'],
  [
    'https://example.com/([)',
    'invalid URL pattern `https://example.com/([)`: pathname `/([)`: Invalid regular expression: /^\\/([)$/u: Unterminated character class',
  ],
];

describe('remote URL patterns', () => {
  for (const [pattern, url, expected] of CASES) {
    test(`${pattern} ${expected ? 'matches' : 'does not match'} ${url}`, () => {
      assert.equal(urlPatternMatches(compileUrlPattern(pattern), new URL(url)), expected);
    });
  }

  for (const [pattern, message] of INVALID) {
    test(`${pattern} is rejected, naming the pattern`, () => {
      assert.throws(() => compileUrlPattern(pattern), { name: 'UrlPatternError', message });
    });
  }

  test('a pattern keeps its text as written, for messages', () => {
    assert.equal(compileUrlPattern('https://tauri.app').source, 'https://tauri.app');
  });
});
