/**
 * Core-side encoding and decoding of frames (see frames.ts for the shapes).
 *
 * Encoders build the JSON text by concatenation around a payload that is serialized exactly once, so an event
 * delivered to twenty pages costs one `JSON.stringify`. The decoder is the guard every inbound frame passes
 * before it reaches the core: anything that is not exactly a known frame becomes a PROTOCOL error.
 */
import { AirlockError, ErrorCode } from './errors.js';
import {
  type ClientFrame,
  type Headers,
  isCallbackId,
  type PageFrame,
  type StreamDataFrame,
  type WindowOp,
  type WindowReport,
} from './frames.js';

export interface DecodeLimits {
  /** Deepest nesting of arrays/objects accepted in a frame's JSON. */
  readonly maxDepth: number;
}

function protocolError(message: string): AirlockError {
  return new AirlockError(ErrorCode.PROTOCOL, message);
}

/** Depth of nested arrays/objects in JSON text, counted without parsing (strings are skipped). */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  // Depth cannot exceed the number of `{` and `[` in the text (counting those inside strings too): most frames hold
  // a handful, counted by a few `indexOf`s instead of a look at every character.
  let openers = 0;
  for (let i = text.indexOf('{'); i >= 0 && openers <= maxDepth; i = text.indexOf('{', i + 1)) openers++;
  for (let i = text.indexOf('['); i >= 0 && openers <= maxDepth; i = text.indexOf('[', i + 1)) openers++;
  if (openers <= maxDepth) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (ch === 125 || ch === 93) depth--;
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Bounds on a call's headers (page-supplied strings the core passes to handlers, the trace and the isolation data). */
export const MAX_HEADERS = 64;
export const MAX_HEADER_NAME = 256;
export const MAX_HEADER_VALUE = 16 * 1024;

function readHeaders(value: unknown): Headers | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) throw protocolError('frame field `h` (headers) must be an object of strings');
  const headers: Record<string, string> = Object.create(null);
  const entries = Object.entries(value);
  if (entries.length > MAX_HEADERS) throw protocolError(`a call carries more than ${MAX_HEADERS} headers`);
  for (const [name, v] of entries) {
    if (typeof v !== 'string') throw protocolError(`header \`${name.slice(0, 32)}\` must be a string`);
    if (name.length > MAX_HEADER_NAME || v.length > MAX_HEADER_VALUE)
      throw protocolError(
        `header \`${name.slice(0, 32)}\` is longer than the limit (${MAX_HEADER_NAME} for a name, ${MAX_HEADER_VALUE} for a value)`,
      );
    headers[name.toLowerCase()] = v;
  }
  return headers;
}

const SCREEN_FIELDS = 8;
const MAX_COORD = 1e6;

function coordinate(value: unknown, name: string, min = -MAX_COORD): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_COORD)
    throw protocolError(`window report field \`${name}\` must be a number within ±${MAX_COORD}`);
  return value;
}

function flag(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw protocolError(`window report field \`${name}\` must be a boolean`);
  return value;
}

/** A page's report of its window (`{"t":"w","s":…}`), every field checked. */
function readReport(raw: unknown): WindowReport {
  if (!isPlainObject(raw)) throw protocolError('window report field `s` must be an object');
  const sc = raw['sc'];
  if (!Array.isArray(sc) || sc.length !== SCREEN_FIELDS) throw protocolError('window report field `sc` must be 8 numbers');
  const screen = sc.map((v, i) => coordinate(v, `sc[${i}]`)) as unknown as WindowReport['sc'];
  const sf = coordinate(raw['sf'], 'sf', 0);
  if (sf <= 0 || sf > 64) throw protocolError('window report field `sf` must be a scale factor between 0 and 64');
  const th = raw['th'];
  if (th !== 'light' && th !== 'dark') throw protocolError('window report field `th` must be "light" or "dark"');
  const ti = raw['ti'];
  if (typeof ti !== 'string' || ti.length > 4096)
    throw protocolError('window report field `ti` must be a string of at most 4096 characters');
  const cursor =
    raw['cx'] === undefined && raw['cy'] === undefined ? {} : { cx: coordinate(raw['cx'], 'cx'), cy: coordinate(raw['cy'], 'cy') };
  return {
    iw: coordinate(raw['iw'], 'iw', 0),
    ih: coordinate(raw['ih'], 'ih', 0),
    ow: coordinate(raw['ow'], 'ow', 0),
    oh: coordinate(raw['oh'], 'oh', 0),
    x: coordinate(raw['x'], 'x'),
    y: coordinate(raw['y'], 'y'),
    sf,
    f: flag(raw['f'], 'f'),
    h: flag(raw['h'], 'h'),
    fs: flag(raw['fs'], 'fs'),
    th,
    ti,
    sc: screen,
    ...cursor,
  };
}

/** Parses and validates one text frame from a page that must be a call. Throws AirlockError(PROTOCOL) otherwise. */
export function decodeClientFrame(text: string, limits: DecodeLimits): ClientFrame {
  const frame = decodePageFrame(text, limits);
  if (frame.t === 'w' || frame.t === 'g' || frame.t === 'x' || frame.t === 'd') throw protocolError('expected a call frame');
  return frame;
}

