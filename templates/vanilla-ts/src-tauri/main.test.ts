// Smoke test of the backend without a browser: `npm test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectInMemory } from 'airlock/testing';
import { fileURLToPath } from 'node:url';
import { createApp } from './main.js';

const config = fileURLToPath(new URL('./tauri.conf.json', import.meta.url));

test('greet answers, and rejects an empty name', async () => {
  await using app = await createApp().build({ config });
  const page = await connectInMemory(app);
  assert.equal(await page.invoke('greet', { name: 'Ada' }), "Hello, Ada! You've been greeted from TypeScript!");
  const error = (await page.invoke('greet', { name: '' }).catch((e: unknown) => e)) as { code?: string };
  assert.equal(error.code, 'INVALID_ARGS');
});

test('run_task streams progress over a channel', async () => {
  await using app = await createApp().build({ config });
  const page = await connectInMemory(app);
  const channel = page.channel();
  await page.invoke('run_task', { onProgress: channel.id });
  await channel.ended;
  assert.deepEqual(channel.messages, [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100]);
});

test('the fs and store plugins answer the page under the default capability', async () => {
  await using app = await createApp().build({ config });
  const page = await connectInMemory(app);
  const rid = await page.invoke('plugin:store|load', { path: 'smoke-test.json', options: { autoSave: false } });
  assert.equal(await page.invoke('plugin:store|get_store', { path: 'smoke-test.json' }), rid);
  assert.deepEqual(await page.invoke('plugin:store|get', { rid, key: 'never-set' }), [null, false]);
  const outside = await page.invoke('plugin:fs|read_text_file', { path: '/etc/hostname' }).catch((e: unknown) => e);
  assert.equal(outside, 'forbidden path: /etc/hostname');
});
