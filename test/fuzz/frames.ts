// Generators of hostile page → core frames for the fuzz tests: well-formed calls with hostile args, calls on the
// event and channel paths, binary bodies (announced, unannounced, truncated), sealed frames, wrong types, unknown
// kinds, truncated and mutated JSON, deep nesting and prototype-pollution payloads. A generated *step* is one to
// three frames in the order a page would send them.
import fc from 'fast-check';

export type Frame = string | Uint8Array;

/** JSON texts that would pollute `Object.prototype` (or an object's prototype) if a key were ever assigned. */
export const POLLUTION_TEXTS = [
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"a":{"__proto__":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}',
  '[{"__proto__":{"polluted":"yes"}},{"constructor":{"prototype":{"polluted":"yes"}}}]',
  '{"__proto__":[],"toString":"x","valueOf":1,"hasOwnProperty":null}',
] as const;

/** Commands registered by the fuzz apps (see fuzzApp in harness.ts), the core plugins, and names that do not exist. */
export const COMMANDS = [
  'ping',
  'echo',
  'zod_cmd',
  'valibot_cmd',
  'stream',
  'bytes',
  'throws',
  'emit_back',
  'plugin:event|listen',
  'plugin:event|unlisten',
  'plugin:event|emit',
  'plugin:event|emit_to',
  'plugin:app|version',
  'plugin:app|name',
  'plugin:window|title',
  'plugin:window|get_all_windows',
  'plugin:event|constructor',
  'plugin:__proto__|x',
  'plugin:event|',
  'plugin:',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
] as const;

const json = (v: unknown): string => JSON.stringify(v) ?? 'null';

/** Any code point, lone surrogates included (fast-check's `binary` unit costs seconds to set up). */
export const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c));

const eventName = fc.oneof(fc.constantFrom('tick', 'a/b', 'x:y-z', 'über_1', '', '__proto__', 'constructor'), fc.string({ maxLength: 12 }));

const label = fc.constantFrom('fuzz', 'main', 'other', '', '__proto__');

const target = fc.oneof(
  fc.constantFrom<unknown>({ kind: 'Any' }, { kind: 'App' }, 'fuzz', { kind: 'Nope' }, null, 7, [], { kind: 'Window' }),
  fc.record({ kind: fc.constantFrom('AnyLabel', 'Window', 'Webview', 'WebviewWindow', '__proto__'), label }),
);

const u32ish = fc.oneof(
  fc.nat({ max: 0xffff_ffff }),
  fc.constantFrom<unknown>(-1, 0x1_0000_0000, 1.5, Number.MAX_SAFE_INTEGER, '1', null, true, [], {}),
);

/** Small JSON-ish values, including the pollution payloads as nested values. */
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(...POLLUTION_TEXTS).map((t) => JSON.parse(t) as unknown) },
);

/** Args text for a command: usually shaped for that command (so its deeper paths run), sometimes anything. */
function argsFor(command: string): fc.Arbitrary<string> {
  const shaped = ((): fc.Arbitrary<unknown> | undefined => {
    switch (command) {
      case 'plugin:event|listen':
        return fc.record({ event: eventName, target, handler: u32ish }, { requiredKeys: ['event'] });
      case 'plugin:event|unlisten':
        return fc.record({ event: eventName, eventId: u32ish });
      case 'plugin:event|emit':
        return fc.record({ event: eventName, payload: value }, { requiredKeys: ['event'] });
      case 'plugin:event|emit_to':
        return fc.record({ target, event: eventName, payload: value }, { requiredKeys: ['event'] });
      case 'stream':
        return fc.record({
          ch: fc.oneof(
            fc.nat({ max: 50 }).map((n) => `__CHANNEL__:${n}`),
            fc.constantFrom<unknown>('__CHANNEL__:', '__CHANNEL__:99999999999', 5, null),
          ),
          count: fc.oneof(fc.nat({ max: 12 }), fc.constantFrom<unknown>(-1, 'x', 1e9)),
          bytes: fc.boolean(),
        });
      case 'zod_cmd':
      case 'valibot_cmd':
        return fc.record(
          {
            name: fc.oneof(fc.string({ maxLength: 8 }), value),
            n: fc.oneof(fc.integer(), value),
            tags: fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
            meta: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'k', 'toString'), value, { maxKeys: 3 }),
          },
          { requiredKeys: [] },
        );
      default:
        return undefined;
    }
  })();
  const anything = fc.oneof(fc.json({ maxDepth: 3 }), fc.constantFrom(...POLLUTION_TEXTS));
  return shaped === undefined ? anything : fc.oneof({ weight: 4, arbitrary: shaped.map(json) }, { weight: 1, arbitrary: anything });
}

const headersText = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('{"__proto__":"x","constructor":"y","prototype":"z"}', '{"Content-Type":"application/json","X-A":"1"}'),
  },
  { weight: 3, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }).map(json) },
  { weight: 1, arbitrary: fc.constantFrom('{"a":1}', '[]', '"text"', 'null', '{"__proto__":{"polluted":"yes"}}') },
);

const bytes = fc.uint8Array({ maxLength: 64 });

