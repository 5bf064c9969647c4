/**
 * The IPC WebSocket: reads the page's credential from the upgrade, and adapts one `ws` socket to the core's `Peer`.
 */
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type { App } from '../core/app.js';
import type { Connection, Peer } from '../core/connection.js';
import type { Session } from '../core/sessions.js';
import { AirlockError } from '../protocol/errors.js';
import { CloseCode, RESUME_PROTOCOL_PREFIX, TICKET_PROTOCOL_PREFIX } from '../protocol/frames.js';

export interface Credential {
  readonly kind: 'ticket' | 'resume';
  readonly value: string;
}

/** The credential travels as a WebSocket sub-protocol, so it is never part of a URL. */
export function readCredential(req: IncomingMessage): Credential | undefined {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return undefined;
  for (const raw of header.split(',')) {
    const p = raw.trim();
    if (p.startsWith(TICKET_PROTOCOL_PREFIX)) return { kind: 'ticket', value: p.slice(TICKET_PROTOCOL_PREFIX.length) };
    if (p.startsWith(RESUME_PROTOCOL_PREFIX)) return { kind: 'resume', value: p.slice(RESUME_PROTOCOL_PREFIX.length) };
  }
  return undefined;
}

/** Low-water mark below which a stalled sender may continue. */
const LOW_WATER = 1024 * 1024;

function peerFor(ws: WebSocket): Peer {
  let waiters: Array<() => void> = [];
  const socket = (ws as unknown as { _socket?: NodeJS.EventEmitter })._socket;
  const flush = (): void => {
    if (ws.bufferedAmount > LOW_WATER && ws.readyState === ws.OPEN) return;
    const ready = waiters;
    waiters = [];
    for (const w of ready) w();
  };
  socket?.on('drain', flush);
  ws.once('close', () => {
    const ready = waiters;
    waiters = [];
    for (const w of ready) w();
  });
  return {
    sendText: (frame) => ws.send(frame),
    sendBinary: (bytes) => ws.send(bytes, { binary: true }),
    close: (code, reason) => ws.close(code, reason),
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    drained: () =>
      ws.bufferedAmount <= LOW_WATER || ws.readyState !== ws.OPEN
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiters.push(resolve);
          }),
  };
}

function toUint8(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/**
 * Binds an upgraded socket to its session. Binding can wait (up to the takeover grace period) for the label's
 * previous page to go, so the socket is not read meanwhile: the few frames already parsed are queued in order, and
 * everything else waits in the kernel, not in the core's memory.
 */
export function acceptSocket(app: App, ws: WebSocket, session: Session, credential: Credential, origin: string): void {
  const queued: Array<string | Uint8Array> = [];
  let conn: Connection | undefined;
  let refused = false;
  ws.pause();
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (refused) return;
    const frame = isBinary ? toUint8(data) : data.toString();
    if (conn === undefined) queued.push(frame);
    else conn.receive(frame);
  });
  ws.on('close', () => conn?.closed());
  ws.on('error', (error) => {
    app.report(`socket of webview \`${session.label}\` failed`, error);
  });
  app.attach(session, credential, origin, peerFor(ws)).then(
    (c) => {
      conn = c;
      ws.resume();
      if (ws.readyState !== ws.OPEN) return c.closed();
      for (const frame of queued.splice(0)) c.receive(frame);
    },
    (error: unknown) => {
      refused = true;
      queued.length = 0;
      ws.resume();
      const reason = error instanceof AirlockError ? error.message : 'refused';
      ws.close(CloseCode.LABEL_IN_USE, reason.slice(0, 120));
    },
  );
}
