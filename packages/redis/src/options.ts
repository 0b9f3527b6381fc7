// Public options of the Redis store and their one parser: defaults filled in, unknown keys refused.

import { TollgateError } from '@tollgate/core';
import type { Cluster, Redis } from 'ioredis';
import type { ReplicaAcks, ReplicaAcksOptions } from './replica-acks.js';

/**
 * Options of {@link createRedisStore}.
 *
 * @example
 * createRedisStore({ client: new Redis(process.env.REDIS_URL, { enableAutoPipelining: true }) });
 */
export interface RedisStoreOptions {
  /**
   * The ioredis client (`new Redis(...)` or `new Cluster(...)`, ioredis 5 or 6, either
   * protocol) the store sends its commands on. You create it and you quit it: `close()` leaves
   * it open. Required.
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
   * under load, short enough that a stalled one never holds requests up. A check that reaches
   * Redis later than 80% of this after it was made is skipped by Redis and costs nothing (its
   * caller has given up on it, or is about to).
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
  /**
   * Answer a check only once this many replicas have its counts (`WAIT` after the script, on the
   * node that ran it), so a failover cannot lose counts that were handed out. A check whose
   * counts are not acknowledged within `timeoutMs` fails (`ERR_TOLLGATE_STORE`, the engine's
   * `failureMode` decides) and its counts are taken back. Costs a replication round trip per
   * batch and blocks the client's connection meanwhile: give the store its own client. A check
   * then waits up to `timeoutMs` plus this `timeoutMs`.
   * `{}` means `{ replicas: 1, timeoutMs: 50 }`. Default: off (counts reach replicas
   * asynchronously; a failover may lose the last ones).
   *
   * @example
   * createRedisStore({ client, waitForReplicas: { replicas: 1, timeoutMs: 50 } });
   */
  waitForReplicas?: ReplicaAcksOptions | undefined;
}

/** RedisStoreOptions with every default applied. */
export interface RedisStoreConfig {
  readonly client: Redis | Cluster;
  readonly prefix: string;
  readonly timeoutMs: number;
  readonly exhaustedCacheSize: number;
  readonly expireSlackMs: number;
  /** Undefined when off. */
  readonly waitForReplicas: ReplicaAcks | undefined;
}

const KNOWN = new Set<string>(
  Object.keys({
    client: true,
    prefix: true,
    timeoutMs: true,
    exhaustedCacheSize: true,
    expireSlackMs: true,
    waitForReplicas: true,
  } satisfies Record<keyof RedisStoreOptions, true>),
);
const KNOWN_ACKS = new Set<string>(
  Object.keys({ replicas: true, timeoutMs: true } satisfies Record<keyof ReplicaAcksOptions, true>),
);
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
  const timeoutMs = integer(o.timeoutMs, 'timeoutMs', 50, 1, MAX_TIMER_MS, 'a positive integer');
  const waitForReplicas = parseReplicaAcks(o.waitForReplicas);
  if (waitForReplicas !== undefined && timeoutMs + waitForReplicas.timeoutMs > MAX_TIMER_MS) {
    // A check then waits for both: the sum must still fit a timer.
    throw invalid(`options.waitForReplicas.timeoutMs: with timeoutMs it must not exceed ${MAX_TIMER_MS} ms`);
  }
  return {
    client,
    prefix,
    timeoutMs,
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
    waitForReplicas,
  };
}

function parseReplicaAcks(value: unknown): ReplicaAcks | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('options.waitForReplicas: expected an object such as { replicas: 1, timeoutMs: 50 }');
  }
  const o = value as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    if (!KNOWN_ACKS.has(name)) throw invalid(`options.waitForReplicas.${name}: unknown option`);
  }
  return {
    replicas: integer(o.replicas, 'waitForReplicas.replicas', 1, 1, 1_000, 'an integer from 1 to 1000'),
    // Not 0: for WAIT, 0 means wait forever.
    timeoutMs: integer(o.timeoutMs, 'waitForReplicas.timeoutMs', 50, 1, MAX_TIMER_MS, 'a positive integer'),
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
