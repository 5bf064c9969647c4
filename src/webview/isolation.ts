/**
 * The page's side of the isolation pattern (wire contract: protocol/isolation.ts): every IPC message goes to the
 * hidden, sandboxed isolation frame, which judges it with the app's hook, seals it and sends it to the core on a
 * socket of its own; the answer comes back on the page's socket like any other. A refusal from the frame rejects
 * the caller at once. Messages are accepted only from that frame's window (Tauri's page listener checks nothing).
 *
 * The frame binds its socket with a one-time frame token the core sends this page; a new connection (the page's
 * socket reconnected) restarts the frame, since a frame's socket belongs to one connection.
 *
 * With the binding the page hands the frame one end of a MessageChannel: calls and the frame's answers travel on
 * it. Between the page's and the frame's processes a port's message goes straight from one renderer to the other
 * (a window's `postMessage` goes through the browser process: a round trip took ~650 µs against ~200 µs on a port).
 * A restart gives the new document a new channel and closes the old one, so nothing the old document still says
 * reaches the page.
 */
import {
  CONTROL_PREFIX,
  type FrameToPage,
  ISOLATION_HELLO,
  ISOLATION_READY,
  type IsolationBatch,
  type IsolationBind,
  MAX_BATCH,
  type IsolationPayload,
  type IsolationRequest,
} from '../protocol/isolation.js';
import { ErrorCode, wireError } from '../protocol/errors.js';
import { runCallback } from './callbacks.js';
import { g } from './globals.js';
import { toBody, toHeaders } from './serialize.js';
import type { IpcSocket } from './socket.js';

