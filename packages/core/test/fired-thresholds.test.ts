// The memory of emitted threshold events: once per key, day and threshold, bounded.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FiredThresholds } from '../src/fired-thresholds.js';

describe('FiredThresholds', () => {
  it('says yes once per key, day and threshold', () => {
    const fired = new FiredThresholds();
    expect(fired.first('a', '2026-11-23', 0.9)).toBe(true);
    expect(fired.first('a', '2026-11-23', 0.9)).toBe(false);
    expect(fired.first('a', '2026-11-23', 1)).toBe(true);
    expect(fired.first('a', '2026-11-24', 0.9)).toBe(true);
    expect(fired.first('b', '2026-11-23', 0.9)).toBe(true);
    expect(fired.size).toBe(3);
  });

  it('for any sequence: exactly the first ask of each triple is yes while it fits, and it stays bounded', () => {
    const ask = fc.record({
      key: fc.constantFrom('a', 'b', 'c', 'shop-web'),
      day: fc.constantFrom('2026-11-23', '2026-11-24'),
      t: fc.constantFrom(0.9 as const, 1 as const),
    });
    fc.assert(
      fc.property(fc.array(ask, { maxLength: 100 }), fc.integer({ min: 1, max: 10 }), (asks, max) => {
        const fired = new FiredThresholds(max);
        const roomy = new FiredThresholds();
        const seen = new Set<string>();
        for (const a of asks) {
          const triple = `${a.key}|${a.day}|${a.t}`;
          expect(roomy.first(a.key, a.day, a.t)).toBe(!seen.has(triple));
          // A bounded memory may forget, so it may say yes again, never no to a new triple.
          const answer = fired.first(a.key, a.day, a.t);
          if (!seen.has(triple)) expect(answer).toBe(true);
          seen.add(triple);
          expect(fired.size).toBeLessThanOrEqual(max);
        }
      }),
    );
  });
});
