// A page that speaks the wire protocol itself over a real socket (the `ws` package), through src/protocol/page.ts as
// the page runtime does: for contract, load and fault tests that need more pages, more reconnects or more control
// over reading than Chromium gives.
import WebSocket from 'ws';
import { ErrorCode, wireError } from '../../src/protocol/errors.ts';
import { channelRef, PROTOCOL_VERSION, SOCKET_PATH } from '../../src/protocol/frames.ts';
import { BinaryRouter, decodeServerFrames, encodeCall } from '../../src/protocol/page.ts';

// Defined with the other launch helpers; re-exported for the socket tests that import it from here.
export { ticketFrom } from './app.js';

export interface WsChannel {
  /** The value to pass as the command's channel argument (`__CHANNEL__:<id>`). */
  readonly id: string;
  /** Messages in index order (bytes as Uint8Array). */
  readonly messages: unknown[];
  /** Resolves with the message count once the core ended the channel. */
  readonly ended: Promise<number>;
}

export interface WsPage {
  readonly ws: WebSocket;
  /** The resume token from the core's hello (rotates on every connection). */
  readonly token: string;
  /** Resolves with the result (bytes as a Uint8Array), rejects with the rejection value. A Uint8Array is sent raw. */
  invoke(command: string, args?: unknown, headers?: Record<string, string>): Promise<unknown>;
  /** Registers an event listener; `handler` gets each payload in arrival order. Resolves with the event id. */
  listen(event: string, handler: (payload: unknown) => void, target?: unknown): Promise<number>;
  unlisten(event: string, eventId: number): Promise<void>;
  channel(): WsChannel;
  /** Calls made and not yet answered. */
  readonly pending: number;
  /** Resolves with the close code once the socket is closed. */
  readonly closed: Promise<number>;
  close(): Promise<number>;
}

/** Connects with `credential` (`ticket.<t>` or `resume.<t>`) and resolves once the core said hello. */
export function connectWsPage(server: { origin: string; port: number }, credential: string): Promise<WsPage> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${SOCKET_PATH}`, [PROTOCOL_VERSION, `airlock.${credential}`], {
    headers: { origin: server.origin },
    perMessageDeflate: false,
  });
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; other: number }>();
  const handlers = new Map<number, (payload: unknown) => void>();
  const channels = new Map<number, (index: number, message: unknown, end: boolean) => void>();
  let next = 1;
  /** What the next binary frame is the body of (a response's, or a channel's next message). */
  const bodies = new BinaryRouter<Uint8Array>((id, body, index) => channels.get(id)?.(index, body, false));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  closed.then(() => {
    for (const [, c] of calls) c.reject(wireError(ErrorCode.DISCONNECTED, 'the socket closed before the core answered'));
    calls.clear();
  });

  const answer = (id: number, data: unknown): void => {
    const c = calls.get(id);
    if (c === undefined) return;
    calls.delete(id);
    calls.delete(c.other);
    if (c.other > id) c.resolve(data);
    else c.reject(data);
  };

  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        bodies.binary(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        return;
      }
      // A text frame may be a batch of frames (protocol/frames.ts): each is read in order.
      for (const f of decodeServerFrames(data.toString())) read(f);
    });
    const read = (f: ReturnType<typeof decodeServerFrames>[number]): void => {
      if (f?.kind === 'hello') {
        resolve(page(f.token));
      } else if (f?.kind === 'response') {
        if (f.bytes) bodies.response((body) => answer(f.id, body));
        else answer(f.id, f.data);
      } else if (f?.kind === 'event') {
        for (let i = 1; i < f.listeners.length; i += 2) handlers.get(f.listeners[i] as number)?.(f.payload);
      } else if (f?.kind === 'channel') {
        if (f.bytes) bodies.channel(f.id, f.index);
        else channels.get(f.id)?.(f.index, f.data, f.end);
      }
    };
  });

  function page(token: string): WsPage {
    const self: WsPage = {
      ws,
      token,
      invoke(command, args = {}, headers) {
        return new Promise((resolve, reject) => {
          const cb = next;
          const er = next + 1;
          next += 2;
          calls.set(cb, { resolve, reject, other: er });
          calls.set(er, { resolve, reject, other: cb });
          const call = { cmd: command, callback: cb, error: er, headers };
          if (args instanceof Uint8Array) {
            ws.send(encodeCall.invokeBytes(call));
            ws.send(args);
          } else {
            ws.send(encodeCall.invoke(call, JSON.stringify(args)));
          }
        });
      },
      async listen(event, handler, target = { kind: 'Any' }) {
        const id = next++;
        handlers.set(id, handler);
        return (await self.invoke('plugin:event|listen', { event, target, handler: id })) as number;
      },
      async unlisten(event, eventId) {
        await self.invoke('plugin:event|unlisten', { event, eventId });
      },
      channel() {
        const id = next++;
        const messages: unknown[] = [];
        const early = new Map<number, unknown>();
        let end = -1;
        let resolveEnd!: (n: number) => void;
        const ended = new Promise<number>((r) => {
          resolveEnd = r;
        });
        channels.set(id, (index, message, isEnd) => {
          if (isEnd) end = index;
          else early.set(index, message);
          while (early.has(messages.length)) {
            messages.push(early.get(messages.length));
            early.delete(messages.length - 1);
          }
          if (messages.length === end) {
            channels.delete(id);
            resolveEnd(end);
          }
        });
        return { id: channelRef(id), messages, ended };
      },
      get pending() {
        return calls.size / 2;
      },
      closed,
      close() {
        ws.close(1000);
        return closed;
      },
    };
    return self;
  }
}
