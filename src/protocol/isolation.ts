/**
 * The isolation pattern's wire contract: every message between the page, the isolation frame and the core, declared
 * once and shared by the page runtime (src/webview/isolation.ts), the frame runtime (src/isolation/main.ts) and the
 * core (src/core/isolation.ts, src/transports/isolation-frame.ts).
 *
 * Names, after Tauri's `isolation.js`: page → isolation frame = the *isolation payload* (the message the hook
 * judges); isolation frame → core = the *sealed message*.
 *
 * The path of one call:
 *
 *   page ──postMessage(IsolationRequest)──► frame: hook, AES-GCM seal ──frame socket: one binary sealed frame──► core
 *   page ◄──────────────────────── page socket: the response, as for any call ──────────────────────── core
 *
 * The frame has a WebSocket of its own to the isolation origin, so a sealed call crosses between the page and frame
 * processes once. That socket is opened only with two secrets: a one-time *frame token* the core gives the page
 * over the page's own (authenticated) socket, which the page hands to the frame by postMessage, and a one-time
 * *document id* the isolation origin embeds, with a fresh AES key, in each frame document it serves. Page script
 * can read the token but never a document (it is cross-origin); a local process can fetch documents but never
 * gets a token without redeeming the page's session. The key only opens anything once a socket holding both has
 * bound it to the page's connection.
 *
 * Tauri encrypts only the args, so script in the page can replay a sealed payload or move it to another command.
 * Here the AES-256-GCM associated data binds everything the core acts on besides the args: the webview label, the
 * page's connection, the frame instance and a per-instance sequence number (no replays), the command, the plaintext
 * kind and the headers.
 */

/** Frame → page: the hook is set and the frame's socket is open; the page may send calls. */
export const ISOLATION_READY = '__TAURI_ISOLATION_READY__';
/** Frame → page: a frame document has loaded and asks for its binding (a frame token). */
export const ISOLATION_HELLO = '__airlock_isolation_hello__';
export const AAD_VERSION = 'airlock-isolation/1';

/** Sub-protocol prefixes of the frame socket's upgrade (secrets stay out of URLs). */
export const FRAME_TOKEN_PROTOCOL_PREFIX = 'airlock.frame.';
export const FRAME_DOC_PROTOCOL_PREFIX = 'airlock.doc.';

/**
 * Control messages under the isolation pattern (beyond Tauri): a call's cancel and page → core stream data travel
 * sealed on the frame's socket like any call, under these reserved command names, which no app or plugin command
 * can take. They are not calls: the frame seals them without asking the hook (a hook that allow-lists commands
 * cannot block a cancel), the core never dispatches them, and nothing answers them.
 *   cancel  `__airlock:cancel`, JSON args `{"callback": <the call's callback id>}`
 *   stream  `__airlock:stream`, headers `x-airlock-stream: <id>` and `x-airlock-op: chunk | end | err`; the chunk's
 *           bytes as the raw plaintext, an error's text as JSON `{"message": …}`
 */
export const CONTROL_PREFIX = '__airlock:';
export const CANCEL_COMMAND = '__airlock:cancel';
export const STREAM_COMMAND = '__airlock:stream';
export const STREAM_ID_HEADER = 'x-airlock-stream';
export const STREAM_OP_HEADER = 'x-airlock-op';

/** Plaintext kind: `j` JSON text of the args, `r` raw bytes. */
export type SealedKind = 'j' | 'r';

/**
 * Headers in one canonical form: lower-case names, sorted, JSON. The object has no prototype, so a header named
 * `__proto__` is bound like any other (on a plain object that assignment is swallowed, and such a header could be
 * added to a sealed message unnoticed).
 */
export function canonicalHeaders(headers: Readonly<Record<string, string>> | undefined): string {
  if (headers === undefined) return '{}';
  const names = Object.keys(headers).sort();
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of names) out[name.toLowerCase()] = headers[name] as string;
  return JSON.stringify(out);
}

export interface SealContext {
  readonly label: string;
  /** The page's connection id (from the core's hello frame). */
  readonly connection: string;
  readonly instance: string;
  readonly seq: number;
  readonly kind: SealedKind;
  readonly command: string;
  readonly headers: Readonly<Record<string, string>> | undefined;
}

/** The associated data both sides compute; any difference makes the tag check fail. */
export function associatedData(c: SealContext): string {
  return [AAD_VERSION, c.label, c.connection, c.instance, String(c.seq), c.kind, c.command, canonicalHeaders(c.headers)].join('\n');
}

// ── page ↔ frame (postMessage) ─────────────────────────────────────────────────────────────────────────────────────

/** The message `invoke` hands to `ipc`, as in Tauri, and as the isolation hook sees it. */
export interface IsolationPayload {
  cmd: string;
  callback: number;
  error: number;
  payload: unknown;
  options?: { headers?: unknown } | undefined;
}

/**
 * Page → frame: one call for the hook to judge, its args already in the form the core will get — `json`, the JSON
 * text the page runtime serialized (Tauri's rules: a `Map` is an object, nested bytes are number arrays), which the
 * frame parses for the hook, or `raw`, a binary body.
 */
export interface IsolationRequest {
  readonly airlock: 1;
  readonly cmd: string;
  readonly callback: number;
  readonly error: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: string;
  readonly raw?: Uint8Array;
}

/** Page → frame: the calls a page made in one turn of its event loop, in order (pipelined calls). */
export interface IsolationBatch {
  readonly airlock: 1;
  readonly batch: readonly IsolationRequest[];
}

/** Page → frame: what the frame binds its socket and its seals to, answering ISOLATION_HELLO. */
export interface IsolationBind {
  readonly airlock: 1;
  readonly bind: { readonly token: string; readonly connection: string; readonly label: string };
}

