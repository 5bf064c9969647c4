/**
 * The isolation pattern's wire contract, shared by the isolation frame (which seals) and the core (which opens).
 *
 * Names, after Tauri's `isolation.js`: page → isolation frame = the *isolation payload* (the message the hook
 * judges); isolation frame → page = the *sealed message* (or a refusal), which the page forwards to the core.
 *
 * Tauri encrypts only the args, so script in the page can replay a sealed payload or move it to another command.
 * Here the AES-256-GCM associated data binds everything the core acts on besides the args: the webview label, the
 * page's connection, the frame instance and a per-instance sequence number (no replays), the command, the plaintext
 * kind and the headers.
 */

export const ISOLATION_READY = '__TAURI_ISOLATION_READY__';
export const AAD_VERSION = 'airlock-isolation/1';

/** Plaintext kind: `j` JSON text of the args, `r` raw bytes. */
export type SealedKind = 'j' | 'r';

/**
 * Headers in one canonical form: lower-case names, sorted, JSON. The object has no prototype, so a header named
 * `__proto__` is bound like any other (on a plain object that assignment is swallowed, and such a header could be
 * added to a sealed message unnoticed).
 */
export function canonicalHeaders(headers: Readonly<Record<string, string>> | undefined): string {
  if (headers === undefined) return '{}';
  const names = Object.keys(headers).sort();
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of names) out[name.toLowerCase()] = headers[name] as string;
  return JSON.stringify(out);
}

export interface SealContext {
  readonly label: string;
  /** The page's connection id (from the core's hello frame). */
  readonly connection: string;
  readonly instance: string;
  readonly seq: number;
  readonly kind: SealedKind;
  readonly command: string;
  readonly headers: Readonly<Record<string, string>> | undefined;
}

/** The associated data both sides compute; any difference makes the tag check fail. */
export function associatedData(c: SealContext): string {
  return [AAD_VERSION, c.label, c.connection, c.instance, String(c.seq), c.kind, c.command, canonicalHeaders(c.headers)].join('\n');
}

/** What the frame posts back to the page: a sealed message or a refusal. */
export interface SealedMessage {
  readonly sealed: {
    readonly cmd: string;
    readonly callback: number;
    readonly error: number;
    readonly headers: Readonly<Record<string, string>> | undefined;
    readonly instance: string;
    readonly seq: number;
    readonly nonce: string;
    readonly kind: SealedKind;
    readonly ciphertext: ArrayBuffer;
  };
}

export interface RefusedMessage {
  readonly refused: { readonly callback: number; readonly error: number; readonly cmd: string; readonly reason: string };
}
