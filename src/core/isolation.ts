/**
 * The core's half of the isolation pattern: a fresh AES-256-GCM key per launch, and the check every sealed message
 * passes before it becomes a call. A message is refused — error to the caller, a log line, nothing executed — when
 * its ciphertext is missing or too short, the tag does not verify (tampered, sealed under another key, or its
 * associated data names another webview, command, kind or headers), or its sequence number was already used by
 * that frame instance (a replay). Plaintext calls are refused by the connection before they get here.
 */
import { createDecipheriv, randomBytes } from 'node:crypto';
import { jsonDepthExceeds } from '../protocol/codec.js';
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import type { SealedFrame } from '../protocol/frames.js';
import { associatedData } from '../protocol/isolation.js';
import type { Call, Connection } from './connection.js';

const TAG_BYTES = 16;
const NONCE_BYTES = 12;
/** Isolation frame instances one page may use (it normally has one; each is a separate sequence). */
const INSTANCES_PER_PAGE = 256;

export interface Isolation {
  /** The raw key, for the isolation frame's document only. */
  readonly frameKey: Uint8Array;
  openSealed(conn: Connection, frame: SealedFrame, ciphertext: Uint8Array): Promise<Call>;
}

export function createIsolation(report: (message: string) => void, maxDepth: number): Isolation {
  const key = randomBytes(32);
  /** connection → frame instance → highest sequence number opened. A new connection (reload, reconnect) has a new
   *  id in the associated data, so nothing sealed for an earlier one opens on it. */
  const seen = new WeakMap<Connection, Map<string, number>>();

  function refuse(conn: Connection, frame: SealedFrame, why: string): never {
    report(`isolation: refused a message from webview \`${conn.label}\` (command \`${frame.c}\`): ${why}`);
    throw new AirlockError(ErrorCode.ISOLATION_INVALID, `the core refused this call to \`${frame.c}\`: ${why}`);
  }

  function open(conn: Connection, frame: SealedFrame, ciphertext: Uint8Array): Call {
    const nonce = Buffer.from(frame.n, 'base64');
    if (nonce.length !== NONCE_BYTES) refuse(conn, frame, `the nonce must be ${NONCE_BYTES} bytes`);
    if (ciphertext.length < TAG_BYTES) refuse(conn, frame, 'the sealed body is empty or truncated');
    let byInstance = seen.get(conn);
    if (byInstance === undefined) {
      byInstance = new Map();
      seen.set(conn, byInstance);
    }
    const last = byInstance.get(frame.i);
    if (last !== undefined && frame.q <= last) refuse(conn, frame, `sequence number ${frame.q} was already used (a replay)`);
    if (last === undefined && byInstance.size >= INSTANCES_PER_PAGE) refuse(conn, frame, 'too many isolation frame instances on this page');
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(
        Buffer.from(
          associatedData({
            label: conn.label,
            connection: conn.id,
            instance: frame.i,
            seq: frame.q,
            kind: frame.k,
            command: frame.c,
            headers: frame.h,
          }),
        ),
      );
      decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
      plain = decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES));
      const rest = decipher.final(); // GCM is a stream cipher: nothing is held back, this only checks the tag
      if (rest.length > 0) plain = Buffer.concat([plain, rest]);
    } catch {
      return refuse(
        conn,
        frame,
        "it does not verify under this launch's key (tampered, sealed elsewhere, or moved to another command or webview)",
      );
    }
    byInstance.set(frame.i, frame.q);
    const headers = frame.h ?? Object.freeze(Object.create(null) as Record<string, string>);
    if (frame.k === 'r')
      return { command: frame.c, args: new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength), raw: true, headers };
    const text = plain.toString('utf8');
    if (jsonDepthExceeds(text, maxDepth))
      throw new AirlockError(ErrorCode.PAYLOAD_TOO_LARGE, `args nest deeper than the limit of ${maxDepth} levels`);
    let args: unknown;
    try {
      args = JSON.parse(text);
    } catch {
      return refuse(conn, frame, 'the sealed args are not JSON');
    }
    return { command: frame.c, args, raw: false, headers };
  }

  return {
    frameKey: new Uint8Array(key),
    openSealed: async (conn, frame, ciphertext) => open(conn, frame, ciphertext),
  };
}
