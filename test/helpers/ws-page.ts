// A page that speaks the wire protocol itself over a real socket (the `ws` package), as the page runtime does:
// for load and fault tests that need more pages, more reconnects or more control over reading than Chromium gives.
import WebSocket from 'ws';
import { ErrorCode, wireError } from '../../src/protocol/errors.ts';
import { PROTOCOL_VERSION, SOCKET_PATH } from '../../src/protocol/frames.ts';
import { decodeServerFrame, encodeCall } from '../../src/protocol/page.ts';

// Defined with the other launch helpers; re-exported for the socket tests that import it from here.
export { ticketFrom } from './app.js';

export interface WsPage {
  readonly ws: WebSocket;
  /** The resume token from the core's hello (rotates on every connection). */
  readonly token: string;
  invoke(command: string, args?: unknown): Promise<unknown>;
  /** Registers an event listener; `handler` gets each payload in arrival order. */
  listen(event: string, handler: (payload: unknown) => void): Promise<number>;
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
  let next = 1;
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  closed.then(() => {
    for (const [, c] of calls) c.reject(wireError(ErrorCode.DISCONNECTED, 'the socket closed before the core answered'));
    calls.clear();
  });
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const f = decodeServerFrame(data.toString());
      if (f?.kind === 'hello') {
        resolve(page(f.token));
      } else if (f?.kind === 'response') {
        const c = calls.get(f.id);
        if (c === undefined) return;
        calls.delete(f.id);
        calls.delete(c.other);
        if (c.other > f.id) c.resolve(f.data);
        else c.reject(f.data);
      } else if (f?.kind === 'event') {
        for (let i = 1; i < f.listeners.length; i += 2) handlers.get(f.listeners[i] as number)?.(f.payload);
      }
    });
  });

  function page(token: string): WsPage {
    const self: WsPage = {
      ws,
      token,
      invoke(command, args = {}) {
        return new Promise((resolve, reject) => {
          const cb = next;
          const er = next + 1;
          next += 2;
          calls.set(cb, { resolve, reject, other: er });
          calls.set(er, { resolve, reject, other: cb });
          ws.send(encodeCall.invoke({ cmd: command, callback: cb, error: er }, JSON.stringify(args)));
        });
      },
      async listen(event, handler) {
        const id = next++;
        handlers.set(id, handler);
        return (await self.invoke('plugin:event|listen', { event, target: { kind: 'Any' }, handler: id })) as number;
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
