// The package as users get it: built JS behind `exports`, importable from a plain Node ESM script.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as airlock from 'airlock';
import * as testing from 'airlock/testing';

describe('package', () => {
  test('exports exactly the public API', () => {
    assert.deepEqual(Object.keys(airlock).sort(), [
      'AirlockError',
      'Builder',
      'Channel',
      'DEFAULT_LIMITS',
      'ErrorCode',
      'InboundStream',
      'PluginBuilder',
      'ResourceTable',
      'STREAM_WINDOW',
      'channel',
      'command',
      'stream',
    ]);
    assert.deepEqual(Object.keys(testing).sort(), ['appInternals', 'connectInMemory']);
  });

  test('airlock/client and airlock/client/mocks are built browser modules: plain JS behind exports, no Node import', async () => {
    const client = await import('airlock/client');
    const mocks = await import('airlock/client/mocks');
    assert.deepEqual(Object.keys(client), ['createClient']);
    assert.deepEqual(Object.keys(mocks), ['mockCore']);
    for (const entry of ['airlock/client', 'airlock/client/mocks']) {
      const file = fileURLToPath(import.meta.resolve(entry));
      assert.ok(file.endsWith('.js'), `${entry} resolves to built JS (${file})`);
      const code = readFileSync(file, 'utf8');
      assert.doesNotMatch(code, /\bfrom\s*["'](node:|[a-z@])/, `${entry} imports nothing: one self-contained module`);
      assert.doesNotMatch(code, /\brequire\(|process\./, `${entry} uses no Node API`);
    }
    // Not a thenable, even outside a page: `await` gives the client back.
    const c = client.createClient();
    assert.equal(await c, c);
  });

  test('the README snippet runs from a plain node ESM script and the process exits after close()', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'airlock-snippet-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>x</title>');
    const script = path.join(process.cwd(), 'scratch-snippet.mjs');
    const code = `
      import { Builder, command, channel, Channel, AirlockError } from 'airlock';
      import { z } from 'zod';
      class Counter { n = 0 }
      const app = await Builder.default()
        .manage(new Counter())
        .invokeHandler({
          greet: command(z.object({ name: z.string() }), ({ name }) => \`Hello, \${name}!\`),
          add: (args) => args.a + args.b,
          fail: () => { throw { code: 42, message: 'boom' }; },
          echo_bytes: (_args, ctx) => ctx.body,
          progress: command(z.object({ onEvent: channel() }), async ({ onEvent }) => { onEvent.send(1); }),
        })
        .setup((app) => { app.listen('from-page', () => {}); })
        .build({ frontendDist: ${JSON.stringify(dir)} });
      const server = await app.serve({ port: 0 });
      const url = server.url('main');
      app.emit('evt', 1); app.emitTo('main', 'evt', 2); app.emitTo({ kind: 'Webview', label: 'main' }, 'evt', 3);
      const unlisten = app.listen('from-page', () => {}); unlisten();
      console.log(typeof Channel, typeof AirlockError, new URL(url).hostname);
      await app.close();
    `;
    writeFileSync(script, code);
    try {
      const out = execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(out.trim().split('\n').at(-1), 'function function 127.0.0.1');
      assert.match(out, /no capabilities configured/, 'the implicit ACL default is announced');
    } finally {
      execFileSync('rm', ['-f', script]);
    }
  });
});
