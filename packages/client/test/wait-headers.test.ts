// Retry-After and RateLimit parsing: the documented forms, Tollgate's own headers, and any string without throwing.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRateLimit, parseRetryAfter, serverWaitMs } from '../src/wait-headers.js';

const NOW = Date.UTC(2026, 10, 23, 12);

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates (all three RFC 9110 forms)', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter('Mon, 23 Nov 2026 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Monday, 23-Nov-26 12:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Mon Nov 23 12:00:10 2026', NOW)).toBe(10_000);
  });

  it('a date in the past is no wait; junk is no answer', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:00 GMT', NOW)).toBe(0);
    for (const junk of ['', '-5', '1.5', 'soon', '2026-11-23T12:00:30Z', 'Mon, garbage', '1e3']) {
      expect(parseRetryAfter(junk, NOW)).toBeUndefined();
    }
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });

  it('caps absurd values at a year', () => {
    expect(parseRetryAfter('9'.repeat(400), NOW)).toBe(365 * 24 * 3600 * 1000);
  });
});

describe('parseRateLimit', () => {
  it("reads Tollgate's draft-8 header", () => {
    expect(parseRateLimit('"ip-daily";r=2;t=43200, "daily";r=9;t=43200')).toEqual([
      { name: 'ip-daily', remaining: 2, resetSeconds: 43_200 },
      { name: 'daily', remaining: 9, resetSeconds: 43_200 },
    ]);
  });

  it('accepts tokens and other parameters, and skips what does not parse', () => {
    expect(parseRateLimit('default;r=0;t=5;pk=:abc:, "x";r=-1;t=x, ;r=1, "a,b";r=3')).toEqual([
      { name: 'default', remaining: 0, resetSeconds: 5 },
      { name: 'x' },
      { name: 'a,b', remaining: 3 },
    ]);
  });
});

describe('serverWaitMs', () => {
  const headers = (h: Record<string, string>) => new Headers(h);

  it('takes the later of Retry-After and the exhausted RateLimit items', () => {
    expect(serverWaitMs(headers({ 'retry-after': '30' }), NOW).waitMs).toBe(30_000);
    expect(serverWaitMs(headers({ ratelimit: '"daily";r=0;t=40' }), NOW).waitMs).toBe(40_000);
    expect(
      serverWaitMs(headers({ 'retry-after': '30', ratelimit: '"ip-daily";r=0;t=20, "daily";r=5;t=90' }), NOW)
        .waitMs,
    ).toBe(30_000);
    expect(serverWaitMs(headers({ ratelimit: '"daily";r=5;t=90' }), NOW).waitMs).toBeUndefined();
    expect(serverWaitMs(headers({}), NOW)).toEqual({ waitMs: undefined, limits: [] });
  });
});

describe('any string', () => {
  const anyString = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.stringMatching(/^("[a-z-]{0,8}"|[a-z]{1,5})(;[rtq]=-?\d{0,6})*(, ?.*)?$/),
  );

  it('never makes a parser throw, and every wait is a finite, non-negative number or nothing', () => {
    fc.assert(
      fc.property(anyString, anyString, fc.integer(), (a, b, now) => {
        const ra = parseRetryAfter(a, now);
        if (ra !== undefined) expect(Number.isFinite(ra) && ra >= 0).toBe(true);
        for (const item of parseRateLimit(a)) {
          for (const n of [item.remaining, item.resetSeconds]) {
            if (n !== undefined) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
          }
        }
        const { waitMs } = serverWaitMs(
          new Map([
            ['retry-after', a],
            ['ratelimit', b],
          ]) as never,
          now,
        );
        if (waitMs !== undefined) expect(Number.isFinite(waitMs) && waitMs >= 0).toBe(true);
      }),
    );
  });

  it('reads back any list of items written in the draft-8 form', () => {
    const item = fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
      remaining: fc.nat(),
      resetSeconds: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 5 }), (items) => {
        const header = items.map((i) => `"${i.name}";r=${i.remaining};t=${i.resetSeconds}`).join(', ');
        expect(parseRateLimit(header)).toEqual(items);
      }),
    );
  });
});
