// A second origin on loopback that serves whatever page an attack test needs.
import http from 'node:http';

export interface Attacker extends AsyncDisposable {
  readonly origin: string;
}

export async function startAttacker(html: string): Promise<Attacker> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Tries a WebSocket handshake from the page; resolves 'open' or 'refused'. */
export const tryWebSocket = (args: { url: string; protocols: string[] }): Promise<string> =>
  new Promise((resolve) => {
    const ws = new WebSocket(args.url, args.protocols);
    ws.onopen = () => {
      ws.close();
      resolve('open');
    };
    ws.onerror = () => resolve('refused');
  });
