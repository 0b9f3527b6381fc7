// Unusual activity: per key, kind and minute, exactly once past the limit; bounded memory.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActivityMonitor, type UnusualActivityEvent } from '../src/activity-monitor.js';
import { createEngine } from '../src/engine.js';
import { TollgateError } from '../src/errors.js';
import type { AuthFailureEvent, RefusalEvent, TollgateEvent } from '../src/events.js';
import { examplePolicy, manualClock, NOON_UTC, WEB_KEY } from './fixtures.js';

const MINUTE = 60_000;
// NOON_UTC is on a minute boundary: T0 starts a window.
const T0 = NOON_UTC;

function refused(
  keyId: string,
  at: number,
  code: RefusalEvent['code'] = 'origin_not_allowed',
): TollgateEvent {
  return {
    type: 'refused',
    code,
    status: code === 'store_unavailable' ? 503 : 403,
    keyId,
    ip: '203.0.113.9',
    at,
  };
}

function authFailure(at: number, extra: { keyId?: string; keyHash?: string } = {}): TollgateEvent {
  const event: AuthFailureEvent = {
    type: 'auth_failure',
    code: 'unknown_key',
    status: 401,
    ip: '198.51.100.1',
    at,
  };
  // The engine is to add keyHash (and possibly keyId) to auth failures; the monitor reads them loosely.
  return { ...event, ...extra } as TollgateEvent;
}

/** Feeds events in order and returns the unusual-activity events, each with its input index. */
function run(monitor: ReturnType<typeof createActivityMonitor>, events: readonly TollgateEvent[]) {
  const out: { index: number; event: UnusualActivityEvent }[] = [];
  events.forEach((e, index) => {
    const u = monitor.observe(e);
    if (u !== undefined) out.push({ index, event: u });
  });
  return out;
}

describe('refusals', () => {
  it('count == limit emits nothing; limit + 1 emits once, on that event', () => {
    const monitor = createActivityMonitor({ refusalsPerMinute: 3 });
    const events = Array.from({ length: 3 }, (_, i) => refused('shop-web', T0 + i * 1000));
    expect(run(monitor, events)).toEqual([]);
    expect(monitor.observe(refused('shop-web', T0 + 4000))).toEqual({
      type: 'unusual_activity',
      kind: 'refusals',
      keyId: 'shop-web',
      count: 4,
      limit: 3,
      windowStart: T0,
      at: T0 + 4000,
    });
    // ...and never again in that minute, however many follow.
    expect(
      run(
        monitor,
        Array.from({ length: 20 }, (_, i) => refused('shop-web', T0 + 5000 + i * 100)),
      ),
    ).toEqual([]);
  });

  it('counts fixed calendar minutes, starting over in the next one', () => {
    const monitor = createActivityMonitor({ refusalsPerMinute: 2 });
    // Three within 2 seconds, but across a minute boundary: 2 + 1, no event.
    expect(
      run(monitor, [
        refused('shop-web', T0 + MINUTE - 1500),
        refused('shop-web', T0 + MINUTE - 1),
        refused('shop-web', T0 + MINUTE),
      ]),
    ).toEqual([]);
    // The next minute fills up on its own and fires once.
    expect(
      run(monitor, [refused('shop-web', T0 + MINUTE + 10), refused('shop-web', T0 + MINUTE + 20)]),
    ).toEqual([{ index: 1, event: expect.objectContaining({ count: 3, windowStart: T0 + MINUTE }) }]);
    // A later minute fires again.
    const later = Array.from({ length: 3 }, (_, i) => refused('shop-web', T0 + 5 * MINUTE + i));
    expect(run(monitor, later).map((u) => u.event.windowStart)).toEqual([T0 + 5 * MINUTE]);
  });

  it('keeps keys independent', () => {
    const monitor = createActivityMonitor({ refusalsPerMinute: 2 });
    const events = [
      refused('a', T0),
      refused('b', T0 + 1),
      refused('a', T0 + 2),
      refused('b', T0 + 3),
      refused('a', T0 + 4), // a: 3
      refused('c', T0 + 5),
      refused('b', T0 + 6), // b: 3
    ];
    expect(run(monitor, events).map((u) => [u.index, u.event.keyId])).toEqual([
      [4, 'a'],
      [6, 'b'],
    ]);
  });

  it('does not count store_unavailable (an outage), keyless refusals or other event types', () => {
    const monitor = createActivityMonitor({ refusalsPerMinute: 1 });
    const others: TollgateEvent[] = [
      refused('a', T0, 'store_unavailable'),
      refused('a', T0 + 1, 'store_unavailable'),
      { type: 'threshold', keyId: 'a', threshold: 0.9, count: 9, limit: 10, day: '2026-11-23', at: T0 + 2 },
      { type: 'store_error', keyId: 'a', message: 'down', failureMode: 'fail-closed', count: 1, at: T0 + 3 },
      // Refused before the key was read (plain HTTP): no key to count it for.
      { type: 'refused', code: 'https_required', status: 403, at: T0 + 4 } as unknown as TollgateEvent,
      { type: 'refused', code: 'https_required', status: 403, at: T0 + 5 } as unknown as TollgateEvent,
    ];
    expect(run(monitor, others)).toEqual([]);
    expect(monitor.size).toBe(0);
    expect(
      run(monitor, [refused('a', T0 + 4, 'daily_limit'), refused('a', T0 + 5, 'ip_daily_limit')]),
    ).toHaveLength(1);
  });

  it('counts a straggler for its own minute, and starts over when the clock goes back', () => {
    const monitor = createActivityMonitor({ refusalsPerMinute: 2 });
    // Minute 0 has 2; an event of minute 1 arrives; then a late one of minute 0 takes it to 3.
    expect(run(monitor, [refused('a', T0), refused('a', T0 + 1), refused('a', T0 + MINUTE)])).toEqual([]);
    expect(monitor.observe(refused('a', T0 + 2))).toMatchObject({ windowStart: T0, count: 3 });
    // The clock jumps back ten minutes: counting starts over there.
    const back = T0 - 10 * MINUTE;
    expect(run(monitor, [refused('a', back), refused('a', back + 1), refused('a', back + 2)])).toEqual([
      { index: 2, event: expect.objectContaining({ windowStart: back, count: 3 }) },
    ]);
  });
});

