import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isValidEventName, parseTarget, targetMatches, type EventTarget } from '../../src/core/targets.ts';

const L = 'main';
const kinds = ['Any', 'App', 'AnyLabel', 'Window', 'Webview', 'WebviewWindow'] as const;
const t = (kind: (typeof kinds)[number], label = L): EventTarget =>
  (kind === 'Any' || kind === 'App' ? { kind } : { kind, label }) as EventTarget;

// Rows: emission; columns: listener target, in the order of `kinds` (spec §4.4).
const MATRIX: Record<(typeof kinds)[number], boolean[]> = {
  Any: [true, true, true, true, true, true],
  App: [true, true, false, false, false, false],
  AnyLabel: [true, false, true, true, true, true],
  Window: [true, false, true, true, false, false],
  Webview: [true, false, true, false, true, false],
  WebviewWindow: [true, false, true, false, false, true],
};

describe('event target matrix', () => {
  for (const emitted of kinds) {
    kinds.forEach((listener, i) => {
      const expected = MATRIX[emitted][i];
      test(`emit_to(${emitted}) ${expected ? 'reaches' : 'does not reach'} a ${listener} listener`, () => {
        assert.equal(targetMatches(t(emitted), t(listener)), expected);
      });
    });
  }

  test('labels must be equal for labelled targets', () => {
    assert.equal(targetMatches(t('AnyLabel', 'a'), t('Window', 'b')), false);
    assert.equal(targetMatches(t('Window', 'a'), t('AnyLabel', 'b')), false);
    assert.equal(targetMatches(t('Window', 'a'), t('Any')), true);
  });
});

describe('event names', () => {
  test('accepts unicode letters and digits, - / : _ and the empty string', () => {
    for (const name of ['', 'a', 'tauri://close-requested', 'ünïcødé_1', '数字', 'a/b:c-d_e']) assert.ok(isValidEventName(name), name);
  });
  test('rejects spaces, dots and punctuation', () => {
    for (const name of ['a b', 'a.b', 'a!', 'a*', '<script>']) assert.equal(isValidEventName(name), false, name);
  });
});

describe('parseTarget', () => {
  test('a string means AnyLabel', () => assert.deepEqual(parseTarget('x', 'listen'), { kind: 'AnyLabel', label: 'x' }));
  test('an unknown kind is a serde-style error', () => {
    assert.throws(() => parseTarget({ kind: 'Nope' }, 'emit_to'), /invalid args `target` for command `emit_to`: unknown variant `Nope`/);
  });
  test('a labelled kind needs a label', () => {
    assert.throws(() => parseTarget({ kind: 'Window' }, 'listen'), /missing field `label`/);
  });
});
