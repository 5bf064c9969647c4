import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AirlockError, Builder } from 'airlock';
import { decodeSealedBatch, encodeSealedBatch } from '../../src/protocol/isolation.ts';

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

describe('sealed batches (the isolation frame socket)', () => {
  test('round trip: every call comes back whole, the bodies as views of the frame', () => {
    const parts = [
      { header: '{"t":"s","c":"a","cb":1,"er":2,"i":"x","q":0,"n":"AAAAAAAAAAAAAAAA","k":"j"}', body: new Uint8Array([1, 2, 3]) },
      { header: '{"t":"s","c":"b","cb":3,"er":4,"i":"x","q":1,"n":"AAAAAAAAAAAAAAAA","k":"r"}', body: new Uint8Array(0) },
    ];
    const bytes = encodeSealedBatch(parts);
    const back = decodeSealedBatch(bytes);
    assert.ok(Array.isArray(back));
    assert.deepEqual(
      back.map((p) => ({ header: p.header, body: [...p.body] })),
      parts.map((p) => ({ header: p.header, body: [...p.body] })),
    );
    assert.equal(back[0]?.body.buffer, bytes.buffer, 'no copy');
  });

  test('anything else is named, never thrown: short, empty, too many, truncated, trailing bytes, bad UTF-8', () => {
    const one = encodeSealedBatch([{ header: '{}', body: new Uint8Array([9]) }]);
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array(3), /shorter than its count/],
      [new Uint8Array(4), /1 to 1024 calls/],
      [new Uint8Array([0xff, 0xff, 0, 0]), /1 to 1024 calls/],
      [one.subarray(0, one.length - 1), /truncated/],
      [new Uint8Array([...one, 0]), /trailing bytes/],
      [new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0, 0xff, 0, 0, 0, 0]), /not UTF-8/],
      [new Uint8Array([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), /truncated/],
    ];
    for (const [bytes, reason] of cases) assert.match(String(decodeSealedBatch(bytes)), reason);
  });
});
