/**
 * The core's half of the isolation pattern (wire contract: protocol/isolation.ts).
 *
 * - Every frame document the isolation origin serves gets a one-time document id and a fresh AES-256-GCM key
 *   (`newDocument`); the key is useless until a frame socket binds it to a page.
 * - Every page connection gets one-time frame tokens over its own socket (`connected`, then one after each use).
 * - The frame socket's upgrade presents a token and a document id (`claim`): both are consumed, and the document's
 *   key is bound to the token's connection. The link then turns the socket's frames into that page's calls.
 *
 * A message on the frame socket is refused — error to the caller, a log line, nothing executed — when it is not a
 * sealed frame, its ciphertext is missing or too short, the tag does not verify (tampered, sealed under another key,
 * or its associated data names another webview, connection, command, kind or headers), or its sequence number was
 * already used by that frame instance (a replay). Plaintext and sealed calls on the page's own socket are refused
 * by the connection.
 */
import { createDecipheriv, randomBytes } from 'node:crypto';
import { decodeClientFrame, jsonDepthExceeds } from '../protocol/codec.js';
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import { type ClientFrame, CloseCode, type SealedFrame } from '../protocol/frames.js';
import { associatedData, decodeSealedBatch, encodeIsolation, SPLIT_SEALED_BYTES, type SealedPart } from '../protocol/isolation.js';
import type { Call, Connection } from './connection.js';

const TAG_BYTES = 16;
const NONCE_BYTES = 12;
/** Isolation frame instances one page may use (it normally has one; each is a separate sequence). */
const INSTANCES_PER_PAGE = 256;
/** A served frame document must open its socket within this time. */
const DOCUMENT_TTL_MS = 60_000;
/** Frame documents waiting for their socket at most (the oldest is forgotten first). */
const MAX_DOCUMENTS = 1024;

/** One frame socket as the transport provides it. */
export interface FrameSocketPeer {
  close(code: number, reason: string): void;
}

/** One bound frame socket, as the transport drives it. */
export interface FrameLink {
  readonly label: string;
  /** One frame from the socket. Never throws. */
  receive(data: string | Uint8Array): void;
  /** The socket is gone. Idempotent. */
  closed(): void;
}

export interface Isolation {
  /** A fresh frame document: its one-time id and its key, to embed in that document only. */
  newDocument(): { readonly id: string; readonly key: Uint8Array };
  /** A page connected under the isolation pattern: hand it its first frame token. */
  connected(conn: Connection): void;
  /** Binds a frame socket; undefined (nothing consumed but what was valid) when the token or document is unknown. */
  claim(token: string, document: string, peer: FrameSocketPeer): FrameLink | undefined;
}

