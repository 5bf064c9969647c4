/**
 * An in-process page for tests: connects to an app without sockets or a browser, speaks the same frames as the
 * page runtime, and decodes what the core sends back. Use it to unit-test commands, events and channels.
 *
 * @example
 *   const page = await connectInMemory(app, 'main');
 *   assert.equal(await page.invoke('greet', { name: 'Ada' }), 'Hello, Ada!');
 */
import { runtimeOf } from '../core/app.js';
import type { RunningApp } from '../core/handle.js';
import type { Connection } from '../core/connection.js';
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import { channelRef, type WindowReport } from '../protocol/frames.js';
import { BinaryRouter, decodeServerFrames, encodeCall, type ServerMessage } from '../protocol/page.js';

export interface EventRecord {
  readonly event: string;
  readonly payload: unknown;
  readonly id: number;
}

export interface InMemoryPage {
  readonly connection: Connection;
  /** Resolves with the command's result (bytes as a Uint8Array), rejects with its rejection value. */
  invoke(command: string, args?: unknown, headers?: Record<string, string>): Promise<unknown>;
  /** Registers a page listener like `@tauri-apps/api`'s `listen`; returns the unlisten function. */
  listen(event: string, handler: (e: EventRecord) => void, target?: unknown): Promise<() => Promise<void>>;
  /** Makes a page-side channel id whose messages (in index order) land in `messages`; `ended` resolves at the end. */
  channel(): { readonly id: string; readonly messages: unknown[]; readonly ended: Promise<number> };
  /** Reports the page's window as the page runtime does (sizes in CSS pixels); the core answers getters from it. */
  reportWindow(report: WindowReport): void;
  /** What the core asked this page to do to its window (`set_title` …), in order; each is answered with the last report. */
  readonly windowOps: Array<{ readonly op: string; readonly value: unknown }>;
  /** Sends a raw frame, as a hostile page could. */
  sendRaw(frame: string | Uint8Array): void;
  /** Frames received from the core, in order (for tests of the wire itself). */
  readonly received: Array<string | Uint8Array>;
  close(): void;
}

/** Connects a page as webview `label`; `local: false` makes it remote content at `origin` for the ACL. */
export async function connectInMemory(
  owner: RunningApp,
  label = 'main',
  origin = 'http://127.0.0.1:0',
  local = true,
): Promise<InMemoryPage> {
  const app = runtimeOf(owner);
  const ticket = app.sessions.issueTicket({ label, window: label });
  const session = app.sessions.find('ticket', ticket);
  if (session === undefined) throw new AirlockError(ErrorCode.INTERNAL, 'in-memory page: ticket not found');
  const callbacks = new Map<number, (data: unknown) => void>();
  const received: Array<string | Uint8Array> = [];
  const windowOps: Array<{ op: string; value: unknown }> = [];
  let lastReport: WindowReport | undefined;
  let nextId = 1;
  const run = (id: number, data: unknown): void => callbacks.get(id)?.(data);
  const bodies = new BinaryRouter<Uint8Array>((id, message, index) => run(id, { message, index }));

  // A batch (protocol/frames.ts) is its frames in order; a malformed one throws, as a core bug should in a test.
  const onText = (text: string): void => {
    for (const f of decodeServerFrames(text)) onMessage(f);
  };
  const onMessage = (f: ServerMessage): void => {
    if (f?.kind === 'response') {
      if (f.bytes) bodies.response((bytes) => run(f.id, bytes));
      else run(f.id, f.data);
    } else if (f?.kind === 'event') {
      const l = f.listeners;
      for (let i = 0; i < l.length; i += 2) run(l[i + 1] as number, { event: f.name, payload: f.payload, id: l[i] });
    } else if (f?.kind === 'window') {
      windowOps.push({ op: f.op, value: f.value });
      // The page runtime reports after acting; an in-memory window does not change, so it reports the same again.
      if (lastReport !== undefined) connection.receive(encodeCall.report(lastReport));
    } else if (f?.kind === 'channel') {
      if (f.end) run(f.id, { end: true, index: f.index });
      else if (f.bytes) bodies.channel(f.id, f.index);
      else run(f.id, { message: f.data, index: f.index });
    }
  };

  // Frames are handled in order, each in its own microtask, as a socket would deliver them asynchronously.
  const deliver = (frame: string | Uint8Array): void => {
    received.push(frame);
    queueMicrotask(() => {
      if (typeof frame === 'string') return onText(frame);
      bodies.binary(frame);
    });
  };

  const connection = await app.attach(
    session,
    { kind: 'ticket', value: ticket },
    origin,
    {
      sendText: deliver,
      sendBinary: deliver,
      close: () => undefined,
      bufferedAmount: 0,
      drained: () => Promise.resolve(),
    },
    local,
  );

  const register = (fn: (data: unknown) => void): number => {
    const id = nextId++;
    callbacks.set(id, fn);
    return id;
  };

  const page: InMemoryPage = {
    connection,
    received,
    invoke(command, args = {}, headers) {
      return new Promise((resolve, reject) => {
        const cb = register((d) => {
          callbacks.delete(cb);
          callbacks.delete(er);
          resolve(d);
        });
        const er = register((e) => {
          callbacks.delete(cb);
          callbacks.delete(er);
          reject(e);
        });
        const call = { cmd: command, callback: cb, error: er, headers };
        if (args instanceof Uint8Array) {
          connection.receive(encodeCall.invokeBytes(call));
          connection.receive(args);
        } else {
          connection.receive(encodeCall.invoke(call, JSON.stringify(args) ?? 'null'));
        }
      });
    },
    async listen(event, handler, target = { kind: 'Any' }) {
      const handlerId = register(handler as (d: unknown) => void);
      const eventId = await page.invoke('plugin:event|listen', { event, target, handler: handlerId });
      return async () => {
        callbacks.delete(handlerId);
        await page.invoke('plugin:event|unlisten', { event, eventId });
      };
    },
    channel() {
      const messages: unknown[] = [];
      const pending = new Map<number, unknown>();
      let next = 0;
      let end = -1;
      let resolveEnd!: (n: number) => void;
      const ended = new Promise<number>((r) => {
        resolveEnd = r;
      });
      const id = register((raw) => {
        const m = raw as { message?: unknown; index: number; end?: true };
        if (m.end) end = m.index;
        else pending.set(m.index, m.message);
        while (pending.has(next)) {
          messages.push(pending.get(next));
          pending.delete(next++);
        }
        if (next === end) {
          callbacks.delete(id);
          resolveEnd(end);
        }
      });
      return { id: channelRef(id), messages, ended };
    },
    reportWindow(report) {
      lastReport = report;
      connection.receive(encodeCall.report(report));
    },
    windowOps,
    sendRaw(frame) {
      connection.receive(frame);
    },
    close() {
      connection.closed();
    },
  };
  return page;
}
