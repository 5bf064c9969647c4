/**
 * Which page is which webview: labels are bound server-side, by credentials the page cannot forge.
 *
 * 1. `server.url(label)` mints a one-time *ticket* for that label and puts it in the URL fragment (fragments are
 *    never sent to servers, logged by them, or included in Referer).
 * 2. The page runtime strips the fragment at once and presents the ticket as a WebSocket sub-protocol. The core
 *    redeems it for the label's session and answers with a *resume token*, which the page keeps in sessionStorage
 *    (per tab, per origin) so a reload or same-origin navigation can reconnect as the same webview.
 * 3. Each accepted connection rotates the resume token. A label has at most one live connection: a second page
 *    presenting a valid credential waits briefly for the first to go (a reload), and is refused otherwise.
 *
 * Credentials are random 192-bit values, compared by Map lookup, never logged.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewIdentity {
  readonly label: string;
  readonly window: string;
}

export interface Session extends WebviewIdentity {
  /** The current resume token. */
  token: string;
  /** Time the session last lost its connection (for expiry), or undefined while connected. */
  idleSince: number | undefined;
  connected: boolean;
}

interface Ticket extends WebviewIdentity {
  readonly expires: number;
}

export interface SessionOptions {
  /** How long an unused ticket stays valid. */
  readonly ticketTtlMs: number;
  /** How long a disconnected session can be resumed. */
  readonly idleTtlMs: number;
}

const newSecret = (): string => randomBytes(24).toString('base64url');

export class SessionStore {
  readonly #tickets = new Map<string, Ticket>();
  readonly #byToken = new Map<string, Session>();
  readonly #byLabel = new Map<string, Session>();
  readonly #options: SessionOptions;

  constructor(options: SessionOptions = { ticketTtlMs: 10 * 60_000, idleTtlMs: 10 * 60_000 }) {
    this.#options = options;
  }

  issueTicket(identity: WebviewIdentity, now = Date.now()): string {
    this.#sweep(now);
    const ticket = newSecret();
    this.#tickets.set(ticket, { ...identity, expires: now + this.#options.ticketTtlMs });
    return ticket;
  }

  /** Looks a credential up without consuming it. */
  find(kind: 'ticket' | 'resume', credential: string, now = Date.now()): Session | undefined {
    this.#sweep(now);
    if (kind === 'resume') return this.#byToken.get(credential);
    const ticket = this.#tickets.get(credential);
    if (ticket === undefined) return undefined;
    return this.#byLabel.get(ticket.label) ?? { label: ticket.label, window: ticket.window, token: '', idleSince: now, connected: false };
  }

  /** Consumes the credential for an accepted connection and returns the new resume token. */
  accept(kind: 'ticket' | 'resume', credential: string, session: Session): string {
    if (kind === 'ticket') this.#tickets.delete(credential);
    if (session.token !== '') this.#byToken.delete(session.token);
    session.token = newSecret();
    session.connected = true;
    session.idleSince = undefined;
    this.#byToken.set(session.token, session);
    this.#byLabel.set(session.label, session);
    return session.token;
  }

  disconnected(session: Session, now = Date.now()): void {
    session.connected = false;
    session.idleSince = now;
  }

  get size(): number {
    return this.#byLabel.size;
  }

  #sweep(now: number): void {
    for (const [key, t] of this.#tickets) if (t.expires <= now) this.#tickets.delete(key);
    for (const [label, s] of this.#byLabel) {
      if (!s.connected && s.idleSince !== undefined && now - s.idleSince > this.#options.idleTtlMs) {
        this.#byLabel.delete(label);
        this.#byToken.delete(s.token);
      }
    }
  }
}
