// Reads the check's inputs off an HTTP request, so every framework adapter extracts them the same way.

import type { CheckInput } from './engine.js';
import { bearerToken } from './token-verifier.js';

/** Header the API key is read from (lower-case, as Node presents incoming headers). */
export const API_KEY_HEADER = 'x-api-key';
/** Query parameter the API key is read from when the header is absent. */
export const API_KEY_QUERY = 'api_key';

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
 * `Origin`, `Referer` and the forwarding header.
 */
export function inputFromRequest(req: RequestLike, sourceIpHeader: string, readBearer = false): CheckInput {
  const keys: string[] = [];
  addValues(keys, req.header(API_KEY_HEADER));
  const url = req.url;
  // Parse the query only when it can hold a key: most requests then cost no URLSearchParams.
  if (url?.includes(API_KEY_QUERY)) {
    const q = url.indexOf('?');
    if (q !== -1) {
      const hash = url.indexOf('#', q);
      const params = new URLSearchParams(url.slice(q + 1, hash === -1 ? undefined : hash));
      addValues(keys, params.getAll(API_KEY_QUERY));
    }
  }
  return {
    // Browsers never send credentials on a CORS preflight: it is answered by the app, uncharged.
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