/** Frame → page: the hook blocked a call (or sealing failed), so the caller's `invoke` rejects at once. */
export interface RefusedMessage {
  readonly refused: { readonly callback: number; readonly error: number; readonly cmd: string; readonly reason: string };
}

/** Frame → page: the frame cannot judge calls (its hook failed to load, its socket was refused or closed). */
export interface FailedMessage {
  readonly failed: string;
}

export type FrameToPage = typeof ISOLATION_READY | typeof ISOLATION_HELLO | RefusedMessage | FailedMessage;

// ── frame → core (the frame socket) ──────────────────────────────────────────────────────────────────────────────

/**
 * On the frame socket a sealed call travels as one binary frame, a *sealed frame*: `count` (u32), then per call
 * `headerLength` (u32), the header's UTF-8 (frames.ts `sealed`, JSON), `bodyLength` (u32) and the ciphertext;
 * little-endian. A call alone is a sealed frame of one; calls sealed together (pipelined) share one (a *sealed
 * batch*). Every call in it is checked on its own, as if sent alone.
 *
 * One exception, so that a large body is not copied once more: a call alone whose ciphertext is at least
 * `SPLIT_SEALED_BYTES` long goes as its header text frame, then the ciphertext as the next binary frame, exactly
 * as WebCrypto returned it (WebSocket.send takes one buffer, and WebCrypto writes into none of ours). Each call has
 * one form: a header frame followed by a shorter ciphertext closes the socket. Any other text frame is not a
 * call: a plaintext invoke is refused to its caller, anything else closes the socket.
 */
export interface SealedPart {
  readonly header: string;
  readonly body: Uint8Array;
}

/** At most this many calls in one sealed frame. */
export const MAX_BATCH = 1024;
/** A call alone with a ciphertext this long or longer goes as its header frame, then the ciphertext (see above). */
export const SPLIT_SEALED_BYTES = 256 * 1024;
/** A sealed call's header is at most this long (its command, ids, nonce and headers). */
export const MAX_SEALED_HEADER = 64 * 1024;

const batchEncoder = new TextEncoder();

/**
 * One sealed frame holding `parts`, in order. The ciphertexts are copied once, into the frame (WebSocket.send takes
 * one buffer); nothing else is.
 */
export function encodeSealedBatch(parts: readonly { header: string; body: ArrayBuffer | Uint8Array }[]): Uint8Array<ArrayBuffer> {
  const heads: Uint8Array[] = new Array(parts.length);
  let total = 4;
  for (let i = 0; i < parts.length; i++) {
    const head = batchEncoder.encode((parts[i] as SealedPart).header);
    heads[i] = head;
    total += 8 + head.length + (parts[i] as SealedPart).body.byteLength;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, parts.length, true);
  let o = 4;
  for (let i = 0; i < parts.length; i++) {
    const head = heads[i] as Uint8Array;
    const body = (parts[i] as { body: ArrayBuffer | Uint8Array }).body;
    view.setUint32(o, head.length, true);
    out.set(head, o + 4);
    o += 4 + head.length;
    view.setUint32(o, body.byteLength, true);
    out.set(body instanceof Uint8Array ? body : new Uint8Array(body), o + 4);
    o += 4 + body.byteLength;
  }
  return out;
}

const batchDecoder = new TextDecoder('utf-8', { fatal: true });

/** Splits a sealed frame into its calls (views into `bytes`, no copies), or says why it is not one. */
export function decodeSealedBatch(bytes: Uint8Array): SealedPart[] | string {
  if (bytes.length < 4) return 'a sealed frame shorter than its count';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  if (count < 1 || count > MAX_BATCH) return `a sealed frame must hold 1 to ${MAX_BATCH} calls`;
  const parts: SealedPart[] = [];
  let o = 4;
  for (let i = 0; i < count; i++) {
    if (o + 4 > bytes.length) return `a truncated sealed frame (call ${i + 1} of ${count} has no header length)`;
    const headLength = view.getUint32(o, true);
    o += 4;
    if (headLength > MAX_SEALED_HEADER || o + headLength + 4 > bytes.length)
      return `a truncated sealed frame (the header of call ${i + 1} runs past its end or past ${MAX_SEALED_HEADER} bytes)`;
    let header: string;
    try {
      header = batchDecoder.decode(bytes.subarray(o, o + headLength));
    } catch {
      return 'a sealed call header that is not UTF-8';
    }
    o += headLength;
    const bodyLength = view.getUint32(o, true);
    o += 4;
    if (o + bodyLength > bytes.length) return `a truncated sealed frame (the ciphertext of call ${i + 1} runs past its end)`;
    parts.push({ header, body: bytes.subarray(o, o + bodyLength) });
    o += bodyLength;
  }
  if (o !== bytes.length) return 'trailing bytes after a sealed frame';
  return parts;
}

// ── core → page (control frames on the page socket) ───────────────────────────────────────────────────────────────

/**
 * `{"ft":token}`: the next one-time frame token of this connection (one after the hello, one after each use).
 * `{"fx":[callbackId,…],"fk":token}`: the socket of the frame bound with (already spent) frame token `fk` closed;
 * the calls listed reached the core and will be answered, any other call the page gave that frame never arrived
 * and is to be rejected. `fk` names which frame: a restarted frame's new socket may be open already, and its calls
 * are not the old one's.
 */
export interface FrameTokenFrame {
  readonly ft: string;
}
export interface FrameClosedFrame {
  readonly fx: readonly number[];
  readonly fk: string;
}

export const encodeIsolation = {
  frameToken: (token: string): string => `{"ft":${JSON.stringify(token)}}`,
  frameClosed: (callbacks: Iterable<number>, token: string): string => `{"fx":[${[...callbacks].join(',')}],"fk":${JSON.stringify(token)}}`,
};
