// Reads the check's inputs off an HTTP request, so every framework adapter extracts them the same way.

import { bearerToken } from './bearer-header.js';
import type { CheckInput } from './engine.js';
import { addQueryKeys } from './query-key.js';

export { API_KEY_QUERY } from './query-key.js';

/** Header the API key is read from (lower-case, as Node presents incoming headers). */
export const API_KEY_HEADER = 'x-api-key';

/**
 * The few things Tollgate needs from a request, whatever the framework.
 *
 * @example
 * const like: RequestLike = { header: (n) => req.headers[n], url: req.originalUrl, ip: req.ip };
 */
export interface RequestLike {
  /** Looks up a header by lower-case name; a repeated header may come back as an array. */
  header(name: string): string | readonly string[] | undefined;
  /** The request target as received: path and query string. */
  readonly url: string | undefined;
  /** The client address as the framework determines it (its trust-proxy setting decides). */
  readonly ip: string | undefined;
  /** The request method; needed to recognise CORS preflights. */
  readonly method?: string | undefined;
  /**
   * Whether the request came over HTTPS, as the framework sees it (its trust-proxy setting
   * decides whether `X-Forwarded-Proto` counts). Needed for `requireHttps`.
   */
  readonly secure?: boolean | undefined;
}

/**
 * Builds the `engine.check()` input from a request: the key from `X-Api-Key` or `api_key`,
 * `Origin`, `Referer` and the forwarding header. Every query parameter an app's parser could
 * read as `api_key` counts (see {@link addQueryKeys}), so a header and a query that disagree are
 * refused as ambiguous whichever spelling the query uses.
 */
export function inputFromRequest(req: RequestLike, sourceIpHeader: string, readBearer = false): CheckInput {
  const keys: string[] = [];
  addValues(keys, req.header(API_KEY_HEADER));
  if (req.url !== undefined) addUrlKeys(keys, req.url);
  return {
    // Browsers never send credentials on a CORS preflight: it is never charged, and the adapter
    // answers it (or, with `preflight: 'next'`, hands it on) before anything else is checked.
    preflight: req.method === 'OPTIONS' && req.header('access-control-request-method') !== undefined,
    apiKey: keys.length <= 1 ? keys[0] : keys,
    // Only when tokens are configured: otherwise Authorization belongs to the app.
    bearer: readBearer ? bearerToken(single(req.header('authorization'))) : undefined,
    secure: req.secure,
    origin: single(req.header('origin')),
    referer: single(req.header('referer')),
    ip: req.ip,
    sourceIp: single(req.header(sourceIpHeader)),
  };
}

// Where the query is depends on the parser: Express, Koa, Hono and URL read from `?` to `#`;
// Fastify's router reads from the first `?` or `#` (or `;`, with useSemicolonDelimiter) to the
// end, `#` included. Both readings count. Most URLs hold none of the three: three indexOf calls.
function addUrlKeys(into: string[], url: string): void {
  const q = url.indexOf('?');
  const hash = url.indexOf('#');
  const semi = url.indexOf(';');
  if (q !== -1 && (hash === -1 || q < hash))
    addQueryKeys(into, url.slice(q + 1, hash === -1 ? undefined : hash));
  if (hash === -1 && semi === -1) return;
  let start = q;
  for (const i of [hash, semi]) if (i !== -1 && (start === -1 || i < start)) start = i;
  addQueryKeys(into, url.slice(start + 1));
}

function addValues(into: string[], value: string | readonly string[] | undefined): void {
  if (value === undefined) return;
  for (const v of typeof value === 'string' ? [value] : value) {
    if (v !== '' && !into.includes(v)) into.push(v);
  }
}

// A repeated header is joined as a list, which then fails the strict parsers (URL, IP) that
// follow: a request never gets to choose which of two values is believed.
function single(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  return value.join(', ');
}
