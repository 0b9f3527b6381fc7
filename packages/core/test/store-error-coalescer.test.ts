// Coalescing store failures into store_error events: every failure counted once, events a second apart.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoreErrorEvent } from '../src/events.js';
import { StoreErrorCoalescer } from '../src/store-error-coalescer.js';

const T0 = 1_795_435_200_000;

describe('StoreErrorCoalescer', () => {
  it('reports the first failure at once, then what was held once a second has passed', () => {
    const c = new StoreErrorCoalescer('fail-closed');
    expect(c.failed('a', 'down', T0)).toMatchObject({
      count: 1,
      keyId: 'a',
      at: T0,
      failureMode: 'fail-closed',
    });
    expect(c.failed('b', 'down', T0 + 10)).toBeUndefined();
    expect(c.failed('c', 'timed out', T0 + 999)).toBeUndefined();
    expect(c.holding).toBe(true);
    expect(c.failed('d', 'timed out', T0 + 1_000)).toEqual({
      type: 'store_error',
      keyId: 'd',
      message: 'timed out',
      failureMode: 'fail-closed',
      count: 3,
      at: T0 + 1_000,
    });
    expect(c.holding).toBe(false);
  });

  it('reports failures held when the store came back on the first answer a second after the last event', () => {
    const c = new StoreErrorCoalescer('fallback');
    c.failed('a', 'down', T0);
    c.failed('b', 'down', T0 + 300);
    expect(c.answered(T0 + 400)).toBeUndefined();
    expect(c.answered(T0 + 1_000)).toMatchObject({ count: 1, keyId: 'b', at: T0 + 300 });
    expect(c.answered(T0 + 5_000)).toBeUndefined();
  });

  it('treats a clock that went back by more than the interval as time passed', () => {
    const c = new StoreErrorCoalescer('fail-open');
    c.failed('a', 'down', T0);
    expect(c.failed('a', 'down', T0 - 500)).toBeUndefined();
    expect(c.failed('a', 'down', T0 - 1_001)).toMatchObject({ count: 2 });
  });

  it('for any sequence: each failure in exactly one event, events an interval apart, none lost', () => {
    const step = fc.record({
      failed: fc.boolean(),
      dt: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 3_000 })),
    });
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 200 }),
        fc.integer({ min: 1, max: 2_000 }),
        (steps, interval) => {
          const c = new StoreErrorCoalescer('fail-closed', interval);
          let t = T0;
          let failures = 0;
          let quietSince = Number.NEGATIVE_INFINITY;
          const emitted: { event: StoreErrorEvent; when: number }[] = [];
          for (const s of steps) {
            t += s.dt;
            const wasHolding = c.holding;
            const event = s.failed ? c.failed(`k${failures}`, 'down', t) : c.answered(t);
            if (s.failed) {
              failures += 1;
              // A failure with nothing held, a full interval after the last event, is reported at once.
              if (!wasHolding && t - quietSince >= interval) expect(event).toMatchObject({ count: 1, at: t });
            }
            if (event !== undefined) {
              expect(event.count).toBeGreaterThanOrEqual(1);
              emitted.push({ event, when: t });
              quietSince = t;
            }
          }
          const last = c.answered(t + interval);
          if (last !== undefined) emitted.push({ event: last, when: t + interval });
          expect(c.holding).toBe(false);
          expect(emitted.reduce((n, e) => n + e.event.count, 0)).toBe(failures);
          for (let i = 1; i < emitted.length; i++) {
            expect((emitted[i]?.when as number) - (emitted[i - 1]?.when as number)).toBeGreaterThanOrEqual(
              interval,
            );
          }
        },
      ),
    );
  });
});
