// The fallback's local counts: on top of the store's last counts, atomic, the store's counts never lowered.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FallbackCounts } from '../src/fallback-store.js';
import type { CounterSpec } from '../src/store.js';
import { NOON_UTC } from './fixtures.js';

const END = NOON_UTC + 12 * 3_600_000;
const spec = (key: string, limit: number, kind: CounterSpec['kind'] = 'key'): CounterSpec => ({
  key,
  limit,
  expiresAt: END,
  scope: 's',
  kind,
});

describe('FallbackCounts', () => {
  it('continues from the count the store last reported', () => {
    const f = new FallbackCounts();
    const daily = spec('daily', 10);
    f.observe([daily], { allowed: true, refusedBy: -1, counts: [9] }, NOON_UTC);
    expect(f.consume([daily], NOON_UTC)).toEqual({
      allowed: true,
      refusedBy: -1,
      counts: [10],
      storeCounts: [9],
    });
    expect(f.consume([daily], NOON_UTC)).toMatchObject({ allowed: false, refusedBy: 0, counts: [10] });
  });

  it('keeps the highest count reported: a refusal from a cache may report less', () => {
    const f = new FallbackCounts();
    const ip = spec('ip', 5, 'client');
    const daily = spec('daily', 10);
    f.observe([ip, daily], { allowed: true, refusedBy: -1, counts: [2, 8] }, NOON_UTC);
    f.observe([ip, daily], { allowed: false, refusedBy: 0, counts: [5, 0] }, NOON_UTC);
    expect(f.consume([spec('ip2', 5, 'client'), daily], NOON_UTC)).toMatchObject({ counts: [1, 9] });
  });

  it('forgets a count at its reset instant', () => {
    const f = new FallbackCounts();
    const daily = spec('daily', 10);
    f.observe([daily], { allowed: true, refusedBy: -1, counts: [10] }, NOON_UTC);
    expect(f.consume([daily], END - 1).allowed).toBe(false);
    expect(f.consume([{ ...daily, expiresAt: END + 86_400_000 }], END)).toMatchObject({ counts: [1] });
  });

  it('for any sequence: allowed exactly while store count + local count < limit, all or nothing', () => {
    const op = fc.oneof(
      fc.record({ observe: fc.constant(true), i: fc.nat(2), count: fc.nat(8) }),
      fc.record({ observe: fc.constant(false), a: fc.nat(2), b: fc.nat(2) }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 60 }),
        fc.array(fc.nat(6), { minLength: 3, maxLength: 3 }),
        (ops, limits) => {
          const f = new FallbackCounts();
          const specs = limits.map((l, i) => spec(`c${i}`, l, i === 0 ? 'key' : 'client'));
          const reported = [0, 0, 0];
          const local = [0, 0, 0];
          for (const o of ops) {
            if (o.observe) {
              f.observe(
                [specs[o.i] as CounterSpec],
                { allowed: true, refusedBy: -1, counts: [o.count] },
                NOON_UTC,
              );
              reported[o.i] = Math.max(reported[o.i] as number, o.count);
              continue;
            }
            const idx = o.a === o.b ? [o.a] : [o.a, o.b];
            const r = f.consume(
              idx.map((i) => specs[i] as CounterSpec),
              NOON_UTC,
            );
            const total = (i: number) => (reported[i] as number) + (local[i] as number);
            const firstFull = idx.findIndex((i) => total(i) >= (limits[i] as number));
            expect(r.allowed).toBe(firstFull === -1);
            expect(r.refusedBy).toBe(firstFull);
            if (r.allowed) for (const i of idx) local[i] = (local[i] as number) + 1;
            expect(r.counts).toEqual(idx.map(total));
            expect(r.storeCounts).toEqual(idx.map((i) => reported[i]));
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
