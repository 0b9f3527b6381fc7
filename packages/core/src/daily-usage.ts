// Each key's daily count and cap as this process last saw them, for the usage gauges read at collection time.

import type { LimitState } from './decision.js';

/** Most key ids remembered; past it the least recently seen is forgotten (it returns with its next request). */
const MAX_KEYS = 10_000;

/** One key's daily counter as last seen. */
export interface DailyUsage {
  /** Allowed requests counted today. */
  readonly used: number;
  /** The key's daily cap. */
  readonly limit: number;
  /** Epoch ms of the key's next midnight, when `used` starts again from 0. */
  readonly resetAt: number;
}

/**
 * The newest daily count and cap per key id, fed from decisions and read by the metric
 * callbacks. Only the key-wide `daily` limit is kept: a per-IP count would need the address
 * as a label, and then every request could create a series.
 *
 * @example
 * const usage = new DailyUsageTable();
 * usage.note('shop-web', decision.limits);
 * for (const [keyId, { used, limit }] of usage.current(Date.now())) gauge.observe(used, { keyId });
 */
export class DailyUsageTable {
  private readonly byKey = new Map<string, DailyUsage>();

  constructor(private readonly maxKeys: number = MAX_KEYS) {}

  /** Takes the `daily` state out of a decision's limits, when there is one. */
  note(keyId: string, limits: readonly LimitState[]): void {
    for (const state of limits) {
      if (state.name !== 'daily') continue;
      const held = this.byKey.get(keyId);
      if (held !== undefined && !supersedes(held, state)) return;
      // Delete first so the Map's order is least recently seen first, the one to forget.
      this.byKey.delete(keyId);
      if (this.byKey.size >= this.maxKeys) {
        const oldest = this.byKey.keys().next();
        if (oldest.done !== true) this.byKey.delete(oldest.value);
      }
      this.byKey.set(keyId, { used: state.used, limit: state.limit, resetAt: state.resetAt });
      return;
    }
  }

  /** Every key's count and cap at `now`: a count whose day has ended reads 0, as the counter does. */
  *current(now: number): IterableIterator<[string, DailyUsage]> {
    for (const [keyId, u] of this.byKey) yield [keyId, now >= u.resetAt ? { ...u, used: 0 } : u];
  }

  /** How many keys are held. */
  get size(): number {
    return this.byKey.size;
  }
}

/**
 * Whether `next` should replace `held`. Within one day window the higher count wins: with an
 * asynchronous store, checks complete out of order and an earlier count can arrive last, while
 * the store's count only grows. Ties go to `next`, so a cap changed by a reload shows at once.
 * A different window (the next day, or another time zone after a reload) always replaces.
 */
export function supersedes(held: DailyUsage, next: DailyUsage): boolean {
  return next.resetAt !== held.resetAt || next.used >= held.used;
}
