// The engine while its store fails and comes back: the fallback's counts, threshold events, store_error events.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../src/decision.js';
import { createEngine } from '../src/engine.js';
import type { FailureMode, StoreErrorEvent, ThresholdEvent, TollgateEvent } from '../src/events.js';
import { createMemoryStore } from '../src/memory-store.js';
import type { Store } from '../src/store.js';
import { manualClock, NOON_UTC } from './fixtures.js';

/**
 * A real store whose server can go away: the memory store behind a switch. While down, every
 * consume throws (or rejects, when async), as a Redis store does when Redis is unreachable.
 */
function switchableStore(mode: 'sync' | 'async' = 'sync') {
  const inner = createMemoryStore();
  let down = false;
  const store: Store = {
    consume(specs, now) {
      if (mode === 'async') {
        return down
          ? Promise.reject(new Error('connection is closed'))
          : Promise.resolve(inner.consume(specs, now));
      }
      if (down) throw new Error('connection is closed');
      return inner.consume(specs, now);
    },
  };
  return {
    store,
    fail: () => {
      down = true;
    },
    recover: () => {
      down = false;
    },
  };
}

const KEY = 'sk_live_fallback_0123456789';
const IP_KEY = 'sk_live_fallback_ip_0123456789';
const policy = {
  keys: [
    { id: 'capped', key: KEY, dailyLimit: 10 },
    { id: 'per-ip', key: IP_KEY, dailyLimit: 100, perIpDailyLimit: 3 },
  ],
};

function setup(failureMode: FailureMode = 'fallback', mode: 'sync' | 'async' = 'sync') {
  const s = switchableStore(mode);
  const clock = manualClock(NOON_UTC);
  const events: TollgateEvent[] = [];
  const engine = createEngine({
    policy,
    store: s.store,
    failureMode,
    now: clock.now,
    onEvent: (e) => events.push(e),
  });
  const check = (apiKey = KEY, ip = '203.0.113.5') => engine.check({ apiKey, ip }) as Decision;
  const thresholds = () =>
    events
      .filter((e): e is ThresholdEvent => e.type === 'threshold')
      .map((e) => [e.keyId, e.threshold, e.count]);
  const storeErrors = () => events.filter((e): e is StoreErrorEvent => e.type === 'store_error');
  return { ...s, clock, events, engine, check, thresholds, storeErrors };
}

