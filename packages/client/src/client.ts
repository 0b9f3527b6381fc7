// createClient: a fetch that adds credentials, refreshes tokens, backs off on 429/503, and caches GETs encrypted.

import { discard } from './body.js';
import { createEmitter } from './events.js';
import { type ClientOptions, type FetchLike, parseOptions } from './options.js';
import { type OutgoingRequest, toOutgoing } from './outgoing-request.js';
import { isInvalidToken } from './problem.js';
import { createResponseCache } from './response-cache.js';
import { type RetryConfig, withRetries } from './retry.js';
import { eventUrl } from './secure-url.js';
import { createTokenSource } from './token-source.js';
import { send, type TransportConfig } from './transport.js';

/**
 * Creates a `fetch` for one API: same signature, same `Response`, so it drops into code that
 * already uses `fetch`. Paths resolve under `baseUrl`. Every request goes over HTTPS (plain HTTP
 * only to loopback, when allowed), carries the API key or a fresh bearer token to the base URL's
 * origin only, is retried with backoff and full jitter on 429, 503 and network errors when that
 * is safe, and fails fast with `RateLimitedError` when a 429's wait is hours long. Bad options
 * throw `InvalidOptionsError` here, naming the option.
 *
 * @example
 * import { createClient, RateLimitedError } from '@tollgate/client';
 *
 * const api = createClient({
 *   baseUrl: 'https://api.example.com/v1',
 *   apiKey: process.env.EXAMPLE_API_KEY!,
 *   cache: true,
 *   onEvent: (e) => metrics.count(`api.${e.type}`),
 * });
 * const res = await api('/lookup?q=tollgate');
 * if (res.ok) console.log(await res.json());
 */
export function createClient(options: ClientOptions): FetchLike {
  const config = parseOptions(options);
  const now = config.now;
  const emit = createEmitter(config.onEvent);
  const credential = config.credential;
  const transport: TransportConfig = {
    fetch: config.fetch,
    origin: config.baseUrl.origin,
    allowInsecureLoopback: config.allowInsecureLoopback,
    maxRedirects: config.maxRedirects,
    credentialHeaders: [
      'authorization',
      'proxy-authorization',
      'cookie',
      ...(credential.kind === 'apiKey' ? [credential.header.toLowerCase()] : []),
    ],
  };
  const plainFetch: FetchLike = async (input, init) =>
    send(transport, await toOutgoing(input, init, config.baseUrl), undefined);
  const tokens =
    credential.kind === 'token'
      ? createTokenSource({
          provider: credential.provider,
          refreshMarginMs: credential.refreshMarginMs,
          defaultLifetimeMs: credential.defaultLifetimeMs,
          now,
          emit,
          fetch: plainFetch,
        })
      : undefined;
  const cache = config.cache && createResponseCache({ ...config.cache, now });
  const retrying: RetryConfig = { ...config.retry, now, sleep: config.sleep, random: config.random, emit };

  /** One attempt: credentials on, and for a token, one refresh and resend after a 401 invalid_token. */
  const attempt = async (req: OutgoingRequest, n: number): Promise<Response> => {
    if (credential.kind === 'apiKey') return send(transport, req, { [credential.header]: credential.key });
    const source = tokens as NonNullable<typeof tokens>;
    const token = await source.get(req.signal);
    const res = await send(transport, req, { authorization: `Bearer ${token}` });
    // Only a token the server itself calls invalid is replaced, and only once: a second 401
    // goes back to the caller, so a server that rejects every token cannot cause a loop.
    // The server refused before acting, so even a POST is safe to send again.
    if (!req.replayable || !answeredByApi(res, req, transport.origin) || !(await isInvalidToken(res)))
      return res;
    discard(res);
    const fresh = await source.replace(token, req.signal);
    emit({
      type: 'retry',
      method: req.method,
      url: eventUrl(req.url),
      attempt: n,
      reason: 'invalid_token',
      at: now(),
    });
    return send(transport, req, { authorization: `Bearer ${fresh}` });
  };

  return async (input, init) => {
    const req = await toOutgoing(input, init, config.baseUrl);
    req.signal?.throwIfAborted();
    // The cache is for this client's own API; `cache: 'no-store' | 'reload' | 'no-cache'` on a
    // request skips reading it, and 'no-store' writing it too, as the Fetch cache modes do.
    // Not every RequestInit type declares `cache` (Node's does not), though every runtime reads it.
    const mode =
      (init as { cache?: string } | undefined)?.cache ?? (input instanceof Request ? input.cache : 'default');
    const cacheable = cache !== undefined && req.method === 'GET' && req.url.origin === transport.origin;
    if (cacheable && mode !== 'no-store' && mode !== 'reload' && mode !== 'no-cache') {
      const hit = await cache.get(req.url, req.headers);
      if (hit) {
        emit({ type: 'cache_hit', url: eventUrl(req.url), ageMs: hit.ageMs, at: now() });
        return hit.response;
      }
    }
    const res = await withRetries(retrying, req, attempt);
    if (cacheable && mode !== 'no-store' && res.status === 200) await cache.put(req.url, req.headers, res);
    return res;
  };
}

// The token goes only to the API's origin, and a redirect may have carried the request elsewhere
// without it: only the API's own 401 says anything about the token.
function answeredByApi(res: Response, req: OutgoingRequest, origin: string): boolean {
  return (res.url === '' ? req.url : new URL(res.url)).origin === origin;
}
