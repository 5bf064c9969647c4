// Closing a window from the page: close() may be vetoed through tauri://close-requested, destroy() may not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Builder } from 'airlock';
import { connectInMemory } from 'airlock/testing';
import { fence, until } from '../helpers/wait.js';

const config = {
  app: {
    security: {
      capabilities: [
        { identifier: 'windows', windows: ['*'], permissions: ['core:default', 'core:window:allow-close', 'core:window:allow-destroy'] },
      ],
    },
  },
};

test('close() asks a page that listens for tauri://close-requested; destroy() closes', async () => {
  await using app = await Builder.default()
    .logger(() => {})
    .build({ config });
  const closed: string[] = [];
  app.onCloseRequested((label) => closed.push(label));
  const page = await connectInMemory(app, 'main');
  const asked: unknown[] = [];
  await page.listen('tauri://close-requested', (e) => asked.push(e.event), { kind: 'Window', label: 'main' });
  await page.invoke('plugin:window|close', { label: 'main' });
  await fence(page);
  assert.deepEqual(asked, ['tauri://close-requested'], 'the page was asked');
  assert.deepEqual(closed, [], 'and the window stays until the page decides');
  await page.invoke('plugin:window|destroy', { label: 'main' });
  assert.deepEqual(closed, ['main']);
});

test('close() of a window nobody listens on closes it at once', async () => {
  await using app = await Builder.default()
    .logger(() => {})
    .build({ config });
  const page = await connectInMemory(app, 'main');
  void page.invoke('plugin:window|close', { label: 'main' }); // the page goes away before any answer
  await until(() => !page.connection.open, 'the page to be closed');
});
