import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FsScope, type FsScopeChange } from '../../src/core/fs-scope.ts';
import { PathResolver } from '../../src/core/paths.ts';

let root: string;
let resolver: PathResolver;

before(() => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'airlock-scope-')));
  for (const dir of ['data/notes/deep', 'data/.hidden', 'other', 'real']) mkdirSync(path.join(root, dir), { recursive: true });
  for (const file of [
    'data/a.txt',
    'data/notes/n.md',
    'data/notes/deep/d.md',
    'data/.env',
    'data/.hidden/h.txt',
    'data/secret.key',
    'other/o.txt',
    'real/r.txt',
  ]) {
    writeFileSync(path.join(root, file), file);
  }
  symlinkSync(path.join(root, 'real'), path.join(root, 'data', 'link'));
  symlinkSync(path.join(root, 'other', 'o.txt'), path.join(root, 'data', 'escape.txt'));
  resolver = new PathResolver({
    identifier: 'app',
    resourceDir: undefined,
    environment: { platform: 'linux', env: { XDG_DATA_HOME: root }, home: '/nonexistent-home', readText: () => undefined },
  });
});

after(() => rmSync(root, { recursive: true, force: true }));

const at = (rel: string): string => path.join(root, rel);

describe('FsScope', () => {
  test('`*` stays in one directory, `**` goes deep, dotfiles need a literal dot, deny wins', () => {
    const scope = new FsScope({ allow: [`${root}/data/*`, '$DATA/data/notes/**'], deny: ['$DATA/data/*.key'] }, resolver);
    assert.equal(scope.isAllowed(at('data/a.txt')), true);
    assert.equal(scope.isAllowed(at('data/notes/deep/d.md')), true);
    assert.equal(scope.isAllowed(at('data/notes/n.md')), true);
    assert.equal(scope.isAllowed(at('data/secret.key')), false, 'a deny entry wins');
    assert.equal(scope.isAllowed(at('data/.env')), false, '`*` does not match a dotfile');
    assert.equal(scope.isAllowed(at('other/o.txt')), false);
    assert.equal(scope.isAllowed(at('data/new-file.txt')), true, 'a file that does not exist yet matches too');
  });

  test('requireLiteralLeadingDot: false exposes dotfiles', () => {
    const scope = new FsScope({ allow: [`${root}/data/**`], deny: [], requireLiteralLeadingDot: false }, resolver);
    assert.equal(scope.isAllowed(at('data/.env')), true);
    assert.equal(scope.isAllowed(at('data/.hidden/h.txt')), true);
    const strict = new FsScope({ allow: [`${root}/data/**`], deny: [] }, resolver);
    assert.equal(strict.isAllowed(at('data/.hidden/h.txt')), false);
    assert.equal(strict.isAllowed(at('data/.env')), false);
  });

  test('symlinks are followed: a link out of the scope is refused, a link into it is allowed', () => {
    const scope = new FsScope({ allow: [`${root}/data/**`], deny: [] }, resolver);
    assert.equal(scope.isAllowed(at('data/escape.txt')), false, 'data/escape.txt points at other/o.txt');
    const viaLink = new FsScope({ allow: [`${root}/data/link/*`], deny: [] }, resolver);
    assert.equal(viaLink.isAllowed(at('real/r.txt')), true, 'the pattern is also kept in canonical form');
    assert.equal(viaLink.isAllowed(at('data/link/r.txt')), true);
  });

  test('relative paths and `..` components are never allowed', () => {
    const scope = new FsScope({ allow: ['/**'], deny: [] }, resolver);
    assert.equal(scope.isAllowed('data/a.txt'), false);
    assert.equal(scope.isAllowed(`${root}/data/../other/o.txt`), false);
    assert.equal(scope.isAllowed(at('data/a.txt')), true);
  });

  test('scope variables: `..` in an entry is dropped, an unresolvable variable skips the entry', () => {
    const scope = new FsScope({ allow: ['$DATA/../../etc/*', '$RUNTIME/**', '$APP/**'], deny: [] }, resolver);
    assert.equal(scope.isAllowed('/etc/passwd'), false);
    assert.equal(scope.isAllowed(at('etc/x')), true, '`$DATA/../../etc/*` is `$DATA/etc/*`');
  });

  test('runtime changes: allowFile, allowDirectory (recursive or not), forbid*, and change events', () => {
    const scope = new FsScope({ allow: [], deny: [] }, resolver);
    const changes: FsScopeChange[] = [];
    const stop = scope.onChange((c) => changes.push(c));
    assert.equal(scope.isAllowed(at('other/o.txt')), false);
    scope.allowFile(at('other/o.txt'));
    assert.equal(scope.isAllowed(at('other/o.txt')), true);
    assert.equal(scope.isAllowed(at('other/p.txt')), false, 'only that file');

    scope.allowDirectory(at('data'), false);
    assert.equal(scope.isAllowed(at('data')), true);
    assert.equal(scope.isAllowed(at('data/a.txt')), true);
    assert.equal(scope.isAllowed(at('data/notes/n.md')), false, 'not recursive');
    assert.equal(scope.isAllowed(at('data/.env')), false, 'dotfiles stay hidden');
    scope.allowDirectory(at('data/notes'));
    assert.equal(scope.isAllowed(at('data/notes/deep/d.md')), true);

    scope.forbidFile(at('data/a.txt'));
    assert.equal(scope.isAllowed(at('data/a.txt')), false);
    scope.forbidDirectory(at('data/notes/deep'));
    assert.equal(scope.isAllowed(at('data/notes/deep/d.md')), false);
    assert.equal(scope.isAllowed(at('data/notes/n.md')), true);

    stop();
    scope.allowFile(at('x'));
    assert.deepEqual(
      changes.map((c) => `${c.kind} ${path.relative(root, c.path)}`),
      ['allowed other/o.txt', 'allowed data', 'allowed data/notes', 'forbidden data/a.txt', 'forbidden data/notes/deep'],
    );
  });

  test('glob characters in a runtime-allowed path are literal', () => {
    const weird = at('data/[a].txt');
    writeFileSync(weird, 'x');
    const scope = new FsScope({ allow: [], deny: [] }, resolver);
    scope.allowFile(weird);
    assert.equal(scope.isAllowed(weird), true);
    assert.equal(scope.isAllowed(at('data/a.txt')), false);
  });
});