describe('authentication failures', () => {
  it('groups failures without keyId or keyHash into one bucket, reported with neither', () => {
    const monitor = createActivityMonitor({ authFailuresPerMinute: 2 });
    const events = [authFailure(T0), authFailure(T0 + 1), authFailure(T0 + 2)];
    const [unusual, ...rest] = run(monitor, events);
    expect(rest).toEqual([]);
    expect(unusual?.event).toEqual({
      type: 'unusual_activity',
      kind: 'auth_failures',
      count: 3,
      limit: 2,
      windowStart: T0,
      at: T0 + 2,
    });
  });

  it('counts per keyHash when the event carries one, apart from the catch-all bucket and from refusals', () => {
    const monitor = createActivityMonitor({ authFailuresPerMinute: 1, refusalsPerMinute: 1 });
    const events = [
      authFailure(T0, { keyHash: '5c0f1a2b3c4d' }),
      authFailure(T0 + 1, { keyHash: 'ffee00112233' }),
      authFailure(T0 + 2),
      refused('5c0f1a2b3c4d', T0 + 3), // a policy id that looks like a hash shares nothing
      authFailure(T0 + 4, { keyHash: '5c0f1a2b3c4d' }),
      authFailure(T0 + 5, { keyId: 'shop-web' }),
      authFailure(T0 + 6, { keyId: 'shop-web' }),
    ];
    expect(run(monitor, events)).toEqual([
      {
        index: 4,
        event: expect.objectContaining({ kind: 'auth_failures', keyHash: '5c0f1a2b3c4d', count: 2 }),
      },
      { index: 6, event: expect.objectContaining({ kind: 'auth_failures', keyId: 'shop-web', count: 2 }) },
    ]);
    expect(run(monitor, [refused('shop-web', T0 + 7), refused('shop-web', T0 + 8)])).toEqual([
      { index: 1, event: expect.objectContaining({ kind: 'refusals', keyId: 'shop-web' }) },
    ]);
  });

  it('never copies anything but a short hash into the event', () => {
    const monitor = createActivityMonitor({ authFailuresPerMinute: 1 });
    const long = `${WEB_KEY}${'x'.repeat(64)}`;
    const out = run(monitor, [authFailure(T0, { keyHash: long }), authFailure(T0 + 1, { keyHash: long })]);
    expect(out).toHaveLength(1);
    expect(out[0]?.event).not.toHaveProperty('keyHash');
    expect(JSON.stringify(out)).not.toContain(WEB_KEY);
  });

  it('watches a real engine: a repeated unknown key raises one event, with no key in it', () => {
    const monitor = createActivityMonitor({ authFailuresPerMinute: 3 });
    const unusual: UnusualActivityEvent[] = [];
    const clock = manualClock(T0);
    const engine = createEngine({
      policy: examplePolicy(),
      now: clock.now,
      onEvent: (e) => {
        const u = monitor.observe(e);
        if (u !== undefined) unusual.push(u);
      },
    });
    for (let i = 0; i < 10; i++) {
      engine.check({ apiKey: 'pk_live_guess_000000', ip: '198.51.100.1' });
      clock.advance(1000);
    }
    expect(unusual).toHaveLength(1);
    expect(unusual[0]).toMatchObject({ type: 'unusual_activity', kind: 'auth_failures', count: 4, limit: 3 });
    // The engine names an unknown key by a short hash prefix, if at all.
    expect(unusual[0]?.keyHash ?? '0123456789ab').toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(unusual)).not.toContain('pk_live_');
  });
});

