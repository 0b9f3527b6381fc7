// The store contract: one suite every Store implementation must pass (memory, Redis, ...).

import type { CounterSpec, Store } from '@tollgate/core';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

/** Builds a fresh, empty store for one test; `dispose` releases it. */
export interface StoreFactory {
  create(): Store | Promise<Store>;
  dispose?(store: Store): void | Promise<void>;
}

let unique = 0;
/** A counter key no other test (or earlier run against a shared server) has used. */
function freshKey(label: string): string {
  unique += 1;
  return `contract-${process.pid}-${Date.now().toString(36)}-${unique}:${label}`;
}

const DAY = 86_400_000;
/** A counter's reset instant is fixed (the end of its key's day), as the engine hands it out. */
const TOMORROW = Date.now() + DAY;
const SCOPE = `contract-${process.pid}-${Date.now().toString(36)}`;

/**
 * Registers the contract suite for a store.
 *
 * @example
 * storeContract('memory', { create: () => createMemoryStore() });
 */
export function storeContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    const created: Store[] = [];
    beforeEach(async () => {
      store = await factory.create();
      created.push(store);
    });
    afterAll(async () => {
      for (const s of created) await factory.dispose?.(s);
    });

    // One scope for the whole suite: any counters may then be consumed together.
    const spec = (
      key: string,
      limit: number,
      expiresAt = TOMORROW,
      kind?: CounterSpec['kind'],
    ): CounterSpec => ({
      key,
      limit,
      expiresAt,
      scope: SCOPE,
      ...(kind === undefined ? {} : { kind }),
    });

    it('allows a check with no counters', async () => {
      const r = await store.consume([], Date.now());
      expect(r).toEqual({ allowed: true, refusedBy: -1, counts: [] });
    });

    it('counts up to the limit, then refuses without incrementing', async () => {
      const k = freshKey('one');
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await store.consume([spec(k, 3)], Date.now());
        expect(r.allowed).toBe(true);
        seen.push(r.counts[0] as number);
      }
      expect(seen).toEqual([1, 2, 3]);
      for (let i = 0; i < 2; i++) {
        const r = await store.consume([spec(k, 3)], Date.now());
        expect(r).toEqual({ allowed: false, refusedBy: 0, counts: [3] });
      }
    });

    it('refuses at once when the limit is 0', async () => {
      const r = await store.consume([spec(freshKey('zero'), 0)], Date.now());
      expect(r).toEqual({ allowed: false, refusedBy: 0, counts: [0] });
    });

    it('is all-or-nothing over two counters: a full first counter charges neither', async () => {
      const ip = freshKey('ip');
      const daily = freshKey('daily');
      await store.consume([spec(ip, 1), spec(daily, 10)], Date.now());
      const r = await store.consume([spec(ip, 1), spec(daily, 10)], Date.now());
      expect(r).toEqual({ allowed: false, refusedBy: 0, counts: [1, 1] });
      const other = freshKey('ip2');
      const r2 = await store.consume([spec(other, 5), spec(daily, 10)], Date.now());
      expect(r2).toEqual({ allowed: true, refusedBy: -1, counts: [1, 2] });
    });

    it('is all-or-nothing over two counters: a full second counter charges neither', async () => {
      const ip = freshKey('ip');
      const daily = freshKey('daily');
      await store.consume([spec(freshKey('other'), 5), spec(daily, 1)], Date.now());
      const r = await store.consume([spec(ip, 5), spec(daily, 1)], Date.now());
      expect(r).toEqual({ allowed: false, refusedBy: 1, counts: [0, 1] });
      const r2 = await store.consume([spec(ip, 5)], Date.now());
      expect(r2.counts).toEqual([1]);
    });

    it('keeps counters apart by key', async () => {
      const a = freshKey('a');
      const b = freshKey('b');
      await store.consume([spec(a, 10)], Date.now());
      await store.consume([spec(a, 10)], Date.now());
      const r = await store.consume([spec(b, 10)], Date.now());
      expect(r.counts).toEqual([1]);
    });

    it('forgets a counter once its reset instant has passed', async () => {
      const k = freshKey('expiring');
      const expiresAt = Date.now() + 150;
      await store.consume([spec(k, 1, expiresAt)], Date.now());
      expect((await store.consume([spec(k, 1, expiresAt)], Date.now())).allowed).toBe(false);
      await new Promise((r) => setTimeout(r, 300));
      const later = Date.now();
      const r = await store.consume([spec(k, 1, later + DAY)], later);
      expect(r).toEqual({ allowed: true, refusedBy: -1, counts: [1] });
    });

    it('is exact under concurrent consumes: exactly `limit` allowed, each count handed out once', async () => {
      const ip = freshKey('ip');
      const daily = freshKey('daily');
      const results = await Promise.all(
        Array.from({ length: 120 }, () => store.consume([spec(ip, 1000), spec(daily, 37)], Date.now())),
      );
      const allowed = results.filter((r) => r.allowed);
      expect(allowed).toHaveLength(37);
      expect(allowed.map((r) => r.counts[1]).sort((x, y) => (x as number) - (y as number))).toEqual(
        Array.from({ length: 37 }, (_, i) => i + 1),
      );
      expect(results.filter((r) => !r.allowed).every((r) => r.refusedBy === 1 && r.counts[1] === 37)).toBe(
        true,
      );
    });

    it('matches a reference model for any sequence of checks, whatever kind each counter is', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { minLength: 1, maxLength: 40 }),
          fc.array(fc.nat(4), { minLength: 4, maxLength: 4 }),
          fc.array(fc.constantFrom('key' as const, 'client' as const, undefined), {
            minLength: 4,
            maxLength: 4,
          }),
          async (ops, limits, kinds) => {
            const keys = limits.map((_, i) => freshKey(`model${i}`));
            const model = keys.map(() => 0);
            for (const [a, b] of ops) {
              const idx = a === b ? [a] : [a, b];
              const r = await store.consume(
                idx.map((i) => spec(keys[i] as string, limits[i] as number, TOMORROW, kinds[i])),
                Date.now(),
              );
              const firstFull = idx.findIndex((i) => (model[i] as number) >= (limits[i] as number));
              expect(r.allowed).toBe(firstFull === -1);
              expect(r.refusedBy).toBe(firstFull);
              if (firstFull === -1) for (const i of idx) model[i] = (model[i] as number) + 1;
              expect(r.counts).toEqual(idx.map((i) => model[i]));
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it('clear() forgets every counter, when the store offers it', async () => {
      if (store.clear === undefined) return;
      const k = freshKey('clear');
      await store.consume([spec(k, 1)], Date.now());
      await store.clear();
      expect((await store.consume([spec(k, 1)], Date.now())).allowed).toBe(true);
    });
  });
}
