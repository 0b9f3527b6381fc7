// Remembers a key's whitelist answers for recently seen Origin/Referer values, within a budget of entries and bytes.

import { MAX_HEADER_LENGTH, type UrlMatcher } from './url-pattern.js';

/** Most remembered values per key. */
export const URL_MATCH_CACHE_MAX_ENTRIES = 10_000;
/** Most bytes of remembered values per key (1 MiB), as {@link entryBytes} counts them. */
export const URL_MATCH_CACHE_MAX_BYTES = 1_048_576;
/** What one entry costs beyond its characters: the Map slot and the string's header, rounded up. */
const ENTRY_OVERHEAD_BYTES = 64;

/** The budget of one cache; past either bound it starts over. */
export interface UrlMatchCacheLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/** What a cache holds now. */
export interface UrlMatchCacheStats {
  readonly entries: number;
  readonly bytes: number;
}

/** A whitelist matcher with a cache in front, which can say how much it holds. */
export interface CachedUrlMatcher extends UrlMatcher {
  stats(): UrlMatchCacheStats;
}

/**
 * The bytes an entry is counted at: two per character (V8 keeps a string in one or two bytes
 * a character; counting two never undercounts) plus a fixed overhead.
 */
export function entryBytes(value: string): number {
  return 2 * value.length + ENTRY_OVERHEAD_BYTES;
}

/**
 * Wraps a compiled whitelist so a repeated header value costs one Map lookup instead of a URL
 * parse: a browser app sends the same Origin on every request. A value longer than
 * `MAX_HEADER_LENGTH` is refused by the matcher without parsing, so it is answered without
 * being kept: remembering it would only let a spray of huge values fill memory (and V8
 * hashes strings over 16,383 characters by their length alone, so such keys would also make
 * every lookup slow). When a new value would take the cache past `maxEntries` or
 * `maxBytes`, it starts over, so a spray of distinct values stays bounded.
 *
 * @example
 * const match = cachedMatcher(compileUrlPatterns(['https://shop.example.com']));
 * match('https://shop.example.com'); // true, parsed once
 */
export function cachedMatcher(
  match: UrlMatcher,
  limits: UrlMatchCacheLimits = {
    maxEntries: URL_MATCH_CACHE_MAX_ENTRIES,
    maxBytes: URL_MATCH_CACHE_MAX_BYTES,
  },
): CachedUrlMatcher {
  const seen = new Map<string, boolean>();
  let bytes = 0;
  const cached = (value: string): boolean => {
    // Checked before the lookup, which would hash the whole value.
    if (typeof value !== 'string' || value.length > MAX_HEADER_LENGTH) return match(value);
    let ok = seen.get(value);
    if (ok !== undefined) return ok;
    ok = match(value);
    const cost = entryBytes(value);
    if (cost > limits.maxBytes) return ok;
    if (seen.size >= limits.maxEntries || bytes + cost > limits.maxBytes) {
      seen.clear();
      bytes = 0;
    }
    seen.set(value, ok);
    bytes += cost;
    return ok;
  };
  return Object.assign(cached, { stats: (): UrlMatchCacheStats => ({ entries: seen.size, bytes }) });
}
