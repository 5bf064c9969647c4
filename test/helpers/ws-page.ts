// A page that speaks the wire protocol itself over a real socket (the `ws` package), as the page runtime does:
// for load and fault tests that need more pages, more reconnects or more control over reading than Chromium gives.
import WebSocket from 'ws';

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

export const ticketFrom = (url: string): string => new URLSearchParams(new URL(url).hash.slice(1)).get('__airlock') ?? '';

/** Connects with `credential` (`ticket.<t>` or `resume.<t>`) and resolves once the core said hello. */
export function connectWsPage(server: { origin: string; port: number }, credential: string): Promise<WsPage> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/__airlock/ws`, ['airlock.v1', `airlock.${credential}`], {
    headers: { origin: server.origin },
    perMessageDeflate: false,
  });
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; other: number }>();
  const handlers = new Map<number, (payload: unknown) => void>();
  let next = 1;
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  closed.then(() => {
    for (const [, c] of calls) c.reject({ code: 'DISCONNECTED' });
    calls.clear();
  });
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const f = JSON.parse(data.toString()) as {
        r?: number;
        d?: unknown;
        e?: string;
        p?: unknown;
        l?: number[];
        hello?: { token: string };
      };
      if (f.hello !== undefined) {
        resolve(page(f.hello.token));
      } else if (f.r !== undefined) {
        const c = calls.get(f.r);
        if (c === undefined) return;
        calls.delete(f.r);
        calls.delete(c.other);
        if (c.other > f.r) c.resolve(f.d);
        else c.reject(f.d);
      } else if (f.e !== undefined && f.l !== undefined) {
        for (let i = 1; i < f.l.length; i += 2) handlers.get(f.l[i] as number)?.(f.p);
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
          ws.send(`{"t":"i","c":${JSON.stringify(command)},"cb":${cb},"er":${er},"a":${JSON.stringify(args)}}`);
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