export function isolationBridge(src: string, label: string, socket: IpcSocket): (message: IsolationPayload) => void {
  let frame: HTMLIFrameElement | undefined;
  let ready = false;
  /** Why the frame cannot take calls (its hook failed to load, its socket was refused), until it loads again. */
  let failed: string | undefined;
  /** The connection the frame's socket belongs to, and the frame token that bound it (naming that frame). */
  let boundTo: string | undefined;
  let boundToken: string | undefined;
  /** The page's socket closed under a bound frame: the core closed the frame's socket with it, so what that frame
   *  says now is about a dead binding. The next call reconnects, and the new connection's frame token restarts it. */
  let detached = false;
  /** This page's end of the channel to the current frame document (none before its binding). */
  let port: MessagePort | undefined;
  const queue: IsolationPayload[] = [];
  const outbox: IsolationRequest[] = [];
  /** Buffers of the outbox that are this runtime's own copies: moved to the frame, not cloned. */
  let transfer: ArrayBuffer[] = [];

  const refuse = (callback: number, error: number, reason: string): void => {
    socket.forget(callback, error);
    runCallback(error, wireError(ErrorCode.ISOLATION_REFUSED, reason));
  };

  function forward(message: IsolationPayload): void {
    const { cmd, callback, error, payload, options } = message;
    const headers = toHeaders(options?.headers);
    // The payload in the form the core will get (Tauri's serialization: Map → object, nested bytes → number arrays,
    // Channel → "__CHANNEL__:id"), so the hook judges exactly that; raw bytes stay bytes.
    const body = toBody(payload);
    let raw: Uint8Array<ArrayBuffer> | undefined;
    if ('raw' in body) {
      const r = body.raw;
      if (r.byteOffset === 0 && r.byteLength === r.buffer.byteLength)
        raw = r; // the caller's: cloned, left intact
      else {
        // structured clone copies a view's whole buffer: copy only the body's bytes, and move that copy
        raw = r.slice();
        transfer.push(raw.buffer);
      }
    }
    const request: IsolationRequest = {
      airlock: 1,
      cmd,
      callback,
      error,
      ...(headers === undefined ? {} : { headers }),
      ...(raw === undefined ? { json: (body as { json: string }).json } : { raw }),
    };
    if (!cmd.startsWith(CONTROL_PREFIX)) socket.track(callback, error, boundToken as string); // a cancel or stream data is not a call
    // Calls made in one turn of the page's event loop go to the frame in one message (pipelined calls cost one
    // cross-process message, not one each); a call alone goes at the end of its turn.
    outbox.push(request);
    if (outbox.length === 1) void g.Promise.resolve().then(flush);
    else if (outbox.length >= MAX_BATCH) flush();
  }

  function flush(): void {
    const requests = outbox.splice(0);
    if (requests.length === 0) return;
    const moved = transfer;
    transfer = [];
    const message: IsolationRequest | IsolationBatch =
      requests.length === 1 ? (requests[0] as IsolationRequest) : { airlock: 1, batch: requests };
    try {
      send(message, moved);
    } catch {
      // one of them cannot be cloned: send them one by one, refusing only that one
      for (const r of requests) {
        try {
          send(r, []);
        } catch (e) {
          refuse(r.callback, r.error, `the call's arguments cannot be sent to the isolation frame: ${String(e)}`);
        }
      }
    }
  }

  /** To the frame: on its channel once bound (calls are only sent then), else to its window. */
  function send(message: IsolationRequest | IsolationBatch, moved: ArrayBuffer[]): void {
    if (port !== undefined) g.portPost.call(port, message, { transfer: moved });
    else frame?.contentWindow?.postMessage(message, { targetOrigin: '*', transfer: moved });
  }

  function bind(): void {
    if (port !== undefined) g.portClose.call(port); // the previous document's channel: nothing more from it
    port = undefined;
    void socket.frameToken().then(({ token, connection }) => {
      boundTo = connection;
      boundToken = token;
      const channel = new g.MessageChannel();
      port = channel.port1;
      g.listen.call(port, 'message', (event: Event) => fromFrame((event as MessageEvent).data as FrameToPage));
      g.portStart.call(port);
      const message: IsolationBind = { airlock: 1, bind: { token, connection, label } };
      frame?.contentWindow?.postMessage(message, '*', [channel.port2]);
    });
  }

  addEventListener('message', (event: MessageEvent) => {
    if (frame === undefined || event.source !== frame.contentWindow) return;
    fromFrame(event.data as FrameToPage);
  });

  /** A message of the frame: on its window (source checked) or on its channel. */
  function fromFrame(data: FrameToPage): void {
    if (data === ISOLATION_HELLO) {
      ready = false;
      failed = undefined;
      bind();
    } else if (data === ISOLATION_READY) {
      if (ready) return;
      ready = true;
      for (const m of queue.splice(0)) forward(m);
    } else if (typeof data === 'object' && data !== null && 'refused' in data) {
      refuse(
        data.refused.callback,
        data.refused.error,
        `the isolation hook refused the call to \`${data.refused.cmd}\`: ${data.refused.reason}`,
      );
    } else if (typeof data === 'object' && data !== null && 'failed' in data && typeof data.failed === 'string') {
      if (detached) return; // its socket went with the page's: not a failure of the frame
      ready = false;
      failed = data.failed;
      for (const m of queue.splice(0)) refuse(m.callback, m.error, failed);
    }
  }

  const load = (): void => {
    ready = false;
    failed = undefined;
    if (frame === undefined) {
      frame = document.createElement('iframe');
      frame.id = '__tauri_isolation__';
      frame.hidden = true;
      frame.style.setProperty('display', 'none', 'important');
      frame.setAttribute('sandbox', 'allow-scripts');
      frame.src = src;
      document.body.append(frame);
    } else {
      frame.src = src; // navigates again: a fresh document, key and socket
    }
  };
  // The frame's socket closed (it restarted, or the core closed it): whatever document is in the frame now cannot
  // seal for that binding, so calls wait for the next ISOLATION_READY (or its `failed`) instead of being posted to
  // a document that may not listen yet.
  socket.onFrameClosed((token) => {
    if (token === boundToken) ready = false;
  });
  // The page's socket reconnected: the frame's socket belonged to the old connection, so the frame starts over.
  socket.onFrameToken((connection) => {
    if (boundTo !== undefined && connection !== boundTo) {
      boundTo = undefined;
      detached = false;
      load();
    }
  });
  if (document.readyState === 'loading') addEventListener('DOMContentLoaded', load);
  else load();

  // The page's socket closed: calls waiting for the frame reject as a brownfield call would (one the core refused,
  // e.g. its label held by another page, would otherwise wait for a frame token that never comes).
  socket.onClosed((message) => {
    if (boundTo !== undefined) {
      detached = true;
      ready = false;
      failed = undefined;
    }
    for (const m of queue.splice(0)) {
      socket.forget(m.callback, m.error);
      runCallback(m.error, wireError(ErrorCode.DISCONNECTED, message));
    }
  });

  return (message) => {
    if (ready) forward(message);
    else if (failed !== undefined) refuse(message.callback, message.error, failed);
    else {
      queue.push(message);
      socket.connect(); // a call is what reconnects a page whose socket closed, as in brownfield
    }
  };
}
