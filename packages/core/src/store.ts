// The storage interface: one atomic, all-or-nothing consume over the counters of one check.

/** One daily counter to test and increment. */
export interface CounterSpec {
  /** Full counter key, including the key's local day, so a new day starts a new counter. */
  readonly key: string;
  /** The cap: the counter may be incremented only while its value is below it. */
  readonly limit: number;
  /**
   * Epoch ms when the counter may be forgotten (the next local midnight). Always the same for
   * a given `key` until then, as the key names its day; a store may treat a spec with the same
   * key and another `expiresAt` as a new counter.
   */
  readonly expiresAt: number;
  /**
   * The key and day the counter belongs to. Counters consumed together always share it, so a
   * partitioned store (Redis Cluster) can keep one check's counters on one shard.
   */
  readonly scope: string;
  /**
   * Whose counter this is, so a bounded store knows what it may forget. `'key'`: one of the
   * key's own counters (its daily count), of which a key has a fixed number per window, so
   * their number is bounded by the keys in use. `'client'`: one of the counters a key has per
   * value a caller sends (per IP address), whose number the callers choose. Absent means
   * `'client'`. The memory store never evicts `'key'` counters to make room for `'client'`
   * ones; a store that forgets nothing early (Redis with `noeviction`) may ignore it.
   */
  readonly kind?: 'key' | 'client';
}

/** What {@link Store.consume} reports. */
export interface ConsumeResult {
  /** True when every counter had room and all were incremented. */
  readonly allowed: boolean;
  /** Index in `counters` of the first counter that was full, or -1 when allowed. */
  readonly refusedBy: number;
  /** Each counter's value after the operation (incremented when allowed, untouched otherwise). */
  readonly counts: readonly number[];
}

/**
 * A place to keep daily counters. `consume` must be atomic: either every counter is below
 * its limit and every counter is incremented, or nothing changes. That is what makes a
 * refused request cost nothing and keeps caps exact across processes. A store answers
 * synchronously when it can (the memory store) or with a promise (Redis): callers handle both.
 *
 * @example
 * const r = await store.consume([{ key: 'k:2026-11-23', limit: 100, expiresAt }], Date.now());
 */
export interface Store {
  consume(counters: readonly CounterSpec[], now: number): ConsumeResult | Promise<ConsumeResult>;
  /**
   * True for a store shared between processes (Redis): the engine then warns when client
   * addresses would be stored in clear (no `ipHashSecret`). Optional.
   */
  readonly shared?: boolean;
  /** Forget every counter (tests, admin tools). Optional. */
  clear?(): void | Promise<void>;
  /** Release connections and timers. Optional. */
  close?(): void | Promise<void>;
}
