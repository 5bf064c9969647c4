/**
 * The wire contract between the page runtime and the core: one WebSocket per page, text frames holding one JSON
 * object each, and binary frames that carry bytes.
 *
 * Bytes never travel inside JSON. A text frame that announces bytes carries `"b":1`, and the very next frame on
 * the socket, which must be binary, is its body. One socket is ordered and the core is single-threaded, so a
 * header and its body are never split by another frame; the receiver keeps at most one header waiting.
 *
 * Byte runs (core → page only): a binary frame that no header announced is the next message of the channel whose
 * bytes came last. A channel bytes header `{"c":id,"i":i,"b":1}` starts a run (its body is message `i`; a bare
 * binary frame after it is message `i+1`, the next `i+2` …); a response bytes header `{"r":…,"b":1}` ends it. So a
 * channel streaming bytes sends one header, then one binary frame per chunk, and the page hands each frame's own
 * ArrayBuffer to the channel, uncopied. Text frames in between (events, other channels' JSON) leave a run alone.
 *
 * Batches (core → page only): the events and JSON channel messages the core produces for one page in the same turn
 * of its event loop leave as ONE text frame, a JSON array of those frames in the order they were produced:
 * `[{"e":…},{"c":…,"m":…},{"c":…,"end":1}]`. A batch is flushed at the end of the turn (`process.nextTick`, never a
 * timer), and before any other frame the core sends that page (a response, a bytes header, a window op …), so the
 * order of everything on the socket is exactly the order it was produced in. A lone frame leaves as itself, not as
 * a one-element array. A batch holds at most `BATCH_MAX_FRAMES` frames and `BATCH_MAX_CHARS` characters (a frame
 * longer than that leaves on its own); a burst becomes several batches. No element announces bytes (`"b":1`), and
 * none is itself an array: the page refuses such a batch whole, dispatching none of it.
 *
 * page → core
 *   invoke   {"t":"i","c":cmd,"cb":callbackId,"er":errorId,"a":args?,"h":headers?,"b":1?}
 *   sealed   {"t":"s","c":cmd,"cb":…,"er":…,"h":…?,"i":instance,"q":seq,"n":nonce,"k":kind}  + binary ciphertext
 *            (isolation pattern: the body is AES-GCM ciphertext; sent by the isolation frame on its own socket,
 *            refused on the page's, see protocol/isolation.ts)
 *   report   {"t":"w","s":{…WindowReport}}   what the page sees of its window (sizes, position, focus, theme …),
 *            sent after the hello and whenever it changes; not a call (no answer), so it needs no seal or grant
 *   drag     {"t":"g","k":"enter"|"over"|"drop"|"leave","x":…,"y":…,"q":drop}   files dragged over the page
 *            (viewport CSS pixels); the core emits tauri://drag-*; not a call, like a report
 *   cancel   {"t":"x","cb":callbackId}   the page gave up on its call: the core aborts its `ctx.signal` and drops
 *            whatever the handler later returns
 *   stream   {"t":"d","s":streamId,"b":1} + binary chunk | {"t":"d","s":id,"end":1} | {"t":"d","s":id,"err":text}
 *            a page → core byte stream named in a call's args as `__STREAM__:<id>`; only bytes the core granted
 *
 * core → page
 *   hello    {"hello":{"token":resumeToken,"conn":connectionId,"assets":base?}}  first frame after the socket opens;
 *            `assets`: the asset protocol's secret base URL, when the app serves one
 *   response {"r":callbackId,"d":json}  |  {"r":callbackId,"b":1}   runCallback(id, data)
 *   event    {"e":name,"p":payload,"l":[eventId,handlerId,…]}       one frame per page, every listener in it
 *   channel  {"c":channelId,"i":index,"m":json} | {…,"b":1} | {"c":id,"i":count,"end":1}
 *            | a bare binary frame: the next bytes message of the current byte run (see above)
 *   batch    [frame,frame,…]   events, channel messages and ends of one turn, in order (see above)
 *   window   {"w":op,"v":value}   asks the page to act on its own window (title, size, position, focus …) where no
 *            window host drives it
 *   isolation pattern only: {"ft":frameToken} | {"fx":[callbackId,…],"fk":frameToken}   (protocol/isolation.ts)
 *   credit   {"sc":streamId,"n":bytes}   the page may send `n` more bytes of that stream
 */

