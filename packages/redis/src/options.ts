// Public options of the Redis store and their one parser: defaults filled in, unknown keys refused.

import { TollgateError } from '@tollgate/core';
import type { Cluster, Redis } from 'ioredis';

/**
 * Options of {@link createRedisStore}.
 *
 * @example
 * createRedisStore({ client: new Redis(process.env.REDIS_URL, { enableAutoPipelining: true }) });
 */
export interface RedisStoreOptions {
  /**
   * The ioredis client (`new Redis(...)` or `new Cluster(...)`) the store sends its commands
   * on. You create it and you quit it: `close()` leaves it open. Required.
   * Recommended client options: `enableAutoPipelining: true`, `enableOfflineQueue: false`,
   * `maxRetriesPerRequest: 1`, `autoResendUnfulfilledCommands: false`,
   * `retryStrategy: (times) => Math.min(times * 20, 100)` (see the README).
   */
  client: Redis | Cluster;
  /**
   * Put before every key, so several apps can share one Redis; `clear()` deletes only keys
   * under it. Must not contain `{` or `}` (they would move the Cluster hash tag).
   * Default: `'tollgate:'`.
   */
  prefix?: string | undefined;
  /**
   * How long one check waits for Redis, in ms, before its promise rejects (the engine's
   * `failureMode` then decides the request). Default: `50`, long enough for a healthy Redis
   * under load, short enough that a stalled one never holds requests up.
   */
  timeoutMs?: number | undefined;
  /**
   * Most counters whose last count from Redis this process keeps. A check on a counter known to
   * be at its limit is refused from there, without asking Redis, until the counter's reset
   * instant. `0` turns the cache off (a limit of 0 is still refused without asking).
   * Default: `10_000`.
   */
  exhaustedCacheSize?: number | undefined;
  /**
   * How long after its reset instant (local midnight) a key stays in Redis, in ms. Keys carry
   * their day in their name, so this only bounds memory; it also covers app servers whose
   * clocks run behind Redis's. At least 1000. Default: `60_000`.
   */
  expireSlackMs?: number | undefined;
}

/** RedisStoreOptions with every default applied. */
export interface RedisStoreConfig {
  readonly client: Redis | Cluster;
  readonly prefix: string;
  readonly timeoutMs: number;
  readonly exhaustedCacheSize: number;
  readonly expireSlackMs: number;
}

const KNOWN = new Set(['client', 'prefix', 'timeoutMs', 'exhaustedCacheSize', 'expireSlackMs']);
// setTimeout fires at once for delays above 2^31 - 1 ms.
const MAX_TIMER_MS = 2_147_483_647;
const DAY_MS = 86_400_000;

/** Validates options and fills in defaults. Throws `ERR_TOLLGATE_INVALID_OPTIONS` naming the option. */
export function parseOptions(options: unknown): RedisStoreConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid('options: expected an object with at least `client`');
  }
  const o = options as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    if (!KNOWN.has(name)) throw invalid(`options.${name}: unknown option`);
  }
  const client = parseClient(o.client);
  const prefix = o.prefix ?? 'tollgate:';
  if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) {
    throw invalid('options.prefix: expected a non-empty string without "{" or "}"');
  }
  return {
    client,
    prefix,
    timeoutMs: integer(o.timeoutMs, 'timeoutMs', 50, 1, MAX_TIMER_MS, 'a positive integer'),
    exhaustedCacheSize: integer(
      o.exhaustedCacheSize,
      'exhaustedCacheSize',
      10_000,
      0,
      Number.MAX_SAFE_INTEGER,
      'a non-negative integer',
    ),
    expireSlackMs: integer(
      o.expireSlackMs,
      'expireSlackMs',
      60_000,
      1_000,
      DAY_MS,
      'an integer from 1000 to 86400000',
    ),
  };
}

// Duck-typed rather than `instanceof`: an app can hold ioredis twice (its ESM and CommonJS
// builds, or two versions), and a client from either copy works.
function parseClient(value: unknown): Redis | Cluster {
  const c = value as { defineCommand?: unknown; status?: unknown; options?: { keyPrefix?: unknown } };
  if (value === null || typeof value !== 'object' || typeof c.defineCommand !== 'function') {
    throw invalid('options.client: expected an ioredis Redis or Cluster instance');
  }
  if (typeof c.status !== 'string') {
    throw invalid('options.client: expected an ioredis Redis or Cluster instance (no `status`)');
  }
  const keyPrefix = c.options?.keyPrefix;
  if (typeof keyPrefix === 'string' && /[{}]/.test(keyPrefix)) {
    // ioredis puts keyPrefix before our key, so a brace there would become the hash tag.
    throw invalid('options.client: its keyPrefix must not contain "{" or "}"');
  }
  return value as Redis | Cluster;
}

function integer(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
  expected: string,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`options.${name}: expected ${expected}, got ${String(value)}`);
  }
  return value;
}

function invalid(message: string): TollgateError {
  return new TollgateError('ERR_TOLLGATE_INVALID_OPTIONS', message);
}