describe("failureMode 'fallback' continues from the last counts the store reported", () => {
  it('cap 10, the store failing after 9: the fallback allows exactly 1 more', () => {
    const { check, fail } = setup();
    for (let i = 0; i < 9; i++) expect(check().allowed).toBe(true);
    fail();
    expect(check()).toMatchObject({
      allowed: true,
      degraded: 'fallback',
      limits: [{ name: 'daily', used: 10 }],
    });
    for (let i = 0; i < 5; i++) expect(check()).toMatchObject({ allowed: false, code: 'daily_limit' });
  });

  it('a per-IP counter continues too: 2 of 3 used on the store leaves 1 in the fallback', () => {
    const { check, fail } = setup();
    check(IP_KEY);
    check(IP_KEY);
    fail();
    expect(check(IP_KEY)).toMatchObject({
      allowed: true,
      limits: [{ name: 'ip-daily', used: 3 }, { used: 3 }],
    });
    expect(check(IP_KEY)).toMatchObject({ allowed: false, code: 'ip_daily_limit' });
    // Another address starts from what the store said about it: nothing.
    expect(check(IP_KEY, '203.0.113.6')).toMatchObject({ allowed: true, limits: [{ used: 1 }, { used: 4 }] });
  });

  it('a second outage the same day adds the first outage’s local counts to what the store says', () => {
    const { check, fail, recover } = setup();
    for (let i = 0; i < 3; i++) check();
    fail();
    check();
    check(); // 5 by this process's reckoning; the store saw 3
    recover();
    expect(check().limits[0]?.used).toBe(4); // the store does not know the fallback's two
    fail();
    expect(check().limits[0]?.used).toBe(7); // 4 from the store + 2 earlier local + this one
  });

  it('90% and 100% fire exactly once across the failure and the recovery', () => {
    const { check, fail, recover, thresholds } = setup();
    for (let i = 0; i < 9; i++) check();
    expect(thresholds()).toEqual([['capped', 0.9, 9]]);
    fail();
    for (let i = 0; i < 12; i++) check(); // 10 in the fallback, then refused
    recover();
    expect(check()).toMatchObject({ allowed: true, limits: [{ used: 10 }] }); // the store's own 10th
    check();
    expect(thresholds()).toEqual([
      ['capped', 0.9, 9],
      ['capped', 1, 10],
    ]);
  });

  it('a threshold reached first in the fallback is not fired again when the store reaches it', () => {
    const { check, clock, events, fail, recover } = setup();
    for (let i = 0; i < 8; i++) check();
    fail();
    clock.advance(1_000);
    check(); // 9: 90% in the fallback
    recover();
    clock.advance(1_000);
    check(); // the store's 9th
    check(); // the store's 10th
    expect(events.filter((e) => e.type === 'threshold').map((e) => [e.threshold, e.at])).toEqual([
      [0.9, NOON_UTC + 1_000],
      [1, NOON_UTC + 2_000],
    ]);
  });

  it('with an async store, the same', async () => {
    const { engine, fail, recover, thresholds } = setup('fallback', 'async');
    const check = () => Promise.resolve(engine.check({ apiKey: KEY, ip: '203.0.113.5' }));
    for (let i = 0; i < 9; i++) await check();
    fail();
    expect(await check()).toMatchObject({ allowed: true, degraded: 'fallback', limits: [{ used: 10 }] });
    expect(await check()).toMatchObject({ allowed: false, code: 'daily_limit' });
    recover();
    await check();
    expect(thresholds()).toEqual([
      ['capped', 0.9, 9],
      ['capped', 1, 10],
    ]);
  });

  it('any sequence of failures and recoveries: the model’s decisions, and each threshold exactly once', () => {
    const CAP = 10;
    const IP_CAP = 4;
    const WARN = Math.ceil(0.9 * CAP);
    const ips = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.constant('fail' as const), fc.constant('recover' as const), fc.nat(ips.length - 1)),
          {
            maxLength: 120,
          },
        ),
        (ops) => {
          const s = switchableStore();
          const events: TollgateEvent[] = [];
          const engine = createEngine({
            policy: { keys: [{ id: 'm', key: KEY, dailyLimit: CAP, perIpDailyLimit: IP_CAP }] },
            store: s.store,
            failureMode: 'fallback',
            now: () => NOON_UTC,
            onEvent: (e) => events.push(e),
          });
          // The model: the store's counts, the last counts it reported, and this process's local counts.
          let down = false;
          const store = new Map<string, number>();
          const seen = new Map<string, number>();
          const local = new Map<string, number>();
          let most = 0;
          for (const op of ops) {
            if (op === 'fail' || op === 'recover') {
              down = op === 'fail';
              if (down) s.fail();
              else s.recover();
              continue;
            }
            const names = [`ip${op}`, 'daily'];
            const caps = [IP_CAP, CAP];
            const d = engine.check({ apiKey: KEY, ip: ips[op] }) as Decision;
            let counts: number[];
            if (!down) {
              const room = names.every((n, i) => (store.get(n) ?? 0) < (caps[i] as number));
              if (room) for (const n of names) store.set(n, (store.get(n) ?? 0) + 1);
              counts = names.map((n) => store.get(n) ?? 0);
              for (const [i, n] of names.entries())
                seen.set(n, Math.max(seen.get(n) ?? 0, counts[i] as number));
              expect(d.allowed).toBe(room);
              expect(d.degraded).toBeUndefined();
            } else {
              const total = (n: string) => (seen.get(n) ?? 0) + (local.get(n) ?? 0);
              const room = names.every((n, i) => total(n) < (caps[i] as number));
              if (room) for (const n of names) local.set(n, (local.get(n) ?? 0) + 1);
              counts = names.map(total);
              expect(d.allowed).toBe(room);
              expect(d.degraded).toBe(room ? 'fallback' : undefined);
            }
            expect(d.limits.map((l) => l.used)).toEqual(counts);
            if (d.allowed) most = Math.max(most, counts[1] as number);
          }
          const fired = events
            .filter((e): e is ThresholdEvent => e.type === 'threshold')
            .map((e) => e.threshold);
          expect(fired).toEqual([...(most >= WARN ? [0.9] : []), ...(most >= CAP ? [1] : [])]);
        },
      ),
      // Each run builds an engine and its stores (about 0.1 s): fewer runs, longer sequences.
      { numRuns: 30 },
    );
  });
});

describe('store_error events are coalesced per engine: the first at once, then at most one a second', () => {
  it.each(['fail-closed', 'fail-open', 'fallback'] as const)(
    '%s: 300 failed checks over 3 s make 4 events whose counts add up to 300',
    (failureMode) => {
      const { check, clock, fail, recover, storeErrors } = setup(failureMode);
      fail();
      for (let t = 0; t < 3_000; t += 10) {
        clock.set(NOON_UTC + t);
        check(t % 20 === 0 ? KEY : IP_KEY);
      }
      // The last 99 are held until the store answers a check a second after the last event.
      expect(storeErrors().map((e) => [e.count, e.at - NOON_UTC])).toEqual([
        [1, 0],
        [100, 1_000],
        [100, 2_000],
      ]);
      recover();
      clock.set(NOON_UTC + 2_500);
      check();
      expect(storeErrors()).toHaveLength(3);
      clock.set(NOON_UTC + 3_000);
      check();
      const all = storeErrors();
      expect(all.map((e) => [e.count, e.at - NOON_UTC])).toEqual([
        [1, 0],
        [100, 1_000],
        [100, 2_000],
        [99, 2_990],
      ]);
      expect(all.every((e) => e.failureMode === failureMode && e.message === 'connection is closed')).toBe(
        true,
      );
      // keyId names the key of the last failed check the event counts.
      expect(all.map((e) => e.keyId)).toEqual(['capped', 'capped', 'capped', 'per-ip']);
    },
  );

  it('a failure after a quiet second is reported at once', () => {
    const { check, clock, fail, recover, storeErrors } = setup();
    fail();
    check();
    recover();
    clock.advance(5_000);
    check();
    fail();
    check();
    expect(storeErrors().map((e) => [e.count, e.at - NOON_UTC])).toEqual([
      [1, 0],
      [1, 5_000],
    ]);
  });

  it('fail-closed still answers each failed check with its own 503 and refused event', () => {
    const { check, fail, events } = setup('fail-closed');
    fail();
    for (let i = 0; i < 5; i++) expect(check()).toMatchObject({ status: 503, code: 'store_unavailable' });
    expect(events.map((e) => e.type)).toEqual([
      'store_error',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
    ]);
  });
});
