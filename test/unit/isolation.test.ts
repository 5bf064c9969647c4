import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AirlockError, Builder } from 'airlock';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const config = (dir: string) => ({ app: { security: { pattern: { use: 'isolation', options: { dir } } } } });

describe('isolation configuration', () => {
  test('a missing isolation directory is a start-up error naming the key', async () => {
    await assert.rejects(Builder.default().build({ config: config(path.join(fixtures, 'does-not-exist')) }), (e: unknown) => {
      assert.ok(e instanceof AirlockError && e.code === 'CONFIG');
      assert.match(e.message, /app\.security\.pattern\.options\.dir/);
      return true;
    });
  });

  test("an isolation app that never sets the hook is Tauri's start-up error", async () => {
    await assert.rejects(
      Builder.default().build({ config: config(path.join(fixtures, 'isolation-nohook')) }),
      /does not contain a file setting the `window.__TAURI_ISOLATION_HOOK__` value/,
    );
  });

  test("a hook written for Tauri v1's message shape gets a start-up warning naming the v2 fields", async () => {
    const logs: string[] = [];
    const app = await Builder.default()
      .logger((level, m) => logs.push(`${level}: ${m}`))
      .build({ config: config(path.join(fixtures, 'isolation-v1')) });
    await app.close();
    assert.ok(
      logs.some(
        (l) => l.startsWith('warn: isolation: hook.js looks written for Tauri v1') && l.includes('payload.cmd and payload.payload'),
      ),
      logs.join('\n'),
    );
  });

  test('pattern.use must be brownfield or isolation', async () => {
    await assert.rejects(
      Builder.default().build({ config: { app: { security: { pattern: { use: 'other' } } } } }),
      /`app\.security\.pattern\.use` must be "brownfield" or "isolation"/,
    );
  });
});
