// The silence detector: a connection is judged dead only after silentMs of timeouts with no answer between.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SilenceDetector } from '../src/silence-detector.js';

type Event = { kind: 'answer' } | { kind: 'timeout'; at: number };

/** Events at non-decreasing times: answers, and timeouts at the running clock. */
const events = fc
  .array(
    fc.oneof(
      fc.constant<{ kind: 'answer'; step: number }>({ kind: 'answer', step: 0 }),
      fc.record({ kind: fc.constant('timeout' as const), step: fc.integer({ min: 0, max: 700 }) }),
    ),
    { maxLength: 200 },
  )
  .map((raw) => {
    let now = 0;
    return raw.map((e): Event => {
      now += e.step;
      return e.kind === 'answer' ? { kind: 'answer' } : { kind: 'timeout', at: now };
    });
  });
const silentMsArb = fc.integer({ min: 1, max: 3_000 });

/** Feeds the events; returns, per event, whether it signalled a rebuild. */
function run(list: readonly Event[], silentMs: number): boolean[] {
  const detector = new SilenceDetector();
  return list.map((e) => {
    if (e.kind === 'answer') {
      detector.answered();
      return false;
    }
    return detector.timedOut(e.at, silentMs);
  });
}

describe('SilenceDetector', () => {
  it('signals at the first timeout silentMs into a run of timeouts with no answer, then starts afresh', () => {
    fc.assert(
      fc.property(events, silentMsArb, (list, silentMs) => {
        // The reference: a stretch starts at a timeout after an answer, a signal or the start.
        const expected: boolean[] = [];
        let start: number | undefined;
        for (const e of list) {
          if (e.kind === 'answer') {
            start = undefined;
            expected.push(false);
          } else if (start === undefined) {
            start = e.at;
            expected.push(false);
          } else if (e.at - start >= silentMs) {
            start = undefined;
            expected.push(true);
          } else {
            expected.push(false);
          }
        }
        expect(run(list, silentMs)).toEqual(expected);
      }),
    );
  });

  it('never signals when an answer came less than silentMs before, nor twice within silentMs', () => {
    fc.assert(
      fc.property(events, silentMsArb, (list, silentMs) => {
        const signals = run(list, silentMs);
        let lastAnswerAt = Number.NEGATIVE_INFINITY;
        let lastSignalAt = Number.NEGATIVE_INFINITY;
        let now = 0;
        list.forEach((e, i) => {
          if (e.kind === 'answer') {
            lastAnswerAt = now;
            return;
          }
          now = e.at;
          if (!signals[i]) return;
          expect(now - lastAnswerAt).toBeGreaterThanOrEqual(silentMs);
          expect(now - lastSignalAt).toBeGreaterThanOrEqual(silentMs);
          lastSignalAt = now;
        });
      }),
    );
  });

  it('takes two timeouts silentMs apart: sparse traffic never looks silent', () => {
    const detector = new SilenceDetector();
    expect(detector.timedOut(0, 1_000)).toBe(false);
    expect(detector.timedOut(999, 1_000)).toBe(false);
    expect(detector.timedOut(1_000, 1_000)).toBe(true);
    // A fresh stretch: one lone timeout an hour later is not silence.
    expect(detector.timedOut(3_600_000, 1_000)).toBe(false);
    detector.answered();
    expect(detector.timedOut(3_601_500, 1_000)).toBe(false);
  });

  it('starts a new stretch when the clock goes back', () => {
    const detector = new SilenceDetector();
    expect(detector.timedOut(5_000, 1_000)).toBe(false);
    expect(detector.timedOut(1_000, 1_000)).toBe(false);
    expect(detector.timedOut(1_900, 1_000)).toBe(false);
    expect(detector.timedOut(2_000, 1_000)).toBe(true);
  });
});
