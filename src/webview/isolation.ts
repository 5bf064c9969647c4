/**
 * The page's side of the isolation pattern: every IPC message goes to the hidden, sandboxed isolation frame
 * first; what comes back sealed goes to the core, a refusal rejects the caller at once. Replies are accepted only
 * from that frame's window (Tauri's page listener checks nothing).
 */
import { ISOLATION_READY, type RefusedMessage, type SealedMessage } from '../protocol/isolation.js';
import { runCallback } from './callbacks.js';
import { g } from './globals.js';
import type { IpcMessage } from './main.js';
import { TO_IPC_KEY, toHeaders } from './serialize.js';
import type { IpcSocket } from './socket.js';

/** Structured clone cannot run `toJSON`: apply the IPC form (Channel → "__CHANNEL__:id") before posting. */
function toCloneable(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 64) return value;
  const toIpc = (value as Record<string, unknown>)[TO_IPC_KEY];
  if (typeof toIpc === 'function') return toIpc.call(value);
  if (g.isArray(value)) return value.map((v) => toCloneable(v, depth + 1));
  if (Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    // defineProperty, not assignment: a `__proto__` key stays data (assigning it would replace out's prototype,
    // and the key would silently vanish from the args).
    for (const [k, v] of Object.entries(value))
      g.defineProperty(out, k, { value: toCloneable(v, depth + 1), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

export function isolationBridge(src: string, label: string, socket: IpcSocket): (message: IpcMessage) => void {
  let frame: HTMLIFrameElement | undefined;
  let ready = false;
  const queue: IpcMessage[] = [];

  const refuse = (callback: number, error: number, reason: string): void => {
    socket.forget(callback, error);
    runCallback(error, { code: 'ISOLATION_REFUSED', message: reason });
  };

  async function forward(message: IpcMessage): Promise<void> {
    const connection = await socket.whenReady();
    const { cmd, callback, error, payload, options } = message;
    const headers = toHeaders(options?.headers);
    try {
      frame?.contentWindow?.postMessage(
        {
          airlock: 1,
          connection,
          label,
          message: { cmd, callback, error, payload: toCloneable(payload), options: headers === undefined ? {} : { headers } },
        },
        '*',
      );
    } catch (e) {
      refuse(callback, error, `the call's arguments cannot be sent to the isolation frame: ${String(e)}`);
    }
  }

  addEventListener('message', (event: MessageEvent) => {
    if (frame === undefined || event.source !== frame.contentWindow) return;
    const data = event.data as SealedMessage | RefusedMessage | string;
    if (data === ISOLATION_READY) {
      if (ready) return;
      ready = true;
      for (const m of queue.splice(0)) void forward(m);
    } else if (typeof data === 'object' && data !== null && 'sealed' in data) {
      const s = data.sealed;
      socket.sendSealed(s.callback, s.error, s, new g.Uint8Array(s.ciphertext));
    } else if (typeof data === 'object' && data !== null && 'refused' in data) {
      refuse(
        data.refused.callback,
        data.refused.error,
        `the isolation hook refused the call to \`${data.refused.cmd}\`: ${data.refused.reason}`,
      );
    }
  });

  const create = (): void => {
    frame = document.createElement('iframe');
    frame.id = '__tauri_isolation__';
    frame.hidden = true;
    frame.style.setProperty('display', 'none', 'important');
    frame.setAttribute('sandbox', 'allow-scripts');
    frame.src = src;
    document.body.append(frame);
  };
  if (document.readyState === 'loading') addEventListener('DOMContentLoaded', create);
  else create();

  return (message) => {
    if (ready) void forward(message);
    else queue.push(message);
  };
}