export function createIsolation(report: (message: string) => void, maxDepth: number): Isolation {
  const documents = new Map<string, { key: Buffer; expires: number }>();
  const tokens = new Map<string, Connection>();
  /** connection → its unused token, and its live frame sockets. */
  const tokenOf = new WeakMap<Connection, string>();
  const links = new WeakMap<Connection, Set<FrameSocketPeer>>();
  /** connection → frame instance → highest sequence number opened. A new connection (reload, reconnect) has a new
   *  id in the associated data, so nothing sealed for an earlier one opens on it. */
  const seen = new WeakMap<Connection, Map<string, number>>();

  function refusal(conn: Connection, command: string, why: string): AirlockError {
    report(`isolation: refused a message from webview \`${conn.label}\` (command \`${command}\`): ${why}`);
    return new AirlockError(ErrorCode.ISOLATION_INVALID, `the core refused this call to \`${command}\`: ${why}`);
  }

  function issue(conn: Connection): void {
    if (!conn.open) return;
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, conn);
    tokenOf.set(conn, token);
    conn.notify(encodeIsolation.frameToken(token));
  }

  function open(conn: Connection, key: Buffer, frame: SealedFrame, ciphertext: Uint8Array): Call {
    const nonce = Buffer.from(frame.n, 'base64');
    if (nonce.length !== NONCE_BYTES) throw refusal(conn, frame.c, `the nonce must be ${NONCE_BYTES} bytes`);
    if (ciphertext.length < TAG_BYTES) throw refusal(conn, frame.c, 'the sealed body is empty or truncated');
    let byInstance = seen.get(conn);
    if (byInstance === undefined) {
      byInstance = new Map();
      seen.set(conn, byInstance);
    }
    const last = byInstance.get(frame.i);
    if (last !== undefined && frame.q <= last) throw refusal(conn, frame.c, `sequence number ${frame.q} was already used (a replay)`);
    if (last === undefined && byInstance.size >= INSTANCES_PER_PAGE)
      throw refusal(conn, frame.c, 'too many isolation frame instances on this page');
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
      throw refusal(
        conn,
        frame.c,
        "it does not verify under this frame's key (tampered, sealed elsewhere, or moved to another command or webview)",
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
      throw refusal(conn, frame.c, 'the sealed args are not JSON');
    }
    return { command: frame.c, args, raw: false, headers };
  }

  /** `token`: the (spent) frame token the socket was claimed with, which names this frame to the page. */
  function link(conn: Connection, key: Buffer, peer: FrameSocketPeer, token: string): FrameLink {
    let live = true;
    /** The header frame of a large call alone, waiting for its ciphertext (the next frame). */
    let header: SealedFrame | undefined;
    /** Calls this socket handed to the page's connection that have not settled yet. */
    const inFlight = new Set<number>();
    let byConn = links.get(conn);
    if (byConn === undefined) {
      byConn = new Set();
      links.set(conn, byConn);
    }
    byConn.add(peer);

    const violate = (reason: string): void => {
      report(`isolation: closing the isolation frame socket of webview \`${conn.label}\`: ${reason}`);
      peer.close(CloseCode.PROTOCOL, reason.slice(0, 120));
      closed();
    };
    const submit = (frame: ClientFrame, opener: () => Call): void => {
      inFlight.add(frame.cb);
      conn.receiveSealed(frame, opener, () => inFlight.delete(frame.cb));
    };
    function closed(): void {
      if (!live) return;
      live = false;
      header = undefined;
      links.get(conn)?.delete(peer);
      // Tell the page which of the calls it gave this frame are still coming; it rejects the others.
      conn.notify(encodeIsolation.frameClosed(inFlight, token));
    }

    return {
      label: conn.label,
      receive(data) {
        if (!live || !conn.open) return;
        if (typeof data !== 'string') {
          const h = header;
          header = undefined;
          if (h !== undefined) {
            // The ciphertext of a large call alone, announced by the header frame before it.
            if (data.length < SPLIT_SEALED_BYTES)
              return violate(
                `a sealed call under ${SPLIT_SEALED_BYTES} bytes travels in one binary sealed frame, not after a header frame`,
              );
            return submit(h, () => open(conn, key, h, data));
          }
          // A sealed frame (protocol/isolation.ts): one call, or calls sealed together; each is checked on its own.
          const parts = decodeSealedBatch(data);
          if (typeof parts === 'string') return violate(parts);
          const frames: SealedFrame[] = new Array(parts.length);
          for (let i = 0; i < parts.length; i++) {
            let f: ClientFrame;
            try {
              f = decodeClientFrame((parts[i] as SealedPart).header, { maxDepth });
            } catch (e) {
              return violate((e as Error).message);
            }
            if (f.t !== 's') return violate('a sealed frame holds only sealed calls');
            frames[i] = f;
          }
          for (let i = 0; i < frames.length; i++) {
            const f = frames[i] as SealedFrame;
            const body = (parts[i] as SealedPart).body;
            submit(f, () => open(conn, key, f, body));
          }
          return;
        }
        if (header !== undefined) return violate('expected the ciphertext announced by the previous frame');
        let frame: ClientFrame;
        try {
          frame = decodeClientFrame(data, { maxDepth });
        } catch (e) {
          return violate((e as Error).message);
        }
        if (frame.t === 's') {
          header = frame; // a large call alone: its ciphertext is the next frame
          return;
        }
        const error = refusal(conn, frame.c, "a plaintext call on the isolation frame's socket (only sealed messages are accepted)");
        submit(frame, () => {
          throw error;
        });
        if (frame.b === 1) violate('a plaintext call announcing a body on the isolation frame socket');
      },
      closed,
    };
  }

  return {
    newDocument() {
      const now = Date.now();
      for (const [id, d] of documents) {
        if (d.expires > now && documents.size < MAX_DOCUMENTS) break;
        documents.delete(id);
      }
      const id = randomBytes(24).toString('base64url');
      const key = randomBytes(32);
      documents.set(id, { key, expires: now + DOCUMENT_TTL_MS });
      return { id, key: new Uint8Array(key) };
    },
    connected(conn) {
      issue(conn);
      void conn.done.then(() => {
        const token = tokenOf.get(conn);
        if (token !== undefined) tokens.delete(token);
        for (const peer of links.get(conn) ?? []) peer.close(CloseCode.SHUTDOWN, 'the page went away');
        links.delete(conn);
      });
    },
    claim(token, document, peer) {
      const conn = tokens.get(token);
      const doc = documents.get(document);
      if (conn === undefined || doc === undefined || doc.expires <= Date.now() || !conn.open) return undefined;
      tokens.delete(token);
      documents.delete(document);
      const l = link(conn, doc.key, peer, token);
      issue(conn); // the next one, for a frame that restarts
      return l;
    },
  };
}
