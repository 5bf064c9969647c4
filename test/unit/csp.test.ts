// Tauri's CSP rules as the core applies them to served HTML (src/transports/csp.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CspContext, documentPolicy } from '../../src/transports/csp.ts';

const ctx = (policy: string, extra: Partial<CspContext> = {}): CspContext => ({
  policy,
  disableModification: false,
  connect: ['ws://127.0.0.1:9', 'ws://localhost:9'],
  ...extra,
});

describe('documentPolicy', () => {
  // sha256('a()') = qVpDBgj7…, computed independently with node:crypto
  test('adds the runtime nonce and inline hashes to script-src, the IPC socket to connect-src', () => {
    const p = documentPolicy(ctx("default-src 'self'; script-src 'self'"), '<script>a()</script><script src="/x.js"></script>', 'N');
    assert.equal(
      p,
      "default-src 'self'; script-src 'self' 'nonce-N' 'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='; connect-src 'self' ws://127.0.0.1:9 ws://localhost:9",
    );
  });

  test("a directive the policy leaves to default-src starts from it; one it leaves unrestricted stays so; 'none' goes", () => {
    assert.equal(documentPolicy(ctx("img-src 'self'"), '', 'N'), "img-src 'self'");
    assert.equal(
      documentPolicy(ctx("default-src 'none'", { frame: 'http://127.0.0.1:7' }), '', 'N'),
      "default-src 'none'; script-src 'nonce-N'; connect-src ws://127.0.0.1:9 ws://localhost:9; frame-src http://127.0.0.1:7",
    );
  });

  test("Tauri's scheme names become the core's origins; dangerousDisableAssetCspModification is honoured", () => {
    assert.equal(
      documentPolicy(
        ctx('connect-src ipc: http://ipc.localhost; img-src asset: http://asset.localhost', { asset: 'http://127.0.0.1:5' }),
        '',
        'N',
      ),
      'connect-src ws://127.0.0.1:9 ws://localhost:9; img-src http://127.0.0.1:5',
    );
    assert.equal(
      documentPolicy(ctx("default-src 'self'", { disableModification: true }), '<script>a()</script>', 'N'),
      "default-src 'self'",
    );
    assert.equal(
      documentPolicy(ctx("default-src 'self'", { disableModification: ['script-src'] }), '', 'N'),
      "default-src 'self'; connect-src 'self' ws://127.0.0.1:9 ws://localhost:9",
    );
  });
});
