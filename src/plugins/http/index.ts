/**
 * `airlock/plugins/http`: Tauri's http plugin (`tauri-plugin-http`) for `@tauri-apps/plugin-http`'s `fetch`. The
 * request is made by the core (Node's fetch), so the page is not bound by CORS; what it may reach is the URL scope
 * (`http:default` grants the commands and no URL: add `allow` entries such as `{ "url": "https://api.example.com/*" }`).
 *
 * The guest's four steps: `fetch {clientConfig}` checks the scope and returns a request rid; `fetch_send {rid}`
 * sends it and answers `{ status, statusText, url, headers, rid }`; `fetch_read_body {rid}` returns the next chunk of
 * the body with one byte appended (0: more to come, 1: the end, with no data); `fetch_cancel` aborts a request and
 * `fetch_cancel_body` drops a body. Requests and bodies live in the calling webview's resource table, so a page
 * that goes away aborts what it started.
 *
 * @example
 *   import http from 'airlock/plugins/http';
 *   await Builder.default().plugin(http()).build({ config: './src-tauri/tauri.conf.json' });
 *   // page: const res = await fetch('https://api.example.com/items', { method: 'GET' });
 */
import { z } from 'zod';
import { command, type InvokeContext } from '../../core/commands.js';
import { PluginBuilder } from '../../core/plugin.js';
import { AirlockError, ErrorCode } from '../../protocol/errors.js';
import { globalApi } from '../shared/global-api.js';
import { urlAllowed, urlScopeSchema } from './scope.js';

export interface HttpOptions {
  /** Sent when the page sets no `User-Agent` (Tauri sends `tauri-plugin-http/<version>`). */
  readonly userAgent?: string;
  /**
   * Keep the request headers a browser forbids (`Cookie`, `Origin`, `Host`, `Sec-*` …) instead of dropping them, as
   * Tauri's `unsafe-headers` feature does. Off by default.
   */
  readonly unsafeHeaders?: boolean;
}

/** Request headers Tauri drops unless its `unsafe-headers` feature is on (the Fetch spec's forbidden names). */
const FORBIDDEN_HEADERS = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'cookie',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
]);
const isForbidden = (name: string): boolean => {
  const n = name.toLowerCase();
  return FORBIDDEN_HEADERS.has(n) || n.startsWith('proxy-') || n.startsWith('sec-');
};

/** What Tauri's reqwest client follows when the page sets no `maxRedirections`. */
const DEFAULT_MAX_REDIRECTIONS = 10;

const fail = (message: string, cause?: unknown): AirlockError =>
  new AirlockError(ErrorCode.PLUGIN, message, cause === undefined ? {} : { cause });

/** A request made by `fetch` and not sent yet (or being sent). */
class FetchRequest {
  readonly controller = new AbortController();
  constructor(
    readonly url: URL,
    readonly method: string,
    readonly headers: [string, string][],
    readonly body: Uint8Array | undefined,
    readonly maxRedirections: number,
    readonly connectTimeout: number | undefined,
  ) {}
  close(): void {
    this.controller.abort();
  }
}

/** A response whose body the page reads chunk by chunk. */
class FetchResponse {
  constructor(
    readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    readonly controller: AbortController,
  ) {}
  close(): void {
    this.reader.cancel().catch(() => {});
    this.controller.abort();
  }
}

const byte = z.number().int().min(0).max(255);
const clientConfig = z.object({
  method: z.string().min(1),
  url: z.string(),
  headers: z.array(z.tuple([z.string(), z.string()])).nullish(),
  data: z.array(byte).nullish(),
  maxRedirections: z.number().int().min(0).nullish(),
  connectTimeout: z.number().int().min(0).nullish(),
  proxy: z.unknown().optional(),
  danger: z.unknown().optional(),
});
const rid = z.object({ rid: z.number().int().min(0).max(0xffff_ffff) });

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function redirectTarget(status: number, location: string | null, base: URL): URL | undefined {
  if (![301, 302, 303, 307, 308].includes(status) || location === null) return undefined;
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

async function send(request: FetchRequest, ctx: InvokeContext): Promise<Response> {
  const signals = [request.controller.signal, ctx.signal];
  let url = request.url;
  let method = request.method;
  let body = request.body;
  let headers = request.headers;
  for (let hop = 0; ; hop++) {
    const attempt = new AbortController();
    const stop = (): void => attempt.abort();
    for (const s of signals) s.addEventListener('abort', stop, { once: true });
    const timer = request.connectTimeout === undefined ? undefined : setTimeout(() => attempt.abort('timeout'), request.connectTimeout);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        redirect: 'manual',
        signal: attempt.signal,
        ...(body === undefined ? {} : { body }),
      });
    } catch (cause) {
      if (signals.some((s) => s.aborted)) throw fail('Request canceled', cause);
      if (attempt.signal.reason === 'timeout') throw fail(`error sending request for url (${url.href}): operation timed out`, cause);
      const reason = (cause as Error & { cause?: Error }).cause?.message ?? (cause as Error).message;
      throw fail(`error sending request for url (${url.href}): ${reason}`, cause);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', stop);
    }
    const next = url.protocol === 'data:' ? undefined : redirectTarget(response.status, response.headers.get('location'), url);
    if (next === undefined || request.maxRedirections === 0) return response;
    await response.body?.cancel().catch(() => {});
    if (hop + 1 > request.maxRedirections) throw fail(`error following redirect for url (${url.href}): too many redirects`);
    // Every hop is checked against the scope, so a redirect cannot lead the core somewhere the page may not go.
    if (!urlAllowed(next, ctx.scope, ctx.globalScope)) throw fail(`url not allowed on the configured scope: ${next.href}`);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      headers = headers.filter(([n]) => !/^content-(type|length|encoding|language)$/i.test(n));
    }
    if (next.origin !== url.origin) headers = headers.filter(([n]) => !/^(authorization|cookie)$/i.test(n));
    url = next;
  }
}

