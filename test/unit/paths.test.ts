import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BaseDirectory, type PathEnvironment, PathErrorText, PathOps, PathResolver, parseUserDirs } from '../../src/core/paths.ts';

const posix = new PathOps('posix');
const windows = new PathOps('windows');

describe('path operations with Tauri (std::path) semantics', () => {
  test('normalize: lexical, `..` above the start dropped, `.`/`..` kept alone, trailing separator kept', () => {
    const cases: [string, string][] = [
      ['/a/b/../c/./d', '/a/c/d'],
      ['a//b', 'a/b'],
      ['../a', 'a'],
      ['..', '..'],
      ['.', '.'],
      ['', '.'],
      ['a/b/', 'a/b/'],
      ['/..', '/'],
      ['./a/', 'a/'],
    ];
    for (const [input, expected] of cases) assert.equal(posix.normalize(input), expected, `normalize(${JSON.stringify(input)})`);
  });

  test('join: parts separated, normalised, `.` when empty; an absolute part does not reset', () => {
    assert.equal(posix.join(['a', 'b', 'c.txt']), 'a/b/c.txt');
    assert.equal(posix.join(['/home', 'user/', '../x']), '/home/x');
    assert.equal(posix.join(['a', '/b']), 'a/b');
    assert.equal(posix.join([]), '.');
    assert.equal(posix.join(['a', '..']), '.');
    assert.equal(windows.join(['C:\\Users', 'me', 'file.txt']), 'C:\\Users\\me\\file.txt');
  });

  test('resolve: from the cwd, an absolute part restarts, then normalised', () => {
    assert.equal(posix.resolve(['a', '../b'], '/work'), '/work/b');
    assert.equal(posix.resolve(['a', '/etc', 'x'], '/work'), '/etc/x');
    assert.equal(posix.resolve([], '/work/'), '/work');
    assert.equal(posix.resolve(['../../..'], '/work'), '/');
    assert.equal(windows.resolve(['..\\b', 'c'], 'C:\\app\\x'), 'C:\\app\\b\\c');
  });

  test('dirname, extname, basename, isAbsolute as Rust answers them', () => {
    assert.equal(posix.dirname('/a/b/c.txt'), '/a/b');
    assert.equal(posix.dirname('/a'), '/');
    assert.equal(posix.dirname('a'), '');
    assert.equal(posix.dirname('a/b/'), 'a');
    assert.equal(posix.dirname('/'), undefined);
    assert.equal(posix.dirname(''), undefined);
    assert.equal(posix.extname('/a/file.tar.gz'), 'gz');
    assert.equal(posix.extname('a.'), '');
    assert.equal(posix.extname('/a/.bashrc'), undefined);
    assert.equal(posix.extname('/a/noext'), undefined);
    assert.equal(posix.extname('/a/..'), undefined);
    // Tauri's own unit test cases for basename.
    assert.equal(posix.basename('/path/to/some-json-file.json', '.json'), 'some-json-file');
    assert.equal(posix.basename('/path/to/some-json-file.json', 'json'), 'some-json-file.');
    assert.equal(posix.basename('/path/to/some-json-file.html.json', '.json'), 'some-json-file.html');
    assert.equal(posix.basename('/path/to/some-json-file.json.json', '.json'), 'some-json-file.json');
    assert.equal(posix.basename('/path/to/some-json-file.json.html', '.json'), 'some-json-file.json.html');
    assert.equal(posix.basename('/'), undefined);
    assert.equal(posix.isAbsolute('/a'), true);
    assert.equal(posix.isAbsolute('a/b'), false);
    assert.equal(windows.isAbsolute('C:\\a'), true);
    assert.equal(windows.isAbsolute('C:a'), false);
    assert.equal(windows.isAbsolute('\\\\server\\share\\x'), true);
    assert.equal(windows.isAbsolute('\\a'), false);
  });

  test("the error texts are Tauri's", () => {
    assert.deepEqual(PathErrorText, {
      unknownPath: 'unknown path',
      noParent: 'path does not have a parent',
      noExtension: 'path does not have an extension',
      noBasename: 'path does not have a basename',
    });
  });
});

function environment(
  platform: NodeJS.Platform,
  env: Record<string, string>,
  home: string | undefined,
  files: Record<string, string> = {},
): PathEnvironment {
  return { platform, env, home, readText: (p) => files[p] };
}

