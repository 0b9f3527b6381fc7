// "Unusual activity": notices when one key's refusals or authentication failures in a minute exceed a rate.

import type { TollgateEvent } from './events.js';
import { type KnownOptions, type OptionReader, readOptions } from './option-reader.js';

/**
 * One key had more refusals, or more authentication failures, in one calendar minute (UTC,
 * by the events' `at`) than its limit allows. Emitted exactly once per key, kind and minute,
 * on the event that took the count past the limit. Never holds a key, a token or an address.
 */
export interface UnusualActivityEvent {
  readonly type: 'unusual_activity';
  /** `'refusals'`: `refused` events of a known key; `'auth_failures'`: `auth_failure` events. */
  readonly kind: 'refusals' | 'auth_failures';
  /** The policy id, when the key is known. */
  readonly keyId?: string;
  /**
   * For authentication failures of an unknown key: a short hash prefix of that key, when the
   * engine supplies one. With neither `keyId` nor `keyHash`, the count is of every
   * authentication failure without one (missing keys, and unknown keys when not hashed).
   */
  readonly keyHash?: string;
  /** Events of this kind for this key in the minute so far: `limit + 1`. */
  readonly count: number;
  /** The per-minute limit that was exceeded. */
  readonly limit: number;
  /** Epoch ms of the start of the minute. */
  readonly windowStart: number;
  /** The `at` of the event that crossed the limit. */
  readonly at: number;
}

/**
 * Options of {@link createActivityMonitor} (the engine's `unusualActivity` option).
 *
 * @example
 * createActivityMonitor({ refusalsPerMinute: 120, authFailuresPerMinute: 20 });
 */
export interface ActivityMonitorOptions {
  /**
   * Refusals of one key in one minute above which `unusual_activity` is emitted. Every
   * `refused` event of a key counts (403, 400 and 429 alike) except 503 `store_unavailable`,
   * which is an outage reported by `store_error`, not something the caller did. Refusals with
   * no key id (`https_required`) are not counted. Default: 60.
   */
  refusalsPerMinute?: number | undefined;
  /**
   * Authentication failures (401) in one minute above which `unusual_activity` is emitted,
   * counted per `keyId` or `keyHash` when the event has one, else all together. Default: 60.
   */
  authFailuresPerMinute?: number | undefined;
  /**
   * Most (key, kind) counts held at once; beyond it the least recently seen are forgotten, so
   * a flood of distinct unknown keys cannot grow memory without bound. A forgotten key counts
   * from zero when it comes back, so "once per minute" holds for every key only while fewer
   * keys than this are active in a minute. Default: 10 000.
   */
  maxTrackedKeys?: number | undefined;
}

/**
 * Counts refusals and authentication failures per key per minute.
 *
 * @example
 * const monitor = createActivityMonitor({ refusalsPerMinute: 30 });
 * onEvent: (e) => { const unusual = monitor.observe(e); if (unusual) alert(unusual); }
 */
export interface ActivityMonitor {
  /**
   * Counts one event and returns an `unusual_activity` event when it is the one that takes
   * its key past the limit for its minute; otherwise `undefined`. Events of other types are
   * ignored.
   */
  observe(event: TollgateEvent): UnusualActivityEvent | undefined;
  /** How many (key, kind) counts are held now; never more than `maxTrackedKeys`. */
  readonly size: number;
}

export const DEFAULT_REFUSALS_PER_MINUTE = 60;
export const DEFAULT_AUTH_FAILURES_PER_MINUTE = 60;
export const DEFAULT_MAX_TRACKED_KEYS = 10_000;

/** Every field of {@link ActivityMonitorOptions}; the compiler keeps the list in step with the type. */
export const ACTIVITY_OPTION_KEYS = {
  refusalsPerMinute: true,
  authFailuresPerMinute: true,
  maxTrackedKeys: true,
} as const satisfies KnownOptions<keyof ActivityMonitorOptions>;

const MINUTE = 60_000;
// A hash prefix is short; anything longer is not one, and is not copied into an event.
const MAX_KEY_HASH_LENGTH = 64;

/**
 * Creates an activity monitor. Throws `ERR_TOLLGATE_INVALID_OPTIONS`, naming the field, for
 * an unknown option or a limit that is not a positive integer.
 *
 * Windows are fixed calendar minutes of the events' `at`. The engine stamps `at` when a check
 * starts, so with an async store an event may arrive after one from the next minute: such a
 * straggler still counts for its own minute. An event more than a minute older than the newest
 * one seen means the clock went back; the counts are then dropped and counting starts over.
 *
 * @example
 * const monitor = createActivityMonitor({ refusalsPerMinute: 120 });
 * monitor.observe({ type: 'refused', code: 'daily_limit', status: 429, keyId: 'shop-web', ip: '203.0.113.7', at: Date.now() });
 */
