// Which URLs the client may talk to (HTTPS, or http on loopback when allowed), and how URLs are shown.

import { InsecureUrlError } from './errors.js';

/**
 * True for `localhost`, `*.localhost`, 127.0.0.0/8 and ::1: traffic to these never leaves the
 * machine, so plain HTTP there exposes nothing on the network.
 */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '[::1]') return true;
  // URL has already normalised IPv4 literals (0x7f.1, 2130706433) to dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Throws `InsecureUrlError` unless `url` is HTTPS (or loopback HTTP with `allowLoopback`) and
 * has no user name or password. `what` says where the URL came from, for the message.
 */
export function assertSecureUrl(url: URL, allowLoopback: boolean, what: string): void {
  if (url.username !== '' || url.password !== '') {
    // Credentials in a URL end up in logs and Referer headers; the header is the only place for them.
    throw new InsecureUrlError(`${what} must not carry a user name or password (${showOrigin(url)})`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) {
    if (allowLoopback) return;
    throw new InsecureUrlError(
      `${what} ${showOrigin(url)} is plain HTTP; for local development on a loopback address set allowInsecureLoopback: true`,
    );
  }
  throw new InsecureUrlError(
    `${what} ${showOrigin(url)} is not HTTPS; the client only sends requests over HTTPS`,
  );
}

/** Scheme, host and port only: what an error may show of a URL without leaking its path or query. */
export function showOrigin(url: URL): string {
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
}

/** Origin and path without query, fragment or credentials: the form of a URL that events carry. */
export function eventUrl(url: URL): string {
  return `${showOrigin(url)}${url.protocol === 'http:' || url.protocol === 'https:' ? url.pathname : ''}`;
}

/**
 * Resolves a request's URL. A path (`/v1/lookup`, `v1/lookup`) lands under the base URL's path,
 * so a base of `https://api.example.com/v2` keeps its `/v2`; an absolute URL is used as given.
 */
export function resolveUrl(input: string, base: URL): URL {
  if (/^[a-z][a-z0-9+.-]*:/i.test(input)) return new URL(input);
  const dir = base.pathname.endsWith('/') ? base : new URL(`${base.pathname}/`, base);
  return new URL(input.replace(/^\/+/, ''), dir);
}
