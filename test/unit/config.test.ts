import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { type } from 'arktype';
import { AirlockError, Builder, command } from 'airlock';
import { connectInMemory } from 'airlock/testing';

const quiet = () => Builder.default().logger(() => {});

describe('build({ config })', () => {
  test('reads productName, version, identifier, windows and frontendDist relative to the file; ignores unknown keys', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'airlock-config-'));
    const file = path.join(dir, 'tauri.conf.json');
    writeFileSync(
      file,
      JSON.stringify({
        $schema: 'https://schema.tauri.app/config/2',
        productName: 'Demo',
        version: '2.0.1',
        identifier: 'com.example.demo',
        build: { frontendDist: '../dist', devUrl: 'http://localhost:1420', beforeDevCommand: 'npm run dev' },
        app: {
          windows: [
            { label: 'main', title: 'Main', width: 1000, height: 700 },
            { label: 'about', url: 'about.html' },
          ],
          withGlobalTauri: false,
        },
        bundle: { active: true, targets: 'all' },
        plugins: {},
      }),
    );
    await using app = await quiet().build({ config: file });
    assert.equal(app.config.productName, 'Demo');
    assert.equal(app.config.version, '2.0.1');
    assert.equal(app.config.identifier, 'com.example.demo');
    assert.equal(app.config.frontendDist, path.resolve(dir, '../dist'));
    assert.equal(app.config.devUrl, 'http://localhost:1420');
    assert.equal(app.config.beforeDevCommand, 'npm run dev');
    assert.deepEqual(app.config.windows, [
      { label: 'main', title: 'Main', width: 1000, height: 700, url: '/' },
      { label: 'about', title: 'about', width: 800, height: 600, url: '/about.html' },
    ]);
    const page = await connectInMemory(app);
    assert.deepEqual(await Promise.all(['version', 'name', 'identifier'].map((c) => page.invoke(`plugin:app|${c}`))), [
      '2.0.1',
      'Demo',
      'com.example.demo',
    ]);
  });

  test('an object config works too, and frontendDist from build() wins', async () => {
    await using app = await quiet().build({ config: { productName: 'Obj', build: { frontendDist: './x' } }, frontendDist: '/srv/www' });
    assert.equal(app.config.productName, 'Obj');
    assert.equal(app.config.frontendDist, '/srv/www');
  });

  const wrong: Array<[string, object, RegExp]> = [
    ['a non-string productName', { productName: 42 }, /`productName` must be a string, got 42/],
    ['windows that are not an array', { app: { windows: {} } }, /`app\.windows` must be an array/],
    [
      'a window width that is not a positive number',
      { app: { windows: [{ label: 'a', width: '800' }] } },
      /`app\.windows\[0\]\.width` must be a positive number/,
    ],
    ['an invalid label', { app: { windows: [{ label: 'has space' }] } }, /`app\.windows\[0\]\.label` must be a valid label/],
    ['duplicate labels', { app: { windows: [{ label: 'a' }, { label: 'a' }] } }, /unique labels/],
    [
      'an asset scope that is not a list of strings',
      { app: { security: { assetProtocol: { scope: [1] } } } },
      /`app\.security\.assetProtocol\.scope` must be a list of path patterns/,
    ],
    [
      'an asset deny list that is not a list',
      { app: { security: { assetProtocol: { scope: { deny: '$HOME' } } } } },
      /`app\.security\.assetProtocol\.scope\.deny` must be a list of path patterns/,
    ],
    [
      'a withGlobalTauri that is not a boolean',
      { app: { withGlobalTauri: 'yes' } },
      /`app\.withGlobalTauri` must be true or false, got "yes"/,
    ],
    [
      'an isolation pattern without dir',
      { app: { security: { pattern: { use: 'isolation' } } } },
      /`app\.security\.pattern\.options\.dir` must be the isolation application directory/,
    ],
  ];
  for (const [what, config, message] of wrong) {
    test(`${what} is a CONFIG error naming the key`, async () => {
      await assert.rejects(
        quiet().build({ config }),
        (e: unknown) => e instanceof AirlockError && e.code === 'CONFIG' && message.test(e.message),
      );
    });
  }

  test('a config file that is not JSON names the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'airlock-config-'));
    const file = path.join(dir, 'tauri.conf.json');
    writeFileSync(file, '{ nope');
    await assert.rejects(
      quiet().build({ config: file }),
      (e: unknown) => e instanceof AirlockError && e.message.startsWith(`${file} is not valid JSON`),
    );
  });
});

describe('builder', () => {
  test('arktype schemas work with command() (any Standard Schema)', async () => {
    await using app = await quiet()
      .invokeHandler({ double: command(type({ n: 'number' }), ({ n }) => n * 2) })
      .build({});
    const page = await connectInMemory(app);
    assert.equal(await page.invoke('double', { n: 4 }), 8);
    const err = (await page.invoke('double', { n: 'x' }).catch((e: unknown) => e)) as { code: string; message: string };
    assert.equal(err.code, 'INVALID_ARGS');
    assert.match(err.message, /^invalid args `n` for command `double`/);
  });

  test('a command registered twice, a plugin: name, or a non-function are configuration errors', () => {
    assert.throws(
      () =>
        quiet()
          .invokeHandler({ a: () => 1 })
          .invokeHandler({ a: () => 2 }),
      /registered twice/,
    );
    assert.throws(() => quiet().invokeHandler({ 'plugin:x|y': () => 1 }), /reserved for plugins/);
    assert.throws(() => quiet().invokeHandler({ a: 42 as never }), /must be a function or command\(schema, handler\)/);
    assert.throws(() => command({} as never, () => 1), /Standard Schema/);
  });

  test('state(Type) names the missing class and how to fix it', async () => {
    class Missing {}
    await using app = await quiet().build({});
    assert.throws(() => app.state(Missing), /nothing of that type is managed; call Builder\.manage\(new Missing\(\.\.\.\)\)/);
  });
});