describe('base directories', () => {
  const id = 'com.example.app';

  test('Linux: XDG variables, their fallbacks, user-dirs.dirs, and the identifier', () => {
    const bare = new PathResolver({ identifier: id, resourceDir: '/opt/app/src-tauri', environment: environment('linux', {}, '/home/u') });
    assert.equal(bare.baseDirectory(BaseDirectory.Data), '/home/u/.local/share');
    assert.equal(bare.baseDirectory(BaseDirectory.LocalData), '/home/u/.local/share');
    assert.equal(bare.baseDirectory(BaseDirectory.Config), '/home/u/.config');
    assert.equal(bare.baseDirectory(BaseDirectory.Cache), '/home/u/.cache');
    assert.equal(bare.baseDirectory(BaseDirectory.AppData), `/home/u/.local/share/${id}`);
    assert.equal(bare.baseDirectory(BaseDirectory.AppLocalData), `/home/u/.local/share/${id}`);
    assert.equal(bare.baseDirectory(BaseDirectory.AppConfig), `/home/u/.config/${id}`);
    assert.equal(bare.baseDirectory(BaseDirectory.AppCache), `/home/u/.cache/${id}`);
    assert.equal(bare.baseDirectory(BaseDirectory.AppLog), `/home/u/.local/share/${id}/logs`);
    assert.equal(bare.baseDirectory(BaseDirectory.Executable), '/home/u/.local/bin');
    assert.equal(bare.baseDirectory(BaseDirectory.Font), '/home/u/.local/share/fonts');
    assert.equal(bare.baseDirectory(BaseDirectory.Home), '/home/u');
    assert.equal(bare.baseDirectory(BaseDirectory.Temp), '/tmp');
    assert.equal(bare.baseDirectory(BaseDirectory.Resource), '/opt/app/src-tauri');
    // No fallback for the user dirs or the runtime dir: Tauri answers "unknown path".
    for (const d of [BaseDirectory.Audio, BaseDirectory.Desktop, BaseDirectory.Document, BaseDirectory.Runtime, BaseDirectory.Template]) {
      assert.equal(bare.baseDirectory(d), undefined, `BaseDirectory ${d}`);
    }

    const userDirs = [
      '# comment',
      'XDG_DESKTOP_DIR="$HOME/Desk"',
      'XDG_DOCUMENTS_DIR="/data/docs"',
      'XDG_MUSIC_DIR="$HOME/"',
      "XDG_VIDEOS_DIR='$HOME/v'",
      'XDG_DOWNLOAD_DIR="relative"',
    ].join('\n');
    const set = new PathResolver({
      identifier: id,
      resourceDir: undefined,
      environment: environment(
        'linux',
        {
          XDG_DATA_HOME: '/xdg/data',
          XDG_CONFIG_HOME: '/xdg/config',
          XDG_CACHE_HOME: 'relative/ignored',
          XDG_RUNTIME_DIR: '/run/user/1',
          TMPDIR: '/var/tmp',
        },
        '/home/u',
        { '/xdg/config/user-dirs.dirs': userDirs },
      ),
    });
    assert.equal(set.baseDirectory(BaseDirectory.AppData), `/xdg/data/${id}`);
    assert.equal(set.baseDirectory(BaseDirectory.Cache), '/home/u/.cache', 'a relative XDG value is ignored');
    assert.equal(set.baseDirectory(BaseDirectory.Executable), '/xdg/bin');
    assert.equal(set.baseDirectory(BaseDirectory.Runtime), '/run/user/1');
    assert.equal(set.baseDirectory(BaseDirectory.Temp), '/var/tmp');
    assert.equal(set.baseDirectory(BaseDirectory.Desktop), '/home/u/Desk');
    assert.equal(set.baseDirectory(BaseDirectory.Document), '/data/docs');
    assert.equal(set.baseDirectory(BaseDirectory.Audio), undefined, '"$HOME/" disables a user dir');
    assert.equal(set.baseDirectory(BaseDirectory.Video), undefined, 'only double quotes are read');
    assert.equal(set.baseDirectory(BaseDirectory.Download), undefined, 'a relative user dir is ignored');
    assert.equal(set.baseDirectory(BaseDirectory.Resource), undefined);
  });

  test('macOS and Windows layouts', () => {
    const mac = new PathResolver({ identifier: id, resourceDir: undefined, environment: environment('darwin', {}, '/Users/u') });
    assert.equal(mac.baseDirectory(BaseDirectory.AppData), `/Users/u/Library/Application Support/${id}`);
    assert.equal(mac.baseDirectory(BaseDirectory.AppCache), `/Users/u/Library/Caches/${id}`);
    assert.equal(mac.baseDirectory(BaseDirectory.AppLog), `/Users/u/Library/Logs/${id}`);
    assert.equal(mac.baseDirectory(BaseDirectory.Video), '/Users/u/Movies');
    assert.equal(mac.baseDirectory(BaseDirectory.Executable), undefined);

    const win = new PathResolver({
      identifier: id,
      resourceDir: undefined,
      environment: environment(
        'win32',
        {
          USERPROFILE: 'C:\\Users\\u',
          APPDATA: 'C:\\Users\\u\\AppData\\Roaming',
          LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local',
          TEMP: 'C:\\T',
        },
        undefined,
      ),
    });
    assert.equal(win.baseDirectory(BaseDirectory.AppData), `C:\\Users\\u\\AppData\\Roaming\\${id}`);
    assert.equal(win.baseDirectory(BaseDirectory.AppLocalData), `C:\\Users\\u\\AppData\\Local\\${id}`);
    assert.equal(win.baseDirectory(BaseDirectory.AppLog), `C:\\Users\\u\\AppData\\Local\\${id}\\logs`);
    assert.equal(win.baseDirectory(BaseDirectory.Document), 'C:\\Users\\u\\Documents');
    assert.equal(win.baseDirectory(BaseDirectory.Temp), 'C:\\T');
    assert.equal(win.ops.sep, '\\');
    assert.equal(win.ops.delimiter, ';');
  });

  test('no home: the home-relative directories are unknown', () => {
    const r = new PathResolver({ identifier: id, resourceDir: undefined, environment: environment('linux', {}, undefined) });
    assert.equal(r.baseDirectory(BaseDirectory.AppData), undefined);
    assert.equal(r.resolve(BaseDirectory.AppData, 'x'), undefined);
  });

  test('resolve: a path is pushed (absolute replaces), resources use the bundler layout', () => {
    const r = new PathResolver({ identifier: id, resourceDir: '/opt/res', environment: environment('linux', {}, '/home/u') });
    assert.equal(r.resolve(BaseDirectory.AppData, 'notes/a.txt'), `/home/u/.local/share/${id}/notes/a.txt`);
    assert.equal(r.resolve(BaseDirectory.AppData, '/etc/passwd'), '/etc/passwd');
    assert.equal(r.resolve(BaseDirectory.Resource, '../icons/./x.png'), '/opt/res/_up_/icons/x.png');
    assert.equal(r.resolve(BaseDirectory.Resource, '/abs/y'), '/opt/res/_root_/abs/y');
    assert.equal(r.resolve(BaseDirectory.Home), '/home/u');
  });

  test('scope strings: a leading variable expands, `..` is dropped, unknown variables stay literal, unresolvable ones skip', () => {
    const r = new PathResolver({ identifier: id, resourceDir: undefined, environment: environment('linux', {}, '/home/u') });
    assert.equal(r.parseScope('$APPDATA/notes/**'), `/home/u/.local/share/${id}/notes/**`);
    assert.equal(r.parseScope('$APPDATA/../../etc/*'), `/home/u/.local/share/${id}/etc/*`);
    assert.equal(r.parseScope('$HOME'), '/home/u');
    assert.equal(r.parseScope('$APP/x'), '$APP/x');
    assert.equal(r.parseScope('/srv/$APPDATA/x'), '/srv/$APPDATA/x', 'only the first component may be a variable');
    assert.equal(r.parseScope('$RUNTIME/sock'), undefined);
    assert.equal(r.parseScope('$RESOURCE/**'), undefined);
  });

  test('user-dirs.dirs parsing', () => {
    const dirs = parseUserDirs('XDG_PICTURES_DIR="$HOME/Pics"\n  XDG_PUBLICSHARE_DIR="/pub"  \nXDG_X_DIR=unquoted', '/home/u/');
    assert.deepEqual(
      [...dirs],
      [
        ['PICTURES', '/home/u/Pics'],
        ['PUBLICSHARE', '/pub'],
      ],
    );
  });
});