export const PROTOCOL_VERSION = 'airlock.v1';
/** Sub-protocol prefixes that carry the credential on the WebSocket upgrade (kept out of URLs and logs). */
export const TICKET_PROTOCOL_PREFIX = 'airlock.ticket.';
export const RESUME_PROTOCOL_PREFIX = 'airlock.resume.';

/** Reserved path prefix served by the core; app assets cannot shadow it. */
export const RESERVED_PREFIX = '/__airlock/';
export const RUNTIME_PATH = '/__airlock/runtime.js';
export const SOCKET_PATH = '/__airlock/ws';
/** Query parameter of the socket URL carrying the page's own path and query (plugins' `onPageLoad` / `onNavigation`). */
export const SOCKET_PAGE_PARAM = 'page';
/** The URL fragment key that hands a webview its one-time ticket. */
export const LAUNCH_FRAGMENT_KEY = '__airlock';

/** How a channel travels inside a command's arguments: Tauri's `__CHANNEL__:<id>` string. */
export const CHANNEL_PREFIX = '__CHANNEL__:';
export const channelRef = (id: number): string => `${CHANNEL_PREFIX}${id}`;
/** The channel id of a `__CHANNEL__:<id>` string (a u32), or undefined when `value` is not one. */
export function parseChannelRef(value: unknown): number | undefined {
  if (typeof value !== 'string' || !value.startsWith(CHANNEL_PREFIX)) return undefined;
  const digits = value.slice(CHANNEL_PREFIX.length);
  if (!/^\d{1,10}$/.test(digits)) return undefined;
  const id = Number(digits);
  return id <= 0xffff_ffff ? id : undefined;
}
/** How a page → core byte stream travels inside a command's arguments: `__STREAM__:<id>` (id: u32, page-chosen). */
export const STREAM_PREFIX = '__STREAM__:';
export const streamRef = (id: number): string => `${STREAM_PREFIX}${id}`;
/** The stream id of a `__STREAM__:<id>` string, or undefined when `value` is not one. */
export function parseStreamRef(value: unknown): number | undefined {
  if (typeof value !== 'string' || !value.startsWith(STREAM_PREFIX)) return undefined;
  const digits = value.slice(STREAM_PREFIX.length);
  if (!/^\d{1,10}$/.test(digits)) return undefined;
  const id = Number(digits);
  return id <= 0xffff_ffff ? id : undefined;
}
/** Most frames one batch holds (core → page); the core starts a new batch past it. */
export const BATCH_MAX_FRAMES = 1024;
/** Most characters of JSON one batch holds; a single frame longer than that leaves on its own. */
export const BATCH_MAX_CHARS = 64 * 1024;

/** Largest stream chunk a page sends in one binary frame. */
export const STREAM_CHUNK_MAX = 64 * 1024;

/** The property that marks a channel object of older `@tauri-apps/api` versions (`{ __TAURI_CHANNEL_MARKER__, id }`). */
export const LEGACY_CHANNEL_MARKER = '__TAURI_CHANNEL_MARKER__';
/** The command the official API fetches a channel's queued message with; exempt from the ACL, as in Tauri. */
export const CHANNEL_FETCH_COMMAND = 'plugin:__TAURI_CHANNEL__|fetch';

/** Close codes the core uses (4000–4999 is the application range). */
export const CloseCode = {
  PROTOCOL: 4000,
  LABEL_IN_USE: 4009,
  SLOW_CONSUMER: 4029,
  SHUTDOWN: 4050,
} as const;

export type Headers = Readonly<Record<string, string>>;

export interface InvokeFrame {
  readonly t: 'i';
  readonly c: string;
  readonly cb: number;
  readonly er: number;
  readonly a?: unknown;
  readonly h?: Headers;
  readonly b?: 1;
}

export interface SealedFrame {
  readonly t: 's';
  readonly c: string;
  readonly cb: number;
  readonly er: number;
  readonly h?: Headers;
  /** The isolation frame instance that sealed it, bound into the associated data. */
  readonly i: string;
  /** Per-instance sequence number, bound into the associated data. */
  readonly q: number;
  /** 12-byte AES-GCM nonce, base64. */
  readonly n: string;
  /** What the plaintext is: `j` JSON text, `r` raw bytes. */
  readonly k: 'j' | 'r';
}

