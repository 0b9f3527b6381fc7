// The memory store: the shared store contract, plus its own bounds.

import { storeContract } from '@tollgate/testkit/store-contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../src/decision.js';
import { createEngine } from '../src/engine.js';
import { TollgateError } from '../src/errors.js';
import type { TollgateEvent } from '../src/events.js';
import { createMemoryStore } from '../src/memory-store.js';
import type { CounterSpec } from '../src/store.js';
import { errorOf, NOON_UTC } from './fixtures.js';

storeContract('memory', { create: () => createMemoryStore() });

describe('memory store bounds', () => {
  it('keeps at most maxEntries counters, evicting the least recently used', () => {
    const store = createMemoryStore({ maxEntries: 2 });
    const far = Date.now() + 86_400_000;
    const c = (key: string) => store.consume([{ key, limit: 10, expiresAt: far, scope: 's' }], Date.now());
    c('a');
    c('b');
    c('a'); // a is now the most recent
    c('c'); // evicts b
    expect(c('a').counts).toEqual([3]);
    expect(c('b').counts).toEqual([1]);
  });

  it('follows the injected clock for expiry', () => {
    const store = createMemoryStore();
    const spec = [{ key: 'k', limit: 1, expiresAt: 1_000, scope: 's' }];
    expect(store.consume(spec, 0)).toMatchObject({ allowed: true });
    expect(store.consume(spec, 999)).toMatchObject({ allowed: false });
    expect(store.consume([{ key: 'k', limit: 1, expiresAt: 2_000, scope: 's' }], 1_000)).toMatchObject({
      allowed: true,
      counts: [1],
    });
  });

  it.each([0, -1, 1.5, Number.NaN])(
    'refuses maxEntries %s with ERR_TOLLGATE_INVALID_OPTIONS',
    (maxEntries) => {
      expect(() => createMemoryStore({ maxEntries })).toThrow(TollgateError);
      try {
        createMemoryStore({ maxEntries });
      } catch (e) {
        expect((e as TollgateError).code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
        expect((e as TollgateError).message).toMatch(/^createMemoryStore: options\.maxEntries:/);
      }
    },
  );

  it.each([0, -1, 1.5, Number.NaN])(
    'refuses maxKeyCounters %s with ERR_TOLLGATE_INVALID_OPTIONS',
    (maxKeyCounters) => {
      const e = errorOf(() => createMemoryStore({ maxKeyCounters }));
      expect(e.code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
      expect(e.message).toMatch(/^createMemoryStore: options\.maxKeyCounters:/);
    },
  );

  it('refuses an unknown option (a misspelt limit would silently be the default) and options that are no object', () => {
    const e = errorOf(() => createMemoryStore({ maxEntires: 10 } as never));
    expect(e.code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
    expect(e.message).toMatch(/^createMemoryStore: options\.maxEntires: unknown option/);
    expect(errorOf(() => createMemoryStore(null as never)).message).toMatch(/^createMemoryStore: options:/);
  });

  it('treats undefined as not given', () => {
    expect(createMemoryStore(undefined).stats()).toEqual({ keyCounters: 0, clientCounters: 0 });
    expect(() =>
      createMemoryStore({ maxEntries: undefined, maxKeyCounters: undefined } as never),
    ).not.toThrow();
  });
});

describe('key counters have a budget of their own', () => {
  const far = NOON_UTC + 86_400_000;
  const key = (name: string, limit = 10, expiresAt = far): CounterSpec => ({
    key: name,
    limit,
    expiresAt,
    scope: name,
    kind: 'key',
  });
  const client = (name: string, limit = 10): CounterSpec => ({
    key: name,
    limit,
    expiresAt: far,
    scope: name,
    kind: 'client',
  });

  it('client counters evict only client counters', () => {
    const store = createMemoryStore({ maxEntries: 2 });
    store.consume([key('daily', 100)], NOON_UTC);
    for (let i = 0; i < 50; i++) store.consume([client(`ip${i}`), key('daily', 100)], NOON_UTC);
    expect(store.consume([key('daily', 100)], NOON_UTC).counts).toEqual([52]);
    expect(store.stats()).toEqual({ keyCounters: 1, clientCounters: 2 });
  });

  it('refuses with ERR_TOLLGATE_STORE, changing nothing, when a new key counter finds the budget full', () => {
    const store = createMemoryStore({ maxKeyCounters: 2 });
    store.consume([key('a')], NOON_UTC);
    store.consume([key('b')], NOON_UTC);
    const e = errorOf(() => store.consume([client('ip'), key('c')], NOON_UTC));
    expect(e.code).toBe('ERR_TOLLGATE_STORE');
    // The client counter of the refused check was not charged, and the known keys still count.
    expect(store.consume([client('ip')], NOON_UTC).counts).toEqual([1]);
    expect(store.consume([client('ip2'), key('a')], NOON_UTC).counts).toEqual([1, 2]);
    expect(store.stats()).toEqual({ keyCounters: 2, clientCounters: 2 });
  });

  it('makes room by sweeping expired key counters', () => {
    const store = createMemoryStore({ maxKeyCounters: 2 });
    store.consume([key('yesterday-a', 10, NOON_UTC + 1)], NOON_UTC);
    store.consume([key('b')], NOON_UTC);
    expect(errorOf(() => store.consume([key('c')], NOON_UTC)).code).toBe('ERR_TOLLGATE_STORE');
    expect(store.consume([key('c')], NOON_UTC + 1).counts).toEqual([1]);
    expect(store.consume([key('b')], NOON_UTC + 1).counts).toEqual([2]);
    expect(store.stats().keyCounters).toBe(2);
  });

  it('a full key budget reaches the engine as a store_error, decided by failureMode', () => {
    const store = createMemoryStore({ maxKeyCounters: 1 });
    const events: TollgateEvent[] = [];
    const policy = {
      keys: [
        { id: 'a', key: 'pk_live_budget_a_0123', dailyLimit: 5 },
        { id: 'b', key: 'pk_live_budget_b_0123', dailyLimit: 5 },
      ],
    };
    const engine = createEngine({ policy, store, now: () => NOON_UTC, onEvent: (e) => events.push(e) });
    expect((engine.check({ apiKey: 'pk_live_budget_a_0123' }) as Decision).allowed).toBe(true);
    expect(engine.check({ apiKey: 'pk_live_budget_b_0123' })).toMatchObject({
      status: 503,
      code: 'store_unavailable',
    });
    expect(events[0]).toMatchObject({ type: 'store_error', keyId: 'b', failureMode: 'fail-closed' });
  });

  it('matches a model: key counters exact until they expire, client counters never above it', () => {
    const budget = 3;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('key' as const),
              i: fc.nat(4),
              limit: fc.integer({ min: 0, max: 6 }),
            }),
            fc.record({ op: fc.constant('client' as const), i: fc.nat(20) }),
            fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 40 }) }),
          ),
          { maxLength: 120 },
        ),
        (ops) => {
          const store = createMemoryStore({ maxEntries: 4, maxKeyCounters: budget });
          let now = 0;
          // Key counter i expires at 50 × (i + 1): some expire during the run, some do not.
          const model = new Map<number, number>();
          const clientModel = new Map<number, number>();
          for (const o of ops) {
            if (o.op === 'tick') {
              now += o.ms;
              continue;
            }
            for (const [i] of model) if (50 * (i + 1) <= now) model.delete(i);
            if (o.op === 'client') {
              const r = store.consume([client(`c${o.i}`, 1_000)], now);
              const known = clientModel.get(o.i) ?? 0;
              clientModel.set(o.i, known + 1);
              // Evicted client counters start over: never above the model, never below one.
              expect(r.counts[0]).toBeGreaterThanOrEqual(1);
              expect(r.counts[0]).toBeLessThanOrEqual(known + 1);
              continue;
            }
            const spec = key(`k${o.i}`, o.limit, 50 * (o.i + 1));
            const count = model.get(o.i);
            if (count === undefined && o.limit > 0 && model.size >= budget) {
              expect(errorOf(() => store.consume([spec], now)).code).toBe('ERR_TOLLGATE_STORE');
              continue;
            }
            const r = store.consume([spec], now);
            const before = count ?? 0;
            expect(r.allowed).toBe(before < o.limit);
            if (r.allowed) model.set(o.i, before + 1);
            expect(r.counts).toEqual([r.allowed ? before + 1 : before]);
          }
        },
      ),
    );
  });
});