/** Parses and validates one text frame from a page (a call or a window report). Throws AirlockError(PROTOCOL). */
export function decodePageFrame(text: string, limits: DecodeLimits): PageFrame {
  if (jsonDepthExceeds(text, limits.maxDepth + 1)) {
    throw new AirlockError(ErrorCode.PAYLOAD_TOO_LARGE, `frame nests deeper than the limit of ${limits.maxDepth} levels`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new AirlockError(ErrorCode.PROTOCOL, 'frame is not valid JSON', { cause });
  }
  if (!isPlainObject(raw)) throw protocolError('frame must be a JSON object');
  const { t, c, cb, er } = raw;
  if (t === 'w') return { t, s: readReport(raw['s']) };
  if (t === 'g') {
    const { k, x, y, q } = raw;
    if (k !== 'enter' && k !== 'over' && k !== 'drop' && k !== 'leave')
      throw protocolError('drag frame field `k` must be enter, over, drop or leave');
    if (typeof x !== 'number' || !Number.isFinite(x) || typeof y !== 'number' || !Number.isFinite(y))
      throw protocolError('drag frame fields `x` and `y` must be finite numbers');
    if (typeof q !== 'number' || !Number.isSafeInteger(q) || q < 0) throw protocolError('drag frame field `q` must be a drop number');
    return { t, k, x, y, q };
  }
  if (t === 'x') {
    if (!isCallbackId(cb)) throw protocolError('cancel frame field `cb` must be a u32 callback id');
    return { t, cb };
  }
  if (t === 'd') return decodeStreamData(raw);
  if (t !== 'i' && t !== 's') throw protocolError(`unknown frame kind ${(JSON.stringify(t) ?? 'undefined').slice(0, 32)}`);
  if (typeof c !== 'string' || c.length === 0) throw protocolError('frame field `c` (command) must be a non-empty string');
  if (c.length > 256) throw protocolError('command name is longer than 256 characters');
  // Command names reach logs and terminals; no real one holds a control character (nor a bidi override).
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(c))
    throw protocolError('command name contains a control character');
  if (!isCallbackId(cb) || !isCallbackId(er)) throw protocolError('frame fields `cb` and `er` must be u32 callback ids');
  const h = readHeaders(raw['h']);
  if (t === 'i') {
    const b = raw['b'];
    if (b !== undefined && b !== 1) throw protocolError('frame field `b` must be 1 when present');
    // Built field by field (no spreads): this runs for every call.
    if (b === 1) return h === undefined ? { t, c, cb, er, b } : { t, c, cb, er, b, h };
    const a = raw['a'];
    return h === undefined ? { t, c, cb, er, a } : { t, c, cb, er, a, h };
  }
  const { i, q, n, k } = raw;
  if (typeof i !== 'string' || !/^[\w-]{1,64}$/.test(i)) throw protocolError('sealed frame field `i` must be an instance id');
  if (typeof q !== 'number' || !Number.isSafeInteger(q) || q < 0) throw protocolError('sealed frame field `q` must be a sequence number');
  if (typeof n !== 'string' || n.length > 64) throw protocolError('sealed frame field `n` must be a base64 nonce');
  if (k !== 'j' && k !== 'r') throw protocolError('sealed frame field `k` must be "j" or "r"');
  return { t, c, cb, er, i, q, n, k, ...(h === undefined ? {} : { h }) };
}

function decodeStreamData(raw: Record<string, unknown>): StreamDataFrame {
  const { s, b, end, err } = raw;
  if (!isCallbackId(s)) throw protocolError('stream frame field `s` must be a u32 stream id');
  const marks = (b === undefined ? 0 : 1) + (end === undefined ? 0 : 1) + (err === undefined ? 0 : 1);
  if (marks !== 1) throw protocolError('a stream frame carries exactly one of `b`, `end` and `err`');
  if (b !== undefined && b !== 1) throw protocolError('stream frame field `b` must be 1 when present');
  if (end !== undefined && end !== 1) throw protocolError('stream frame field `end` must be 1 when present');
  if (err !== undefined && (typeof err !== 'string' || err.length > 1024))
    throw protocolError('stream frame field `err` must be a string of at most 1024 characters');
  if (b === 1) return { t: 'd', s, b };
  if (end === 1) return { t: 'd', s, end };
  return { t: 'd', s, err: err as string };
}

/** `JSON.stringify` that never throws: undefined becomes null, failures become an AirlockError. */
export function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new AirlockError(ErrorCode.INTERNAL, `${what} cannot be serialized to JSON: ${(cause as Error).message}`, { cause });
  }
  return text ?? 'null';
}

export const encode = {
  hello: (token: string, connection: string, assets?: string): string =>
    `{"hello":{"token":${JSON.stringify(token)},"conn":${JSON.stringify(connection)}${assets === undefined ? '' : `,"assets":${JSON.stringify(assets)}`}}}`,
  response: (callbackId: number, json: string): string => `{"r":${callbackId},"d":${json}}`,
  responseBytes: (callbackId: number): string => `{"r":${callbackId},"b":1}`,
  event: (nameJson: string, payloadJson: string, pairs: readonly number[]): string =>
    `{"e":${nameJson},"p":${payloadJson},"l":[${pairs.join(',')}]}`,
  channel: (id: number, index: number, json: string): string => `{"c":${id},"i":${index},"m":${json}}`,
  channelBytes: (id: number, index: number): string => `{"c":${id},"i":${index},"b":1}`,
  channelEnd: (id: number, count: number): string => `{"c":${id},"i":${count},"end":1}`,
  windowOp: (op: WindowOp): string => `{"w":${JSON.stringify(op.op)}${op.value === undefined ? '' : `,"v":${JSON.stringify(op.value)}`}}`,
  streamCredit: (id: number, bytes: number): string => `{"sc":${id},"n":${bytes}}`,
};
