// The retry schedule: doubling caps up to the maximum, and waits drawn below them.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCap, backoffDelay } from '../src/backoff.js';

describe('backoff', () => {
  it('doubles from baseDelayMs after each failed attempt, up to maxDelayMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffCap(n, 1000, 60_000))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
    expect(backoffCap(5000, 1000, 60_000)).toBe(60_000);
    expect(backoffCap(5000, 0, 60_000)).toBe(0);
  });

  it('waits random × cap, treating a random outside [0, 1) as 0', () => {
    expect(backoffDelay(3, 1000, 60_000, () => 0.5)).toBe(2000);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(0);
    expect(backoffDelay(3, 1000, 60_000, () => Number.NaN)).toBe(0);
  });

  it('stays in [0, cap), and caps never decrease (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, base, extra, r) => {
          const max = base + extra;
          const cap = backoffCap(attempt, base, max);
          const delay = backoffDelay(attempt, base, max, () => r);
          expect(cap).toBeLessThanOrEqual(max);
          expect(backoffCap(attempt + 1, base, max)).toBeGreaterThanOrEqual(cap);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(cap);
          if (cap >= 1) expect(delay).toBeLessThan(cap);
        },
      ),
      { verbose: true },
    );
  });
});