/** A call frame as the page runtime writes it, with args shaped for its command (built once per command). */
const wellFormed: fc.Arbitrary<Frame[]> = fc.oneof(
  ...COMMANDS.map((c) =>
    fc.tuple(argsFor(c), fc.nat({ max: 0x7fff_fffe }), fc.option(headersText, { nil: undefined })).map(([a, id, h]): Frame[] => {
      const hp = h === undefined ? '' : `,"h":${h}`;
      return [`{"t":"i","c":${json(c)},"cb":${id},"er":${id + 1}${hp},"a":${a}}`];
    }),
  ),
);

/** A binary invoke: header + body, or a header followed by the wrong thing, or a body with no header. */
const binary: fc.Arbitrary<Frame[]> = fc
  .tuple(fc.constantFrom('echo', 'bytes', 'zod_cmd', 'plugin:event|emit'), fc.nat({ max: 1e6 }), bytes, fc.nat({ max: 3 }))
  .map(([c, id, body, variant]): Frame[] => {
    const header = `{"t":"i","c":${json(c)},"cb":${id},"er":${id + 1},"b":1}`;
    if (variant === 0) return [header, body];
    if (variant === 1) return [header, header];
    if (variant === 2) return [body];
    return [header, body.subarray(0, Math.floor(body.length / 2)), body];
  });

/** A sealed (isolation) frame with a random body: never opens without the launch key. */
const sealed: fc.Arbitrary<Frame[]> = fc
  .record({
    c: fc.constantFrom('side_effect', 'echo', 'plugin:event|emit'),
    cb: fc.nat({ max: 1e6 }),
    i: fc.oneof(fc.stringMatching(/^[\w-]{1,16}$/), fc.string({ maxLength: 4 })),
    q: fc.oneof(fc.nat(), fc.constantFrom<unknown>(-1, 1.5, '3')),
    n: fc.oneof(fc.base64String({ minLength: 16, maxLength: 16 }), fc.string({ maxLength: 70 })),
    k: fc.constantFrom<unknown>('j', 'r', 'x'),
    body: fc.uint8Array({ maxLength: 80 }),
  })
  .map(({ body, cb, ...h }) => [json({ t: 's', ...h, cb, er: cb + 1 }), body]);

/** Frames with every field of a random type, unknown kinds, missing fields. */
const wrongTypes: fc.Arbitrary<Frame[]> = fc
  .record(
    {
      t: fc.oneof(fc.constantFrom<unknown>('i', 's', 'x', 'I', '', 1, null), fc.jsonValue({ maxDepth: 1 })),
      c: fc.oneof(fc.constantFrom(...COMMANDS), fc.jsonValue({ maxDepth: 1 }), fc.string({ minLength: 250, maxLength: 300 })),
      cb: u32ish,
      er: u32ish,
      a: value,
      h: fc.jsonValue({ maxDepth: 2 }),
      b: fc.constantFrom<unknown>(1, 0, true, '1', 2),
    },
    { requiredKeys: [] },
  )
  .map((r) => [json(r)]);

/** A well-formed frame, then cut short, with a character changed or a fragment spliced in. */
const mutated: fc.Arbitrary<Frame[]> = fc
  .tuple(wellFormed, fc.nat(), fc.constantFrom('', '"', '}', '{', '\\', '\u0000', '\ud800', ',', ':', '"__proto__":'), fc.nat({ max: 2 }))
  .map(([[f], at, piece, how]): Frame[] => {
    const s = f as string;
    const i = at % (s.length + 1);
    if (how === 0) return [s.slice(0, i)];
    if (how === 1) return [s.slice(0, i) + piece + s.slice(i + 1)];
    return [s.slice(0, i) + piece + s.slice(i)];
  });

const garbage: fc.Arbitrary<Frame[]> = fc
  .oneof(
    fc.string({ maxLength: 24, unit: anyCodePoint }),
    fc.json({ maxDepth: 2 }),
    fc.constantFrom('', ' ', 'null', '[]', '{}', '"i"', '1e999', '{"t":"i"', '\u0000', '{"t":"i","c":"ping","cb":1,"er":2}{}'),
  )
  .map((s) => [s]);

const deep: fc.Arbitrary<Frame[]> = fc
  .tuple(fc.integer({ min: 100, max: 400 }), fc.boolean())
  .map(([n, arr]) => [`{"t":"i","c":"echo","cb":1,"er":2,"a":${(arr ? '[' : '{"a":').repeat(n)}1${(arr ? ']' : '}').repeat(n)}}`]);

/** One step of a hostile page. */
export const step: fc.Arbitrary<Frame[]> = fc.oneof(
  { weight: 30, arbitrary: wellFormed },
  { weight: 2, arbitrary: binary },
  { weight: 2, arbitrary: sealed },
  { weight: 2, arbitrary: wrongTypes },
  { weight: 2, arbitrary: mutated },
  { weight: 1, arbitrary: garbage },
  { weight: 1, arbitrary: deep },
);

/** Only text frames, for the decoder. */
export const textFrame: fc.Arbitrary<string> = step.map((frames) => frames.find((f): f is string => typeof f === 'string') ?? '');
