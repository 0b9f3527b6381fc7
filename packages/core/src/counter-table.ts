// Bounded in-process counters: a key's own counters in a budget of their own, per-client counters in an LRU.

import { LRUCache } from 'lru-cache';
import type { CounterSpec } from './store.js';

/** One counter's value and the instant it may be forgotten. */
export interface Counter {
  count: number;
  expiresAt: number;
}

/** How many counters a {@link CounterTable} holds, by kind. */
export interface CounterTableStats {
  /** A key's own counters (`kind: 'key'`), expired ones not yet swept included. */
  readonly keyCounters: number;
  /** Per-client counters (`kind: 'client'` or no kind). */
  readonly clientCounters: number;
}

/**
 * Counters by counter key, in two budgets. A key's own counters (`kind: 'key'`) are never
 * evicted: there are only so many keys, and forgetting one hands its cap out again the same
 * day. When their budget is full, expired ones are swept; if none has expired there is no room
 * and the caller decides (the memory store refuses the check). Per-client counters (one per
 * address a caller chooses to send) live in an LRU of their own, so a spray of addresses on
 * one key pushes out only other per-client counters.
 *
 * Expired counters are dropped when read, and key counters also by the sweep, so the table
 * keeps no timers and follows whatever clock its caller passes.
 *
 * @example
 * const table = new CounterTable(100_000, 100_000);
 * if (table.get(spec, now) === undefined && table.hasRoom(spec, 1, now)) table.add(spec, 0);
 */
export class CounterTable {
  private readonly keyCounters = new Map<string, Counter>();
  private readonly clientCounters: LRUCache<string, Counter>;
  /** The earliest `expiresAt` among key counters: before it, a sweep would free nothing. */
  private nextKeyExpiry = Number.POSITIVE_INFINITY;

  constructor(
    maxClientCounters: number,
    private readonly maxKeyCounters: number,
  ) {
    this.clientCounters = new LRUCache<string, Counter>({ max: maxClientCounters });
  }

  /** The live counter of `spec`, or undefined (an expired one is dropped here). */
  get(spec: CounterSpec, now: number): Counter | undefined {
    // Two call sites, one per map type, keep each lookup monomorphic on the hot path.
    if (spec.kind === 'key') {
      const c = this.keyCounters.get(spec.key);
      if (c === undefined || c.expiresAt > now) return c;
      this.keyCounters.delete(spec.key);
      return undefined;
    }
    const c = this.clientCounters.get(spec.key);
    if (c === undefined || c.expiresAt > now) return c;
    this.clientCounters.delete(spec.key);
    return undefined;
  }

  /**
   * Whether `added` new counters of `spec`'s kind fit. Per-client counters always fit (the LRU
   * makes room); key counters fit while their budget has room, after sweeping expired ones
   * when it has not.
   */
  hasRoom(spec: CounterSpec, added: number, now: number): boolean {
    if (spec.kind !== 'key') return true;
    if (this.keyCounters.size + added <= this.maxKeyCounters) return true;
    if (now < this.nextKeyExpiry) return false;
    this.sweepKeyCounters(now);
    return this.keyCounters.size + added <= this.maxKeyCounters;
  }

  /**
   * Creates `spec`'s counter at `count`. For a key counter the caller has checked
   * {@link hasRoom}; a per-client counter may evict the least recently used one.
   */
  add(spec: CounterSpec, count: number): Counter {
    const c: Counter = { count, expiresAt: spec.expiresAt };
    if (spec.kind === 'key') {
      this.keyCounters.set(spec.key, c);
      if (spec.expiresAt < this.nextKeyExpiry) this.nextKeyExpiry = spec.expiresAt;
    } else {
      this.clientCounters.set(spec.key, c);
    }
    return c;
  }

  stats(): CounterTableStats {
    return { keyCounters: this.keyCounters.size, clientCounters: this.clientCounters.size };
  }

  clear(): void {
    this.keyCounters.clear();
    this.clientCounters.clear();
    this.nextKeyExpiry = Number.POSITIVE_INFINITY;
  }

  // O(key counters), but at most once per expiry instant while the budget stays full: after a
  // sweep that frees nothing, `nextKeyExpiry` is in the future again.
  private sweepKeyCounters(now: number): void {
    let next = Number.POSITIVE_INFINITY;
    for (const [key, c] of this.keyCounters) {
      if (c.expiresAt <= now) this.keyCounters.delete(key);
      else if (c.expiresAt < next) next = c.expiresAt;
    }
    this.nextKeyExpiry = next;
  }
}