describe("a spray of per-IP counters never evicts a key's own counters", () => {
  const VICTIM = 'pk_live_victim_0123456789';
  const RELAY = 'sk_live_relay_0123456789';
  const policy = {
    keys: [
      { id: 'victim', key: VICTIM, dailyLimit: 3 },
      { id: 'relay', key: RELAY, perIpDailyLimit: 2, ipForwarding: true },
    ],
  };
  /** The n-th distinct IPv4 address under 10.0.0.0/8. */
  const address = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

  it('a victim at its cap stays at its cap after 150,000 distinct X-Source-IP values on another key', () => {
    const store = createMemoryStore();
    const engine = createEngine({ policy, store, now: () => NOON_UTC });
    const check = (input: Parameters<typeof engine.check>[0]) => engine.check(input) as Decision;
    for (let i = 0; i < 3; i++) expect(check({ apiKey: VICTIM, ip: '198.51.100.1' }).allowed).toBe(true);
    expect(check({ apiKey: VICTIM, ip: '198.51.100.1' }).code).toBe('daily_limit');

    for (let n = 0; n < 150_000; n++) {
      const d = check({ apiKey: RELAY, ip: '192.0.2.10', sourceIp: address(n) });
      if (!d.allowed) throw new Error(`spray check ${n} refused: ${d.code}`);
    }

    expect(check({ apiKey: VICTIM, ip: '198.51.100.1' })).toMatchObject({
      allowed: false,
      code: 'daily_limit',
      limits: [{ name: 'daily', used: 3 }],
    });
    // Per-IP counters stay within their budget; the key's own counters are counted apart.
    expect(store.stats()).toEqual({ keyCounters: 1, clientCounters: 100_000 });
  });
});
