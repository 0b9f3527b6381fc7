// Sends one request with its credentials and follows redirects itself, so each hop is checked for HTTPS and origin.

import { discard } from './body.js';
import { RedirectError } from './errors.js';
import type { FetchLike } from './options.js';
import type { OutgoingRequest } from './outgoing-request.js';
import { assertSecureUrl, showOrigin } from './secure-url.js';

/** How the transport sends: the underlying fetch, the trusted origin, and the redirect rules. */
export interface TransportConfig {
  readonly fetch: FetchLike;
  /** The base URL's origin: the only origin credentials are sent to. */
  readonly origin: string;
  readonly allowInsecureLoopback: boolean;
  readonly maxRedirects: number;
  /** Header names that hold credentials (Authorization, the API key header, ...), lower-case. */
  readonly credentialHeaders: readonly string[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Headers that describe a body, dropped when a redirect turns the request into a bodiless GET.
const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
];

/**
 * Sends `req`, adding `credentials` as headers while the request is on the trusted origin.
 * Once a redirect changes origin, the client's credentials and any credential headers the
 * caller set stay behind for the rest of the chain (browsers do the same with `Authorization`),
 * even if a later hop comes back: the origin that redirected chose that URL.
 */
export async function send(
  config: TransportConfig,
  req: OutgoingRequest,
  credentials: Readonly<Record<string, string>> | undefined,
): Promise<Response> {
  let url = req.url;
  let method = req.method;
  let body = req.body;
  const headers = new Headers(req.headers);
  let trusted = url.origin === config.origin;

  for (let hop = 0; ; hop++) {
    assertSecureUrl(url, config.allowInsecureLoopback, hop === 0 ? 'request URL' : 'redirect target');
    const hopHeaders = new Headers(headers);
    if (trusted && credentials)
      for (const name in credentials) hopHeaders.set(name, credentials[name] as string);

    const res = await config.fetch(url.href, {
      ...req.rest,
      method,
      headers: hopHeaders,
      body,
      // The client follows redirects itself: fetch's own following would neither refuse an
      // https -> http hop nor drop a custom API key header on a cross-origin one.
      redirect: 'manual',
      ...(req.signal ? { signal: req.signal } : {}),
    });

    if (res.type === 'opaqueredirect') {
      // Browsers hide a manual redirect's target, so it cannot be checked; refuse rather than guess.
      throw new RedirectError(
        `${showOrigin(url)} answered with a redirect whose target this runtime does not reveal; not following it`,
      );
    }
    const location = res.headers.get('location');
    if (!REDIRECTS.has(res.status) || location === null || req.redirect === 'manual') return res;
    if (req.redirect === 'error') {
      discard(res);
      throw new RedirectError(
        `${showOrigin(url)} answered with a redirect and the request set redirect: 'error'`,
      );
    }
    if (hop >= config.maxRedirects) {
      discard(res);
      throw new RedirectError(`more than ${config.maxRedirects} redirects, last from ${showOrigin(url)}`);
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      return res; // An unusable Location: the response itself is the answer.
    }
    next.hash = '';
    discard(res);

    // Fetch's rules (WHATWG Fetch, HTTP-redirect fetch): 303, and 301/302 after a POST, become a GET without a body.
    if (
      res.status === 303 ? method !== 'HEAD' : (res.status === 301 || res.status === 302) && method === 'POST'
    ) {
      method = 'GET';
      body = null;
      for (const h of BODY_HEADERS) headers.delete(h);
    } else if (body !== null && !req.replayable) {
      throw new RedirectError(
        `a ${res.status} redirect would resend a streamed body, which cannot be replayed`,
      );
    }
    if (next.origin !== url.origin) {
      trusted = false;
      stripCredentials(headers, config.credentialHeaders);
    }
    url = next;
  }
}

function stripCredentials(headers: Headers, names: readonly string[]): void {
  for (const name of names) headers.delete(name);
}
