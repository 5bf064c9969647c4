// What the core reports to the inspector and the call log (app.trace / app.observeCalls).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { Builder, channel, command } from 'airlock';
import { appInternals, connectInMemory } from 'airlock/testing';
import { CHANNEL_PREFIX } from '../../src/protocol/frames.ts';
import { encodeCall } from '../../src/protocol/page.ts';
import { until } from '../helpers/wait.js';

test('app.trace reports pages, calls with their ACL decision, refusals, events and channel messages', async () => {
  await using app = await Builder.default()
    .logger(() => {})
    .invokeHandler({
      ok: command(z.object({ ch: channel() }), ({ ch }) => {
        ch.send(new Uint8Array(10));
      }),
      bad: () => {
        throw 'nope';
      },
    })
    .build({});
  const records: Array<Record<string, unknown>> = [];
  const stop = app.trace((r) => records.push({ ...r }));
  const page = await connectInMemory(app);
  const c = page.channel();
  await page.invoke('ok', { ch: c.id });
  await page.invoke('bad').catch(() => null);
  await page.invoke('plugin:event|emit', { event: 'hello', payload: { a: 1 } });
  page.sendRaw(encodeCall.sealed({ cmd: 'ok', callback: 1, error: 2 }, { i: 'x', q: 0, n: 'AAAAAAAAAAAAAAAA', k: 'j' }));
  page.sendRaw(new Uint8Array(20));
  await until(() => records.some((r) => r['kind'] === 'refused'), 'the sealed call to be refused');
  page.close();
  stop();
  const kinds = records.map((r) => `${r['kind']}:${r['command'] ?? r['event'] ?? r['change'] ?? r['channel']}`);
  assert.deepEqual(kinds, [
    'page:connected',
    `channel:${c.id.slice(CHANNEL_PREFIX.length)}`,
    `channel:${c.id.slice(CHANNEL_PREFIX.length)}`,
    'call:ok',
    'call:bad',
    'event:hello',
    'call:plugin:event|emit',
    'refused:ok',
    'page:disconnected',
  ]);
  const ok = records.find((r) => r['command'] === 'ok');
  assert.equal(ok?.['acl'], 'unchecked');
  assert.equal(ok?.['ok'], true);
  assert.equal(records.find((r) => r['command'] === 'plugin:event|emit')?.['acl'], 'allowed');
  assert.equal(records.find((r) => r['command'] === 'bad')?.['error'], 'nope');
  assert.equal(records.find((r) => r['kind'] === 'channel')?.['size'], 10);
  assert.match(String(records.find((r) => r['kind'] === 'refused')?.['reason']), /does not use the isolation pattern/);
  assert.equal(appInternals(app).tracer.active, false, 'stopping the last observer makes tracing free again');
});
