// RedisClock: Redis's clock read from reply times, as close as the best round trip allows, following steps at once.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RedisClock } from '../src/redis-clock.js';

/** A reply: sent `gap` ms after the last one, reached Redis after `to` ms, came back after `back` ms. */
const reply = fc.record({
  gap: fc.double({ min: 0, max: 5_000, noNaN: true }),
  to: fc.double({ min: 0, max: 200, noNaN: true }),
  back: fc.double({ min: 0, max: 200, noNaN: true }),
});

/** Feeds replies from a Redis whose clock is `offset(local)` ahead; returns what each gave the clock. */
function feed(
  clock: RedisClock,
  replies: { gap: number; to: number; back: number }[],
  offset: (t: number) => number,
) {
  let local = 1_000;
  return replies.map((r) => {
    local += r.gap;
    const ranAt = local + r.to;
    // Redis reports whole ms, rounded down.
    const redisNow = Math.floor(ranAt + offset(ranAt));
    clock.observe(redisNow, local, ranAt + r.back);
    return { at: ranAt + r.back, rtt: r.to + r.back, error: clock.toRedis(0) - offset(ranAt) };
  });
}

describe('RedisClock', () => {
  it('uses the initial offset until the first reply', () => {
    expect(new RedisClock(1_000).toRedis(5)).toBe(1_005);
  });

  it('is off by at most half the shortest round trip of the last window (and the 1 ms Redis rounds to)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.array(reply, { minLength: 1, maxLength: 50 }),
        (offset, initial, replies) => {
          const seen = feed(new RedisClock(initial, 30_000), replies, () => offset);
          seen.forEach((s, i) => {
            const recent = seen.slice(0, i + 1).filter((p) => s.at - p.at < 30_000);
            // 1e-3: float rounding at 1e12.
            expect(Math.abs(s.error)).toBeLessThanOrEqual(
              Math.min(...recent.map((p) => p.rtt)) / 2 + 1 + 1e-3,
            );
          });
        },
      ),
    );
  });

  it('is exact to the ms when the way there and back take the same time, whatever the delay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.array(fc.double({ min: 0, max: 500, noNaN: true }), { minLength: 1 }),
        (offset, delays) => {
          const seen = feed(
            new RedisClock(0),
            delays.map((d) => ({ gap: 10, to: d, back: d })),
            () => offset,
          );
          for (const s of seen) expect(Math.abs(s.error)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('follows a clock set forward or back at the first reply that rules the old reading out', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.integer({ min: -1e7, max: 1e7 }).filter((s) => Math.abs(s) > 50),
        fc.array(
          reply.map((r) => ({ ...r, to: r.to / 10, back: r.back / 10 })),
          { minLength: 2, maxLength: 20 },
        ),
        (offset, step, replies) => {
          const clock = new RedisClock(0);
          let steppedAt = Number.POSITIVE_INFINITY;
          const seen = feed(clock, replies, (t) => {
            if (steppedAt === Number.POSITIVE_INFINITY && t > 1_000 + (replies[0]?.gap ?? 0) + 100)
              steppedAt = t;
            return t >= steppedAt ? offset + step : offset;
          });
          // Round trips here are at most 40 ms and the step over 50: every reply rules out a stale reading.
          for (const s of seen) expect(Math.abs(s.error)).toBeLessThanOrEqual(21 + 1e-3);
        },
      ),
    );
  });

  it('ignores a reply without a usable time', () => {
    const clock = new RedisClock(7);
    clock.observe(Number.NaN, 0, 1);
    clock.observe(1, 0, Number.POSITIVE_INFINITY);
    clock.observe(1, 5, 4);
    expect(clock.toRedis(0)).toBe(7);
  });
});
