// Remembers a key's whitelist answers for recently seen Origin/Referer values.

import type { UrlMatcher } from './url-pattern.js';

/** Most remembered values per key; past it the cache starts over, so a spray of values stays bounded. */
const MAX_ENTRIES = 10_000;

/**
 * Wraps a compiled whitelist so a repeated header value costs one Map lookup instead of a URL
 * parse: a browser app sends the same Origin on every request.
 *
 * @example
 * const match = cachedMatcher(compileUrlPatterns(['https://shop.example.com']));
 */
export function cachedMatcher(match: UrlMatcher): UrlMatcher {
  const seen = new Map<string, boolean>();
  return (value) => {
    let ok = seen.get(value);
    if (ok === undefined) {
      ok = match(value);
      if (seen.size >= MAX_ENTRIES) seen.clear();
      seen.set(value, ok);
    }
    return ok;
  };
}
