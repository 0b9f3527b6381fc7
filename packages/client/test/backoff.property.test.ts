// The retry schedule: bounded, caps never shrinking, jitter inside [0, cap), and the client keeping to it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCap, backoffDelay } from '../src/backoff.js';
import { createClient } from '../src/index.js';

const attempt = fc.nat({ max: 2000 });
const schedule = fc
  .record({
    base: fc.double({ min: 0, max: 1e6, noNaN: true }),
    extra: fc.double({ min: 0, max: 1e7, noNaN: true }),
  })
  .map(({ base, extra }) => ({ base, max: base + extra }));

describe('backoffCap and backoffDelay', () => {
  it('documented values: doubling from the base, stopping at the maximum', () => {
    expect([0, 1, 2, 3, 5, 6, 60].map((n) => backoffCap(n, 500, 20_000))).toEqual([
      500, 1000, 2000, 4000, 16_000, 20_000, 20_000,
    ]);
    expect(backoffDelay(2, 500, 20_000, () => 0.5)).toBe(1000);
    expect(backoffDelay(2, 500, 20_000, () => 0)).toBe(0);
  });

  it('every cap is finite and between 0 and maxDelayMs', () => {
    fc.assert(
      fc.property(attempt, schedule, (n, { base, max }) => {
        const cap = backoffCap(n, base, max);
        expect(Number.isFinite(cap)).toBe(true);
        expect(cap).toBeGreaterThanOrEqual(0);
        expect(cap).toBeLessThanOrEqual(max);
      }),
    );
  });

  it('caps never decrease from one attempt to the next', () => {
    fc.assert(
      fc.property(attempt, schedule, (n, { base, max }) => {
        expect(backoffCap(n + 1, base, max)).toBeGreaterThanOrEqual(backoffCap(n, base, max));
      }),
    );
  });

  it('the jittered delay is a whole number in [0, cap), and below the cap for any random()', () => {
    fc.assert(
      fc.property(
        attempt,
        schedule,
        fc.oneof(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.double()),
        (n, { base, max }, r) => {
          const cap = backoffCap(n, base, max);
          const delay = backoffDelay(n, base, max, () => r);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(cap);
          if (cap >= 1) expect(delay).toBeLessThan(cap);
        },
      ),
    );
  });
});

describe('the client keeps to the schedule', () => {
  it('never sleeps past a cap, makes at most maxAttempts attempts, and stays inside maxElapsedMs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          maxAttempts: fc.integer({ min: 1, max: 8 }),
          baseDelayMs: fc.integer({ min: 0, max: 5000 }),
          extra: fc.integer({ min: 0, max: 60_000 }),
          maxElapsedMs: fc.integer({ min: 0, max: 120_000 }),
        }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 8,
          maxLength: 8,
        }),
        async ({ maxAttempts, baseDelayMs, extra, maxElapsedMs }, randoms) => {
          let t = 0;
          let calls = 0;
          const sleeps: number[] = [];
          const client = createClient({
            baseUrl: 'https://api.example.com',
            apiKey: 'pk_test_schedule_key',
            retry: { maxAttempts, baseDelayMs, maxDelayMs: baseDelayMs + extra, maxElapsedMs },
            fetch: async () => {
              calls++;
              return new Response(null, { status: 503 });
            },
            now: () => t,
            sleep: async (ms) => {
              sleeps.push(ms);
              t += ms;
            },
            random: () => randoms[sleeps.length] ?? 0,
          });
          expect((await client('/x')).status).toBe(503);
          expect(calls).toBeLessThanOrEqual(maxAttempts);
          expect(sleeps).toHaveLength(calls - 1);
          sleeps.forEach((ms, i) => {
            expect(ms).toBeLessThanOrEqual(backoffCap(i, baseDelayMs, baseDelayMs + extra));
          });
          expect(t).toBeLessThanOrEqual(maxElapsedMs);
        },
      ),
      { numRuns: 60 },
    );
  });
});
