// The embedded store: bounded in-process counters on lru-cache, synchronous and fast.

import { LRUCache } from 'lru-cache';
import { TollgateError } from './errors.js';
import type { ConsumeResult, CounterSpec, Store } from './store.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most counters kept at once; the least recently used go first. Default 100_000.
   * An evicted counter starts again from zero, so size it above the number of keys plus
   * the distinct IPs you expect per day (each counter costs roughly 150 bytes).
   */
  maxEntries?: number;
}

/** The memory store answers synchronously: no promise on the hot path. */
export interface MemoryStore extends Store {
  consume(counters: readonly CounterSpec[], now: number): ConsumeResult;
  clear(): void;
}

interface Counter {
  count: number;
  expiresAt: number;
}

const ALLOWED_NO_COUNTERS: ConsumeResult = { allowed: true, refusedBy: -1, counts: [] };

/**
 * A store for one process. Counters live in an LRU map bounded by `maxEntries` and are
 * forgotten at their reset instant.
 *
 * @example
 * const engine = createEngine({ policy, store: createMemoryStore({ maxEntries: 1_000_000 }) });
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new TollgateError(
      'ERR_TOLLGATE_INVALID_OPTIONS',
      `memoryStore.maxEntries: expected a positive integer, got ${String(maxEntries)}`,
    );
  }
  const counters = new LRUCache<string, Counter>({ max: maxEntries });

  // Reads a live counter; an expired one is dropped here rather than by a timer, so the
  // store keeps no timers and follows the injected clock exactly.
  const live = (key: string, now: number): Counter | undefined => {
    const c = counters.get(key);
    if (c !== undefined && c.expiresAt <= now) {
      counters.delete(key);
      return undefined;
    }
    return c;
  };

  return {
    consume(specs: readonly CounterSpec[], now: number): ConsumeResult {
      if (specs.length === 0) return ALLOWED_NO_COUNTERS;
      const found: (Counter | undefined)[] = new Array(specs.length);
      for (let i = 0; i < specs.length; i++) {
        const spec = specs[i] as CounterSpec;
        const c = live(spec.key, now);
        if ((c?.count ?? 0) >= spec.limit) {
          const counts = specs.map((s, j) =>
            j < i ? (found[j]?.count ?? 0) : (live(s.key, now)?.count ?? 0),
          );
          return { allowed: false, refusedBy: i, counts };
        }
        found[i] = c;
      }
      // JavaScript runs this synchronously, so test-and-increment is atomic within the process.
      const counts = new Array<number>(specs.length);
      for (let i = 0; i < specs.length; i++) {
        const spec = specs[i] as CounterSpec;
        const c = found[i];
        if (c === undefined) {
          counters.set(spec.key, { count: 1, expiresAt: spec.expiresAt });
          counts[i] = 1;
        } else {
          c.count += 1;
          counts[i] = c.count;
        }
      }
      return { allowed: true, refusedBy: -1, counts };
    },
    clear(): void {
      counters.clear();
    },
  };
}
