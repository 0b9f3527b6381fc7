// The embedded store: bounded in-process counters, synchronous and fast.

import { CounterTable, type CounterTableStats } from './counter-table.js';
import { TollgateError } from './errors.js';
import { type KnownOptions, readOptions } from './option-reader.js';
import type { ConsumeResult, CounterSpec, Store } from './store.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most per-client counters (per-IP counters: `kind: 'client'`, or no kind) kept at once; the
   * least recently used go first. Default 100_000. An evicted counter starts again from zero,
   * so size it above the distinct addresses you expect per day (each counter costs roughly
   * 150 bytes). A key's own counters are not counted here and never evicted by these.
   */
  maxEntries?: number;
  /**
   * Most counters of keys themselves (daily counters: `kind: 'key'`) kept at once. Default
   * 100_000. They are never evicted: a key has one per capped window, so they are bounded by
   * the number of keys in use, and forgetting one would give the key its cap again the same
   * day. When the budget is full and none has expired, a check that needs a new one fails
   * with `ERR_TOLLGATE_STORE` (a `store_error` event, then the engine's `failureMode`
   * decides) rather than forget a count. Set it above the number of capped keys.
   */
  maxKeyCounters?: number;
}

/** How many counters a memory store holds, by kind. */
export type MemoryStoreStats = CounterTableStats;

/** The memory store answers synchronously: no promise on the hot path. */
export interface MemoryStore extends Store {
  consume(counters: readonly CounterSpec[], now: number): ConsumeResult;
  clear(): void;
  /**
   * How many counters are held, by kind (monitoring, tests).
   *
   * @example
   * store.stats(); // { keyCounters: 12, clientCounters: 48_210 }
   */
  stats(): MemoryStoreStats;
}

const ALLOWED_NO_COUNTERS: ConsumeResult = { allowed: true, refusedBy: -1, counts: [] };
const DEFAULT_MAX_ENTRIES = 100_000;
const DEFAULT_MAX_KEY_COUNTERS = 100_000;
const KNOWN_OPTIONS = { maxEntries: true, maxKeyCounters: true } as const satisfies KnownOptions<
  keyof MemoryStoreOptions
>;

/**
 * A store for one process. Per-client counters live in an LRU bounded by `maxEntries`; a
 * key's own counters in a budget of their own (`maxKeyCounters`), so no amount of per-IP
 * traffic can push a key's daily count out. Counters are forgotten at their reset instant.
 *
 * @example
 * const engine = createEngine({ policy, store: createMemoryStore({ maxEntries: 1_000_000 }) });
 */
export function createMemoryStore(options?: MemoryStoreOptions): MemoryStore {
  const o = readOptions('createMemoryStore', options, KNOWN_OPTIONS, {
    expected: 'an object',
    optional: true,
  });
  const maxEntries = o.integer('maxEntries', { min: 1, default: DEFAULT_MAX_ENTRIES });
  const maxKeyCounters = o.integer('maxKeyCounters', { min: 1, default: DEFAULT_MAX_KEY_COUNTERS });
  const table = new CounterTable(maxEntries, maxKeyCounters);
  return {
    consume(specs: readonly CounterSpec[], now: number): ConsumeResult {
      return consumeIn(table, specs, now);
    },
    clear(): void {
      table.clear();
    },
    stats: () => table.stats(),
  };
}

/**
 * The memory store's atomic consume over a counter table. Throws `ERR_TOLLGATE_STORE`, before
 * changing anything, when a key counter is needed and its budget is full.
 */
function consumeIn(table: CounterTable, specs: readonly CounterSpec[], now: number): ConsumeResult {
  if (specs.length === 0) return ALLOWED_NO_COUNTERS;
  const found = new Array<ReturnType<CounterTable['get']>>(specs.length);
  let newKeyCounters = 0;
  let newKeySpec: CounterSpec | undefined;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i] as CounterSpec;
    const c = table.get(spec, now);
    if ((c?.count ?? 0) >= spec.limit) {
      const counts = specs.map((s, j) => (j < i ? (found[j]?.count ?? 0) : (table.get(s, now)?.count ?? 0)));
      return { allowed: false, refusedBy: i, counts };
    }
    if (c === undefined && spec.kind === 'key') {
      newKeyCounters += 1;
      newKeySpec = spec;
    }
    found[i] = c;
  }
  if (newKeySpec !== undefined && !table.hasRoom(newKeySpec, newKeyCounters, now)) {
    // Refuse rather than forget: a key counter dropped to make room would be a reset cap.
    throw new TollgateError(
      'ERR_TOLLGATE_STORE',
      'memory store: no room for another key counter (maxKeyCounters is reached)',
    );
  }
  // JavaScript runs this synchronously, so test-and-increment is atomic within the process.
  const counts = new Array<number>(specs.length);
  for (let i = 0; i < specs.length; i++) {
    const c = found[i];
    if (c === undefined) {
      table.add(specs[i] as CounterSpec, 1);
      counts[i] = 1;
    } else {
      c.count += 1;
      counts[i] = c.count;
    }
  }
  return { allowed: true, refusedBy: -1, counts };
}