export default function http(options: HttpOptions = {}) {
  const userAgent = options.userAgent ?? 'tauri-plugin-http/2 (airlock)';
  const unsafeHeaders = options.unsafeHeaders === true;
  return new PluginBuilder('http')
    .permissions(new URL('./permissions', import.meta.url))
    .scopeSchema(urlScopeSchema)
    .jsInitScript(globalApi('http'))
    .invokeHandler({
      fetch: command(z.object({ clientConfig }), ({ clientConfig: c }, ctx) => {
        let url: URL;
        try {
          url = new URL(c.url);
        } catch (cause) {
          throw fail(`relative URL without a base: ${c.url}`, cause);
        }
        const scheme = url.protocol.slice(0, -1);
        if (scheme === 'http' || scheme === 'https') {
          if (!urlAllowed(url, ctx.scope, ctx.globalScope)) throw fail(`url not allowed on the configured scope: ${url.href}`);
        } else if (scheme !== 'data') {
          throw fail(`scheme ${scheme} not supported`);
        }
        if (c.proxy !== undefined && c.proxy !== null) throw fail('proxy settings are not supported by Airlock’s http plugin');
        if (c.danger !== undefined && c.danger !== null) {
          throw fail('dangerous settings used but are not enabled (Airlock’s http plugin always verifies certificates)');
        }
        if (!TOKEN.test(c.method)) throw fail(`invalid HTTP method: ${c.method}`);
        const headers: [string, string][] = [];
        for (const [name, value] of c.headers ?? []) {
          if (!TOKEN.test(name)) throw fail(`invalid HTTP header name: ${name}`);
          if (/[\r\n\0]/.test(value)) throw fail(`failed to parse header value of ${name}`);
          if (!unsafeHeaders && isForbidden(name)) continue;
          headers.push([name, value]);
        }
        if (!headers.some(([n]) => n.toLowerCase() === 'user-agent')) headers.push(['user-agent', userAgent]);
        const method = c.method.toUpperCase();
        const body = c.data === undefined || c.data === null ? undefined : Uint8Array.from(c.data);
        const request = new FetchRequest(
          url,
          method,
          headers,
          method === 'GET' || method === 'HEAD' ? undefined : body,
          c.maxRedirections ?? DEFAULT_MAX_REDIRECTIONS,
          c.connectTimeout ?? undefined,
        );
        return ctx.resources.add(request);
      }),
      fetch_send: command(
        rid,
        async ({ rid }, ctx) => {
          const request = ctx.resources.get(rid, FetchRequest);
          if (request.controller.signal.aborted) {
            ctx.resources.take(rid);
            throw fail('Request canceled');
          }
          let response: Response;
          try {
            response = await send(request, ctx);
          } finally {
            // The request rid is used up either way (Tauri takes it out of the table to send it).
            if (ctx.resources.find(rid, FetchRequest) === request) ctx.resources.take(rid);
          }
          const reader = (response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })).getReader();
          const responseRid = ctx.resources.add(new FetchResponse(reader, request.controller));
          return {
            status: response.status,
            statusText: response.statusText,
            url: response.url || request.url.href,
            headers: [...response.headers],
            rid: responseRid,
          };
        },
        { timeoutMs: 0 },
      ),
      fetch_read_body: command(
        rid,
        async ({ rid }, ctx) => {
          const body = ctx.resources.get(rid, FetchResponse);
          let chunk: Awaited<ReturnType<typeof body.reader.read>>;
          try {
            chunk = await body.reader.read();
          } catch (cause) {
            if (ctx.resources.find(rid, FetchResponse) === body) ctx.resources.close(rid);
            throw fail(
              body.controller.signal.aborted ? 'Request canceled' : `error decoding response body: ${(cause as Error).message}`,
              cause,
            );
          }
          if (chunk.done) {
            if (ctx.resources.find(rid, FetchResponse) === body) ctx.resources.close(rid);
            return Uint8Array.of(1);
          }
          const out = new Uint8Array(chunk.value.byteLength + 1);
          out.set(chunk.value);
          return out;
        },
        { timeoutMs: 0 },
      ),
      fetch_cancel: command(rid, ({ rid }, ctx) => {
        ctx.resources.get(rid, FetchRequest).controller.abort();
        return null;
      }),
      fetch_cancel_body: command(rid, ({ rid }, ctx) => {
        ctx.resources.get(rid, FetchResponse);
        ctx.resources.close(rid);
        return null;
      }),
    })
    .build();
}
