// The whitelist answer cache: same answers as the matcher, bounded by entries and by bytes.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine.js';
import {
  cachedMatcher,
  URL_MATCH_CACHE_MAX_BYTES,
  URL_MATCH_CACHE_MAX_ENTRIES,
  type UrlMatchCacheLimits,
} from '../src/url-match-cache.js';
import { compileUrlPatterns, MAX_HEADER_LENGTH, type UrlMatcher } from '../src/url-pattern.js';
import { NOON_UTC } from './fixtures.js';

const PATTERNS = ['https://shop.example.com', 'example.org/checkout', '*.example.net/app/*'];

/** The real matcher, with a count of how often it was asked (that is, missed the cache). */
function countingMatcher(): { match: UrlMatcher; calls: () => number } {
  const real = compileUrlPatterns(PATTERNS);
  let calls = 0;
  return {
    match: (v) => {
      calls += 1;
      return real(v);
    },
    calls: () => calls,
  };
}

/**
 * A distinct, well-formed URL of exactly `length` characters, as one flat string the way
 * Node's HTTP parser hands out header values (`'a'.repeat()` alone would build a rope whose
 * parts V8 shares between values, hiding what the cache keeps).
 */
function longUrl(n: number, length: number): string {
  const bytes = Buffer.alloc(length, 'a');
  bytes.write(`https://shop.example.com/${n}/`, 'latin1');
  return bytes.toString('latin1');
}

describe('whitelist answer cache', () => {
  it('does not keep values refused unparsed (longer than MAX_HEADER_LENGTH)', () => {
    const { match, calls } = countingMatcher();
    const cached = cachedMatcher(match);
    const huge = longUrl(1, MAX_HEADER_LENGTH + 1);
    expect(cached(huge)).toBe(false);
    expect(cached(huge)).toBe(false);
    expect(calls()).toBe(2);
    expect(cached.stats()).toEqual({ entries: 0, bytes: 0 });
    // At the limit a value is parsed, matched and kept.
    const atLimit = longUrl(2, MAX_HEADER_LENGTH);
    expect(cached(atLimit)).toBe(true);
    expect(cached(atLimit)).toBe(true);
    expect(calls()).toBe(3);
    expect(cached.stats().entries).toBe(1);
  });

  it('stays within its byte budget under a spray of long distinct values', () => {
    const cached = cachedMatcher(compileUrlPatterns(PATTERNS));
    let most = 0;
    for (let n = 0; n < 10_000; n++) {
      cached(longUrl(n, 4_000));
      most = Math.max(most, cached.stats().bytes);
    }
    expect(most).toBeLessThanOrEqual(URL_MATCH_CACHE_MAX_BYTES);
    expect(cached.stats().entries).toBeLessThan(URL_MATCH_CACHE_MAX_BYTES / 8_000);
  });

  it('stays within its entry budget under a spray of short distinct values', () => {
    const cached = cachedMatcher(compileUrlPatterns(PATTERNS));
    for (let n = 0; n < 25_000; n++) {
      cached(`https://x${n}.example.net/app/`);
      expect(cached.stats().entries).toBeLessThanOrEqual(URL_MATCH_CACHE_MAX_ENTRIES);
    }
  });

  it('answers exactly as the matcher does, within any limits', () => {
    const value = fc.oneof(
      fc.constantFrom(
        'https://shop.example.com',
        'https://shop.example.com/cart',
        'http://shop.example.com',
        'https://app.example.org/checkout/x',
        'https://a.b.example.net/app/1',
        'https://example.net/app/1',
        'null',
        '',
      ),
      fc.string({ maxLength: 40 }),
      fc.webUrl(),
      fc.integer({ min: MAX_HEADER_LENGTH - 2, max: MAX_HEADER_LENGTH + 2 }).map((len) => longUrl(7, len)),
    );
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 60 }),
        fc.record({
          maxEntries: fc.integer({ min: 1, max: 8 }),
          maxBytes: fc.integer({ min: 1, max: 20_000 }),
        }),
        (values, limits: UrlMatchCacheLimits) => {
          const plain = compileUrlPatterns(PATTERNS);
          const cached = cachedMatcher(compileUrlPatterns(PATTERNS), limits);
          for (const v of [...values, ...values]) {
            expect(cached(v)).toBe(plain(v));
            const { entries, bytes } = cached.stats();
            expect(entries).toBeLessThanOrEqual(limits.maxEntries);
            expect(bytes).toBeLessThanOrEqual(limits.maxBytes);
          }
        },
      ),
    );
  });
});

describe('whitelist answer cache, through the engine', () => {
  it('3,000 distinct 16 KB Origin values on one key leave the heap about where it was', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const key = 'pk_live_heap_0123456789';
    const engine = createEngine({
      policy: { keys: [{ id: 'web', key, allowedUrls: PATTERNS, dailyLimit: 10 }] },
      now: () => NOON_UTC,
    });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let n = 0; n < 3_000; n++) {
      const d = engine.check({ apiKey: key, origin: longUrl(n, 16_384), ip: '203.0.113.1' });
      if (!('code' in d) || d.code !== 'origin_not_allowed')
        throw new Error(`check ${n}: expected a refusal`);
    }
    gc();
    const grownMb = (process.memoryUsage().heapUsed - before) / 1_048_576;
    // The values alone are 47 MB; kept, they would grow the heap by that much. (Kept in a Map
    // they also cost time: V8 hashes strings over 16,383 characters by length alone.)
    expect(grownMb).toBeLessThan(8);
  });
});