export function createActivityMonitor(options?: ActivityMonitorOptions): ActivityMonitor {
  const o = readOptions('createActivityMonitor', options, ACTIVITY_OPTION_KEYS, {
    expected: 'an object',
    optional: true,
  });
  return activityMonitorWith(o);
}

/** The monitor of options being read (the engine reads them as `options.unusualActivity`). */
export function activityMonitorWith(o: OptionReader<keyof ActivityMonitorOptions>): ActivityMonitor {
  const refusalLimit = o.integer('refusalsPerMinute', { min: 1, default: DEFAULT_REFUSALS_PER_MINUTE });
  const authLimit = o.integer('authFailuresPerMinute', { min: 1, default: DEFAULT_AUTH_FAILURES_PER_MINUTE });
  const maxTracked = o.integer('maxTrackedKeys', { min: 1, default: DEFAULT_MAX_TRACKED_KEYS });

  // Two windows are kept: the newest minute seen and the one before it, for stragglers. Each
  // map is in least-recently-seen order (a count is moved to the end when touched), which is
  // the eviction order. Counts of older minutes are dropped when a new minute begins.
  let current = Number.NEGATIVE_INFINITY;
  let counts = new Map<string, number>();
  let previous = new Map<string, number>();

  function count(window: Map<string, number>, bucket: string): number {
    const n = (window.get(bucket) ?? 0) + 1;
    window.delete(bucket);
    while (counts.size + previous.size >= maxTracked) {
      // The previous minute's counts go first: they can only grow by stragglers.
      const from = previous.size > 0 ? previous : counts;
      const oldest = from.keys().next().value;
      if (oldest === undefined) break;
      from.delete(oldest);
    }
    window.set(bucket, n);
    return n;
  }

  return {
    observe(event) {
      let kind: UnusualActivityEvent['kind'];
      let limit: number;
      let keyId: string | undefined;
      let keyHash: string | undefined;
      if (event.type === 'refused') {
        // A refusal without a key (plain HTTP, refused before the key is read) is nobody's activity.
        const refusedKey: unknown = (event as { readonly keyId?: unknown }).keyId;
        if (event.code === 'store_unavailable' || typeof refusedKey !== 'string') return undefined;
        kind = 'refusals';
        limit = refusalLimit;
        keyId = refusedKey;
      } else if (event.type === 'auth_failure') {
        kind = 'auth_failures';
        limit = authLimit;
        // Read loosely: the engine may add either field to auth failures.
        const loose = event as { readonly keyId?: unknown; readonly keyHash?: unknown };
        if (typeof loose.keyId === 'string' && loose.keyId !== '') keyId = loose.keyId;
        else if (
          typeof loose.keyHash === 'string' &&
          loose.keyHash !== '' &&
          loose.keyHash.length <= MAX_KEY_HASH_LENGTH
        ) {
          keyHash = loose.keyHash;
        }
      } else {
        return undefined;
      }
      const at = event.at;
      if (!Number.isFinite(at)) return undefined;
      const windowStart = Math.floor(at / MINUTE) * MINUTE;

      let window: Map<string, number>;
      if (windowStart === current) {
        window = counts;
      } else if (windowStart === current - MINUTE) {
        window = previous;
      } else {
        // A new minute, or the clock went back by more than a minute.
        previous = windowStart === current + MINUTE ? counts : new Map();
        counts = new Map();
        current = windowStart;
        window = counts;
      }

      // Separate prefixes keep a policy id from ever sharing a count with a hash or the
      // catch-all bucket, whatever the id is.
      let bucket: string;
      if (kind === 'refusals') bucket = `r:${keyId}`;
      else if (keyId !== undefined) bucket = `a:i:${keyId}`;
      else if (keyHash !== undefined) bucket = `a:h:${keyHash}`;
      else bucket = 'a:u';
      const n = count(window, bucket);
      // Counts only grow within a minute, so exactly one event sees `limit + 1`.
      if (n !== limit + 1) return undefined;
      const unusual: { -readonly [K in keyof UnusualActivityEvent]: UnusualActivityEvent[K] } = {
        type: 'unusual_activity',
        kind,
        count: n,
        limit,
        windowStart,
        at,
      };
      if (keyId !== undefined) unusual.keyId = keyId;
      if (keyHash !== undefined) unusual.keyHash = keyHash;
      return unusual;
    },
    get size() {
      return counts.size + previous.size;
    },
  };
}