describe('bounded tracking', () => {
  it('holds at most maxTrackedKeys counts, forgetting the least recently seen', () => {
    const monitor = createActivityMonitor({ refusalsPerMinute: 2, maxTrackedKeys: 3 });
    run(monitor, [refused('a', T0), refused('b', T0 + 1), refused('c', T0 + 2)]);
    expect(monitor.size).toBe(3);
    // Touching a count already held evicts nothing, and makes it the most recently seen.
    run(monitor, [refused('b', T0 + 3), refused('a', T0 + 4)]); // order now c, b, a
    expect(monitor.size).toBe(3);
    monitor.observe(refused('d', T0 + 5)); // pushes out c, the least recently seen
    expect(monitor.size).toBe(3);
    // a kept its count: its third refusal crosses the limit.
    expect(monitor.observe(refused('a', T0 + 6))).toMatchObject({ keyId: 'a', count: 3 });
    // c was forgotten and counts from zero: it takes three more to cross.
    const again = run(monitor, [refused('c', T0 + 7), refused('c', T0 + 8), refused('c', T0 + 9)]);
    expect(again).toEqual([{ index: 2, event: expect.objectContaining({ keyId: 'c', count: 3 }) }]);
  });

  it('stays bounded under a flood of distinct unknown keys, and drops old minutes', () => {
    const monitor = createActivityMonitor({ maxTrackedKeys: 1000 });
    let largest = 0;
    for (let i = 0; i < 20_000; i++) {
      monitor.observe(authFailure(T0 + (i % 50), { keyHash: i.toString(16).padStart(12, '0') }));
      largest = Math.max(largest, monitor.size);
    }
    expect(largest).toBe(1000);
    expect(monitor.size).toBe(1000);
    monitor.observe(refused('a', T0 + MINUTE)); // minute 0 is now kept only for stragglers
    expect(monitor.size).toBeLessThanOrEqual(1000);
    monitor.observe(refused('a', T0 + 3 * MINUTE)); // minutes 0 and 1 are dropped
    expect(monitor.size).toBe(1);
  });
});

describe('options', () => {
  it('defaults both limits to 60 a minute', () => {
    const monitor = createActivityMonitor();
    const out = run(
      monitor,
      Array.from({ length: 61 }, (_, i) => refused('a', T0 + i)),
    );
    expect(out).toEqual([{ index: 60, event: expect.objectContaining({ limit: 60, count: 61 }) }]);
    expect(createActivityMonitor({}).observe(authFailure(T0))).toBeUndefined();
  });

  it.each([
    [{ refusalsPerMinute: 0 }, 'createActivityMonitor: options.refusalsPerMinute'],
    [{ refusalsPerMinute: -5 }, 'createActivityMonitor: options.refusalsPerMinute'],
    [{ authFailuresPerMinute: 1.5 }, 'createActivityMonitor: options.authFailuresPerMinute'],
    [
      { authFailuresPerMinute: Number.POSITIVE_INFINITY },
      'createActivityMonitor: options.authFailuresPerMinute',
    ],
    [{ authFailuresPerMinute: '10' }, 'createActivityMonitor: options.authFailuresPerMinute'],
    [{ maxTrackedKeys: 0 }, 'createActivityMonitor: options.maxTrackedKeys'],
    [{ refusalPerMinute: 10 }, 'createActivityMonitor: options.refusalPerMinute'],
    [null, 'createActivityMonitor: options'],
    [[], 'createActivityMonitor: options'],
  ])('rejects %j with ERR_TOLLGATE_INVALID_OPTIONS naming the field', (options, field) => {
    try {
      createActivityMonitor(options as never);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TollgateError);
      expect((e as TollgateError).code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
      expect((e as TollgateError).message.startsWith(`${field}:`)).toBe(true);
    }
  });

  it('treats undefined fields as not given', () => {
    expect(() =>
      createActivityMonitor({ refusalsPerMinute: undefined, authFailuresPerMinute: undefined }),
    ).not.toThrow();
  });
});

