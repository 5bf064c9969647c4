// A page attached straight to the core (`app.attach`, as the socket transport does) through a Peer that records
// every frame the core sends and how it closed the page: for tests of the core's side of the wire that need to see
// raw frames, a socket that reports queued bytes, or a page that never reads. (`connectInMemory` is the page that
// answers like the runtime does.)
import assert from 'node:assert/strict';
import type { App } from 'airlock';
import { appInternals } from 'airlock/testing';

export type Connection = Awaited<ReturnType<ReturnType<typeof appInternals>['attach']>>;

export interface RecordingPage {
  readonly conn: Connection;
  readonly text: string[];
  readonly binary: Uint8Array[];
  /** How the core closed the page, once it did. */
  readonly closed: { code: number; reason: string } | undefined;
}

export interface RecordingOptions {
  readonly label?: string;
  readonly origin?: string;
  /** What the socket reports as queued and unsent (a stalled tab: a large number). */
  readonly bufferedAmount?: () => number;
}

export async function recordingPage(owner: App, options: RecordingOptions = {}): Promise<RecordingPage> {
  const app = appInternals(owner);
  const label = options.label ?? 'page';
  const ticket = app.sessions.issueTicket({ label, window: label });
  const session = app.sessions.find('ticket', ticket);
  assert.ok(session, 'the ticket just issued names a session');
  const buffered = options.bufferedAmount ?? (() => 0);
  const page: { conn?: Connection; text: string[]; binary: Uint8Array[]; closed: RecordingPage['closed'] } = {
    text: [],
    binary: [],
    closed: undefined,
  };
  page.conn = await app.attach(session, { kind: 'ticket', value: ticket }, options.origin ?? 'http://127.0.0.1:1', {
    sendText: (f) => void page.text.push(f),
    sendBinary: (b) => void page.binary.push(b),
    close: (code, reason) => {
      page.closed = { code, reason };
    },
    get bufferedAmount() {
      return buffered();
    },
    drained: () => Promise.resolve(),
  });
  return page as RecordingPage;
}
