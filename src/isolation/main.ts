/**
 * The isolation frame runtime: runs first in the sandboxed iframe (`sandbox="allow-scripts"`, opaque origin),
 * before the app's own isolation scripts.
 *
 *   page → frame   the isolation payload `{ cmd, callback, error, payload, options }` (plus the page's connection
 *                  id and label), accepted only from the parent window at the app's origin;
 *   frame → page   a sealed message (AES-256-GCM, binary ciphertext, associated data per protocol/isolation.ts),
 *                  or a refusal when the hook blocks the call, so the caller's `invoke` rejects promptly.
 *
 * The app's `window.__TAURI_ISOLATION_HOOK__(payload)` (sync or async) may return the payload, a rewritten one (its
 * `cmd`, `payload` and `options` are used; callback ids cannot be changed), or null/undefined/throw to block.
 * A hook set to `null` passes everything through. The key is imported non-extractable and the script element that
 * carried it removes itself, so the app's isolation scripts never see the raw key.
 */
import { associatedData, ISOLATION_READY, type RefusedMessage, type SealedKind, type SealedMessage } from '../protocol/isolation.js';

export interface FrameConfig {
  readonly key: number[];
  /** The app origins allowed to talk to this frame. */
  readonly parents: string[];
  /** Warn about hooks written for Tauri v1's message shape. */
  readonly dev: boolean;
}

interface IsolationPayload {
  cmd: string;
  callback: number;
  error: number;
  payload: unknown;
  options?: { headers?: Record<string, string> } | undefined;
}

interface Request {
  readonly airlock: 1;
  readonly connection: string;
  readonly label: string;
  readonly message: IsolationPayload;
}

type Hook = ((payload: IsolationPayload) => unknown) | null | undefined;

const w = window as unknown as { __TAURI_ISOLATION_HOOK__?: Hook };

function isRequest(data: unknown): data is Request {
  const d = data as Partial<Request> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    d.airlock === 1 &&
    typeof d.connection === 'string' &&
    typeof d.label === 'string' &&
    typeof d.message?.cmd === 'string' &&
    typeof d.message.callback === 'number' &&
    typeof d.message.error === 'number'
  );
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function toPlaintext(payload: unknown): { kind: SealedKind; bytes: Uint8Array<ArrayBuffer> } {
  if (payload instanceof ArrayBuffer) return { kind: 'r', bytes: new Uint8Array(payload) };
  // The payload was structured-cloned into this frame, so its buffer is ours: encrypt the view without copying.
  if (ArrayBuffer.isView(payload))
    return { kind: 'r', bytes: new Uint8Array(payload.buffer as ArrayBuffer, payload.byteOffset, payload.byteLength) };
  const json = JSON.stringify(payload ?? {}, (_k, v: unknown) => {
    if (v instanceof Map) return Object.fromEntries(v.entries());
    if (v instanceof Uint8Array) return Array.from(v);
    if (v instanceof ArrayBuffer) return Array.from(new Uint8Array(v));
    return v;
  });
  return { kind: 'j', bytes: new TextEncoder().encode(json ?? '{}') };
}

export function install(config: FrameConfig): void {
  document.currentScript?.remove();
  const keyBytes = new Uint8Array(config.key);
  config.key.fill(0);
  const key = crypto.subtle.importKey('raw', keyBytes, { name: 'AES-GCM' }, false, ['encrypt']);
  keyBytes.fill(0);
  const instance = base64(crypto.getRandomValues(new Uint8Array(12))).replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
  const parents = new Set(config.parents);
  let seq = 0;
  /** Sealing is chained so sequence numbers reach the page, and the core, in order. */
  let chain: Promise<unknown> = Promise.resolve();

  const post = (msg: SealedMessage | RefusedMessage | string, transfer: Transferable[] = []): void =>
    window.parent.postMessage(msg, '*', transfer);

  function refuse(m: IsolationPayload, reason: string): void {
    post({ refused: { callback: m.callback, error: m.error, cmd: m.cmd, reason } });
  }

  const warned = new Set<string>();
  function warn(what: string, text: string): void {
    if (!config.dev || warned.has(what)) return;
    warned.add(what);
    console.warn(`[airlock isolation] ${text}`);
  }

  /** In dev, the hook gets a view of the payload that notices Tauri v1-style reads. */
  function watched(m: IsolationPayload): IsolationPayload {
    if (!config.dev) return m;
    return new Proxy(m, {
      get(target, prop, receiver) {
        if (prop === 'message') {
          warn(
            'message',
            'the isolation hook read `payload.message`, a Tauri v1 field that v2 never sends, so checks on it never match ' +
              '(an allow-list built on it allows everything). Use `payload.cmd` (the command: "greet", "plugin:fs|read_file") and `payload.payload` (its args).',
          );
        }
        return Reflect.get(target, prop, receiver);
      },
    });
  }

  async function seal(req: Request, m: IsolationPayload): Promise<void> {
    const headers = m.options?.headers;
    const { kind, bytes } = toPlaintext(m.payload);
    const current = seq++;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const aad = new TextEncoder().encode(
      associatedData({ label: req.label, connection: req.connection, instance, seq: current, kind, command: m.cmd, headers }),
    );
    const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, await key, bytes);
    post(
      {
        sealed: { cmd: m.cmd, callback: m.callback, error: m.error, headers, instance, seq: current, nonce: base64(iv), kind, ciphertext },
      },
      [ciphertext],
    );
  }

  async function handle(req: Request): Promise<void> {
    const original = req.message;
    const hook = w.__TAURI_ISOLATION_HOOK__;
    let result: unknown = original;
    if (typeof hook === 'function') {
      try {
        result = await hook(watched(original));
      } catch (e) {
        return refuse(original, `the isolation hook threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (result === null || result === undefined) return refuse(original, 'the isolation hook blocked this call');
    const r = result as Partial<IsolationPayload>;
    if (typeof r.cmd !== 'string' || r.cmd.length === 0)
      return refuse(original, 'the isolation hook returned something that is not an IPC message (no `cmd`)');
    const message: IsolationPayload = {
      cmd: r.cmd,
      callback: original.callback,
      error: original.error,
      payload: r.payload,
      options: r.options,
    };
    chain = chain.then(() => seal(req, message)).catch((e: unknown) => refuse(original, `sealing failed: ${String(e)}`));
  }

  window.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== window.parent || !parents.has(event.origin) || !isRequest(event.data)) return;
    void handle(event.data);
  });

  // Ready once the app's isolation script has set the hook (a function, or null for pass-through).
  const ready = (): boolean => {
    const hook = w.__TAURI_ISOLATION_HOOK__;
    if (typeof hook !== 'function' && hook !== null) return false;
    if (typeof hook === 'function' && /['"]invoke['"]/.test(Function.prototype.toString.call(hook))) {
      warn(
        'invoke',
        "the isolation hook compares against 'invoke', the Tauri v1 command name; v2 sends each command by its own name in " +
          '`payload.cmd` ("greet", "plugin:fs|read_file"), so such a check never matches. Compare `payload.cmd` with the command names instead.',
      );
    }
    post(ISOLATION_READY);
    return true;
  };
  const poll = (): void => {
    if (!ready()) setTimeout(poll, 10);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', poll);
  else poll();
}
