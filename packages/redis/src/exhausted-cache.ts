// The last counts Redis reported, so checks on counters known full are refused without a round trip.

import type { ConsumeResult, CounterSpec } from '@tollgate/core';

interface Known {
  /** The counter's value in Redis's latest answer about it. */
  count: number;
  /** Its reset instant: the count means nothing from then on. */
  expiresAt: number;
}

/**
 * A bounded map from counter key to the count Redis last reported for it. A counter only grows
 * until its reset instant (its key names its day), so once Redis has reported it at its
 * limit, every check on it until `expiresAt` would be refused: answering those here is exact,
 * and it keeps an exhausted key's traffic (often the heaviest, from a client retrying) off
 * Redis. The other counts of such a refusal are the last ones Redis reported, or 0 for a
 * counter this process has not seen: exact while one process does all the counting, possibly
 * behind when several share Redis (they only feed the refusal's RateLimit headers).
 *
 * When full, the entry inserted longest ago goes first; a full counter is moved to the back
 * each time it answers a check, so the counters being refused stay while a spray of new
 * addresses passes through. A dropped entry only costs one round trip to learn it again.
 *
 * @example
 * const cache = new ExhaustedCache(10_000);
 * cache.remember(spec, 1000);
 * cache.refusal([spec], Date.now()); // { allowed: false, refusedBy: 0, counts: [1000] }
 */
export class ExhaustedCache {
  private readonly known = new Map<string, Known>();

  constructor(private readonly maxEntries: number) {}

  /** How many counters are remembered. */
  get size(): number {
    return this.known.size;
  }

  /**
   * The refusal Redis would give, when one of `specs` is known to be at or over its limit at
   * `now`; undefined when Redis must be asked. A counter's value is its last reported count,
   * or 0 when unseen; as counts only grow until the reset instant, a counter full by that value
   * is full in Redis too (a limit of 0 is full unseen).
   */
  refusal(specs: readonly CounterSpec[], now: number): ConsumeResult | undefined {
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i] as CounterSpec;
      const entry = this.live(spec.key, now);
      // A limit raised since (a policy reload) makes the counter usable again.
      if ((entry?.count ?? 0) < spec.limit) continue;
      if (entry !== undefined) {
        this.known.delete(spec.key);
        this.known.set(spec.key, entry);
      }
      const counts = specs.map((s) => this.live(s.key, now)?.count ?? 0);
      return { allowed: false, refusedBy: i, counts };
    }
    return undefined;
  }

  /** Records what Redis reported about `spec`. */
  remember(spec: CounterSpec, count: number): void {
    if (this.maxEntries === 0) return;
    const entry = this.known.get(spec.key);
    if (entry !== undefined) {
      entry.count = count;
      entry.expiresAt = spec.expiresAt;
      return;
    }
    if (this.known.size >= this.maxEntries) {
      const oldest = this.known.keys().next();
      if (oldest.done !== true) this.known.delete(oldest.value);
    }
    this.known.set(spec.key, { count, expiresAt: spec.expiresAt });
  }

  clear(): void {
    this.known.clear();
  }

  // Entries past their reset instant are dropped when read, so the cache needs no timer.
  private live(key: string, now: number): Known | undefined {
    const entry = this.known.get(key);
    if (entry !== undefined && entry.expiresAt <= now) {
      this.known.delete(key);
      return undefined;
    }
    return entry;
  }
}
