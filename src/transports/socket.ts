/**
 * The IPC WebSocket: reads the page's credential from the upgrade, and adapts one `ws` socket to the core's `Peer`.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { App } from '../core/app.js';
import type { Connection, Peer } from '../core/connection.js';
import type { Session } from '../core/sessions.js';
import { AirlockError } from '../protocol/errors.js';
import { CloseCode, RESUME_PROTOCOL_PREFIX, SOCKET_PAGE_PARAM, TICKET_PROTOCOL_PREFIX } from '../protocol/frames.js';

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

/** The path and query the page reported in the socket URL (`?page=`), if any; bounded, never trusted for identity. */
export function readPage(req: IncomingMessage): string | undefined {
  const target = req.url;
  if (typeof target !== 'string' || target.length > 4096) return undefined;
  try {
    return new URL(`http://127.0.0.1${target.startsWith('/') ? target : '/'}`).searchParams.get(SOCKET_PAGE_PARAM) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Low-water mark below which a stalled sender may continue. */
const LOW_WATER = 1024 * 1024;
/**
 * What a queued frame costs in memory besides its bytes (the write request, its buffers and bookkeeping: about
 * 300 bytes measured on Node 20). Backpressure counts it, so a page that stalls on many tiny events is held to
 * `limits.maxBufferedBytes` of memory, not of payload (which would let ten times that pile up).
 */
const FRAME_COST = 256;

function peerFor(ws: WebSocket, lowWater: number): Peer {
  let waiters: Array<() => void> = [];
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  let queuedFrames = 0;
  const written = (): void => {
    queuedFrames--;
  };
  const queued = (): number => ws.bufferedAmount + queuedFrames * FRAME_COST;
  const flush = (): void => {
    if (queued() > lowWater && ws.readyState === ws.OPEN) return;
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
  // Frames sent in the same turn of the event loop (an event fanned out in a loop, the answers to a burst of calls)
  // leave in one write instead of one system call each: the socket is corked until the turn ends.
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket?.uncork();
  };
  const batch = (): void => {
    if (corked || socket === undefined) return;
    corked = true;
    socket.cork();
    process.nextTick(uncork);
  };
  return {
    sendText: (frame) => {
      batch();
      queuedFrames++;
      ws.send(frame, written);
    },
    sendBinary: (bytes) => {
      batch();
      queuedFrames++;
      ws.send(bytes, { binary: true }, written);
    },
    close: (code, reason) => ws.close(code, reason),
    get bufferedAmount() {
      return queued();
    },
    drained: () =>
      queued() <= lowWater || ws.readyState !== ws.OPEN
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
export function acceptSocket(
  app: App,
  ws: WebSocket,
  session: Session,
  credential: Credential,
  origin: string,
  assets: string | undefined,
  page?: string,
): void {
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
  // A sender that awaits `ready()` must stay under the limit, however low it is configured.
  const lowWater = Math.min(LOW_WATER, Math.floor(app.limits.maxBufferedBytes / 2));
  app.attach(session, credential, origin, peerFor(ws, lowWater), true, assets, page).then(
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
