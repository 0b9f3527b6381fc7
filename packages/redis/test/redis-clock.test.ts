// RedisClock: Redis's clock read from reply times, never ahead of the true offset, following steps.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RedisClock } from '../src/redis-clock.js';

/** A reply: sent at `sentAt` (local), reached Redis after `to` ms, came back after `back` ms. */
const reply = fc.record({
  gap: fc.double({ min: 0, max: 5_000, noNaN: true }),
  to: fc.double({ min: 0, max: 200, noNaN: true }),
  back: fc.double({ min: 0, max: 200, noNaN: true }),
});

describe('RedisClock', () => {
  it('uses the initial offset until the first reply', () => {
    expect(new RedisClock(1_000).toRedis(5)).toBe(1_005);
  });

  it('never reads Redis’s clock later than it is, and is off by at most the fastest recent way back', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e12, max: 1e12, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.array(reply, { minLength: 1, maxLength: 50 }),
        (offset, initial, replies) => {
          const clock = new RedisClock(initial, 30_000);
          let local = 1_000;
          const seen: { at: number; back: number }[] = [];
          for (const r of replies) {
            local += r.gap;
            const redisNow = local + r.to + offset;
            const receivedAt = local + r.to + r.back;
            clock.observe(redisNow, receivedAt);
            seen.push({ at: receivedAt, back: r.back });
            // How far behind Redis's true clock the reading is (1e-3: float rounding at 1e12).
            const error = offset - clock.toRedis(0);
            // Never ahead: a deadline is never moved later than the caller's own.
            expect(error).toBeGreaterThanOrEqual(-1e-3);
            // Within the fastest way back among the replies of the current window.
            const recent = seen.filter((s) => receivedAt - s.at < 30_000);
            expect(error).toBeLessThanOrEqual(Math.min(...recent.map((s) => s.back)) + 1e-3);
          }
        },
      ),
    );
  });

  it('follows a clock that steps forward at once, and one that steps back within two windows', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.double({ min: -1e7, max: 1e7, noNaN: true }).filter((s) => Math.abs(s) > 1),
        fc.integer({ min: 1_000, max: 60_000 }),
        (offset, step, windowMs) => {
          const clock = new RedisClock(0, windowMs);
          let local = 0;
          const observe = (o: number) => {
            clock.observe(local + o, local);
            local += windowMs / 10;
          };
          for (let i = 0; i < 20; i++) observe(offset);
          observe(offset + step);
          if (step > 0) expect(clock.toRedis(0)).toBeCloseTo(offset + step, 3);
          for (let i = 0; i < 20; i++) observe(offset + step);
          expect(clock.toRedis(0)).toBeCloseTo(offset + step, 3);
        },
      ),
    );
  });

  it('ignores a reply without a usable time', () => {
    const clock = new RedisClock(7);
    clock.observe(Number.NaN, 1);
    clock.observe(1, Number.POSITIVE_INFINITY);
    expect(clock.toRedis(0)).toBe(7);
  });
});
