// The local counts of failureMode 'fallback': each counter starts from the last count the store reported for it.

import { CounterTable } from './counter-table.js';
import { createMemoryStore, type MemoryStore } from './memory-store.js';
import type { ConsumeResult, CounterSpec } from './store.js';

/** What {@link FallbackCounts.consume} reports: a consume result, and what it started from. */
export interface FallbackResult extends ConsumeResult {
  /** Each counter's last count from the store, which `counts` include. */
  readonly storeCounts: readonly number[];
}

/** Most remembered counts of each kind, as the memory store's defaults. */
const MAX_REMEMBERED = 100_000;

/**
 * Counts checks in this process while the store is failing, continuing from what the store
 * last said. Every answer the store gives is remembered, per counter (the highest count it
 * reported: a counter only grows until it resets); a counter checked here is then allowed
 * while the store's last count plus what this process allowed locally that day is below its
 * limit, and its count is that sum. So with a cap of 10 and the store gone after 9, one more
 * is allowed here, not ten.
 *
 * The local counts are kept for the day: the store never learns them, so after a recovery
 * the store can hand out those counts again, and a second outage the same day starts from
 * the store's count plus the local ones. Both memories are bounded like the memory store
 * (per-client counts in an LRU, a key's own counts in a budget of their own); a counter
 * whose store count was not remembered starts from zero.
 *
 * @example
 * const fallback = new FallbackCounts();
 * fallback.observe(specs, await store.consume(specs, now), now); // while the store answers
 * fallback.consume(specs, now); // when it fails
 */
export class FallbackCounts {
  /** The highest count the store reported for each counter. */
  private readonly reported = new CounterTable(MAX_REMEMBERED, MAX_REMEMBERED);
  /** What this process allowed on its own, per counter; created on the first failure. */
  private local: MemoryStore | undefined;

  /** Remembers the counts of a store's answer about `specs`. */
  observe(specs: readonly CounterSpec[], result: ConsumeResult, now: number): void {
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i] as CounterSpec;
      const count = result.counts[i] ?? 0;
      const known = this.reported.get(spec, now);
      if (known !== undefined) {
        // A refusal answered from a cache may report an older, lower count: keep the highest.
        if (count > known.count) known.count = count;
      } else if (count > 0 && this.reported.hasRoom(spec, 1, now)) {
        this.reported.add(spec, count);
      }
    }
  }

  /**
   * Consumes `specs` locally, atomically, on top of the store's last counts. Throws
   * `ERR_TOLLGATE_STORE` when the local key-counter budget is full.
   */
  consume(specs: readonly CounterSpec[], now: number): FallbackResult {
    this.local ??= createMemoryStore({ maxEntries: MAX_REMEMBERED, maxKeyCounters: MAX_REMEMBERED });
    const storeCounts = specs.map((s) => this.reported.get(s, now)?.count ?? 0);
    // The local counter may only grow to what the store's count leaves of the limit.
    const room = specs.map((s, i) => {
      const base = storeCounts[i] as number;
      return base === 0 ? s : { ...s, limit: Math.max(0, s.limit - base) };
    });
    const r = this.local.consume(room, now);
    return {
      allowed: r.allowed,
      refusedBy: r.refusedBy,
      counts: r.counts.map((c, i) => c + (storeCounts[i] as number)),
      storeCounts,
    };
  }
}