/** The page cancels its call answered on callback `cb`. */
export interface CancelFrame {
  readonly t: 'x';
  readonly cb: number;
}

/** A chunk (`b`, body follows), the end (`end`) or the failure (`err`) of page → core stream `s`. */
export interface StreamDataFrame {
  readonly t: 'd';
  readonly s: number;
  readonly b?: 1;
  readonly end?: 1;
  readonly err?: string;
}

/** A call: what `decodeClientFrame` accepts (the isolation frame's socket carries nothing else). */
export type ClientFrame = InvokeFrame | SealedFrame;
export type CallFrame = ClientFrame;

/**
 * What a page reports of its own window, in CSS pixels (the core converts to Tauri's physical pixels with `sf`).
 * A page can only describe itself, so a report is trusted as far as the page is: it answers that window's getters.
 */
export interface WindowReport {
  /** innerWidth / innerHeight */
  readonly iw: number;
  readonly ih: number;
  /** outerWidth / outerHeight */
  readonly ow: number;
  readonly oh: number;
  /** screenX / screenY (the outer position) */
  readonly x: number;
  readonly y: number;
  /** devicePixelRatio */
  readonly sf: number;
  /** document.hasFocus() */
  readonly f: boolean;
  /** document.visibilityState === 'hidden' */
  readonly h: boolean;
  /** in fullscreen */
  readonly fs: boolean;
  /** prefers-color-scheme */
  readonly th: 'light' | 'dark';
  /** document.title */
  readonly ti: string;
  /** the screen: [left, top, width, height, availLeft, availTop, availWidth, availHeight] */
  readonly sc: readonly [number, number, number, number, number, number, number, number];
  /** the last pointer position seen over the page, in screen coordinates */
  readonly cx?: number;
  readonly cy?: number;
}

/**
 * A drag of files over the page (its `dragenter`/`dragover`/`drop`/`dragleave`), at viewport CSS pixels. `q`
 * numbers the page's drops: the window host reads the paths of drop `q`'s files from the page (DOM.getFileInfo).
 */
export interface DragFrame {
  readonly t: 'g';
  readonly k: 'enter' | 'over' | 'drop' | 'leave';
  readonly x: number;
  readonly y: number;
  readonly q: number;
}

export interface ReportFrame {
  readonly t: 'w';
  readonly s: WindowReport;
}

/** Everything a page may send on its own socket: calls, reports of its window, cancels and stream data. */
export type PageFrame = ClientFrame | ReportFrame | DragFrame | CancelFrame | StreamDataFrame;

/** What the core may ask a page to do to its own window (`{"w":op,"v":value}`). */
export type WindowOp =
  | { readonly op: 'title'; readonly value: string }
  /** inner size in CSS pixels */
  | { readonly op: 'size'; readonly value: { readonly width: number; readonly height: number } }
  /** outer position in CSS pixels */
  | { readonly op: 'position'; readonly value: { readonly x: number; readonly y: number } }
  | {
      readonly op: 'center' | 'focus' | 'maximize' | 'unmaximize' | 'toggle_maximize' | 'minimize' | 'unminimize' | 'show' | 'hide';
      readonly value?: undefined;
    }
  | { readonly op: 'zoom'; readonly value: number }
  | { readonly op: 'fullscreen'; readonly value: boolean }
  | { readonly op: 'cursor'; readonly value: string };

export interface WindowOpFrame {
  readonly w: WindowOp['op'];
  readonly v?: unknown;
}

export interface ResponseFrame {
  readonly r: number;
  readonly d?: unknown;
  readonly b?: 1;
}
export interface EventFrame {
  readonly e: string;
  readonly p?: unknown;
  readonly l: readonly number[];
}
export interface ChannelFrame {
  readonly c: number;
  readonly i: number;
  readonly m?: unknown;
  readonly b?: 1;
  readonly end?: 1;
}
export interface HelloFrame {
  readonly hello: { readonly token: string; readonly conn: string; readonly assets?: string };
}
export interface StreamCreditFrame {
  readonly sc: number;
  readonly n: number;
}
export type ServerFrame = ResponseFrame | EventFrame | ChannelFrame | HelloFrame | WindowOpFrame | StreamCreditFrame;

/** Callback ids are u32, as in Tauri. */
export function isCallbackId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff;
}