describe('properties', () => {
  const KEYS = ['a', 'b', 'c'];
  const HASHES = ['0123456789ab', 'ba9876543210'];
  /** One of: a refusal of a key, an auth failure per hash, or an auth failure in the catch-all bucket. */
  const eventSpec = fc.record({
    kind: fc.constantFrom('refused', 'auth-hash', 'auth-none', 'store'),
    key: fc.constantFrom(...KEYS),
    hash: fc.constantFrom(...HASHES),
    // Mostly small gaps, so that minutes fill up, with the odd jump over a minute or more.
    gap: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 3_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 150_000 }) },
    ),
    // How late an event may arrive: within the minute before the newest seen, as with an async store.
    late: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: MINUTE })),
  });
  const limits = fc.record({
    refusals: fc.integer({ min: 1, max: 6 }),
    auth: fc.integer({ min: 1, max: 6 }),
  });

  type Spec = typeof eventSpec extends fc.Arbitrary<infer T> ? T : never;

  function build(specs: readonly Spec[], lateness: boolean) {
    let t = T0;
    let newest = T0;
    return specs.map((s) => {
      t += s.gap;
      newest = Math.max(newest, t);
      const at = lateness ? Math.max(t - s.late, Math.floor(newest / MINUTE) * MINUTE - MINUTE) : t;
      if (s.kind === 'refused') return refused(s.key, at);
      if (s.kind === 'store') return refused(s.key, at, 'store_unavailable');
      return authFailure(at, s.kind === 'auth-hash' ? { keyHash: s.hash } : {});
    });
  }

  /** The model: what each (kind, key, minute) counted, and which index took it past the limit. */
  function model(events: readonly TollgateEvent[], limit: { refusals: number; auth: number }) {
    const counts = new Map<string, number>();
    const crossing = new Map<string, number>();
    events.forEach((e, i) => {
      let id: string;
      let max: number;
      if (e.type === 'refused') {
        if (e.code === 'store_unavailable') return;
        id = `refusals/${e.keyId}`;
        max = limit.refusals;
      } else if (e.type === 'auth_failure') {
        id = `auth_failures/${(e as { keyHash?: string }).keyHash ?? '-'}`;
        max = limit.auth;
      } else {
        return;
      }
      const group = `${id}/${Math.floor(e.at / MINUTE) * MINUTE}`;
      const n = (counts.get(group) ?? 0) + 1;
      counts.set(group, n);
      if (n === max + 1) crossing.set(group, i);
    });
    return { counts, crossing };
  }

  const groupOf = (u: UnusualActivityEvent) => `${u.kind}/${u.keyId ?? u.keyHash ?? '-'}/${u.windowStart}`;

  it.each([
    ['in order', false],
    ['with stragglers up to a minute late', true],
  ])('%s: one event per (key, kind, minute) exactly when its count exceeds the limit', (_, lateness) => {
    fc.assert(
      fc.property(fc.array(eventSpec, { maxLength: 150 }), limits, (specs, limit) => {
        const events = build(specs, lateness);
        const monitor = createActivityMonitor({
          refusalsPerMinute: limit.refusals,
          authFailuresPerMinute: limit.auth,
        });
        const out = run(monitor, events);
        const expected = model(events, limit);

        const seen = new Map<string, number>();
        for (const { index, event } of out) {
          const group = groupOf(event);
          expect(seen.has(group), `second event for ${group}`).toBe(false);
          seen.set(group, index);
          expect(event.count).toBe(event.limit + 1);
          expect(event.limit).toBe(event.kind === 'refusals' ? limit.refusals : limit.auth);
        }
        // = 1 iff count > limit, and on the event that crossed it.
        for (const [group, n] of expected.counts) {
          const max = group.startsWith('refusals/') ? limit.refusals : limit.auth;
          expect(seen.has(group), `${group}: ${n} events, limit ${max}`).toBe(n > max);
        }
        expect(seen).toEqual(expected.crossing);
      }),
    );
  });
});
