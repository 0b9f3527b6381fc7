// Public options of the Redis store, read with core's option reader: defaults filled in, unknown keys refused.

import { type KnownOptions, type OptionReader, readOptions } from '@tollgate/core/option-reader';
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

const KNOWN = {
  client: true,
  prefix: true,
  timeoutMs: true,
  exhaustedCacheSize: true,
  expireSlackMs: true,
  waitForReplicas: true,
} as const satisfies KnownOptions<keyof RedisStoreOptions>;
const KNOWN_ACKS = { replicas: true, timeoutMs: true } as const satisfies KnownOptions<
  keyof ReplicaAcksOptions
>;
// setTimeout fires at once for delays above 2^31 - 1 ms.
const MAX_TIMER_MS = 2_147_483_647;
const DAY_MS = 86_400_000;

/** Validates options and fills in defaults. Throws `ERR_TOLLGATE_INVALID_OPTIONS` naming the option. */
export function parseOptions(options: unknown): RedisStoreConfig {
  const o = readOptions('createRedisStore', options, KNOWN, { expected: 'an object with at least `client`' });
  const client = readClient(o);
  const prefix = o.string('prefix', {
    default: 'tollgate:',
    test: (p) => !/[{}]/.test(p),
    expected: 'a non-empty string without "{" or "}"',
  });
  const timeoutMs = o.integer('timeoutMs', { min: 1, max: MAX_TIMER_MS, default: 50 });
  const acks = o.object('waitForReplicas', KNOWN_ACKS, 'an object such as { replicas: 1, timeoutMs: 50 }');
  const waitForReplicas = acks === undefined ? undefined : readReplicaAcks(acks);
  if (waitForReplicas !== undefined && timeoutMs + waitForReplicas.timeoutMs > MAX_TIMER_MS) {
    // A check then waits for both: the sum must still fit a timer.
    throw o.fail('waitForReplicas.timeoutMs', `with timeoutMs it must not exceed ${MAX_TIMER_MS} ms`);
  }
  return {
    client,
    prefix,
    timeoutMs,
    exhaustedCacheSize: o.integer('exhaustedCacheSize', { min: 0, default: 10_000 }),
    expireSlackMs: o.integer('expireSlackMs', { min: 1_000, max: DAY_MS, default: 60_000 }),
    waitForReplicas,
  };
}

function readReplicaAcks(o: OptionReader<keyof ReplicaAcksOptions>): ReplicaAcks {
  return {
    replicas: o.integer('replicas', { min: 1, max: 1_000, default: 1 }),
    // Not 0: for WAIT, 0 means wait forever.
    timeoutMs: o.integer('timeoutMs', { min: 1, max: MAX_TIMER_MS, default: 50 }),
  };
}

// Duck-typed rather than `instanceof`: an app can hold ioredis twice (its ESM and CommonJS
// builds, or two versions), and a client from either copy works.
function readClient(o: OptionReader<'client'>): Redis | Cluster {
  const value = o.required('client', 'an ioredis Redis or Cluster instance');
  const c = value as { defineCommand?: unknown; status?: unknown; options?: { keyPrefix?: unknown } };
  if (value === null || typeof value !== 'object' || typeof c.defineCommand !== 'function') {
    throw o.fail('client', 'expected an ioredis Redis or Cluster instance');
  }
  if (typeof c.status !== 'string') {
    throw o.fail('client', 'expected an ioredis Redis or Cluster instance (no `status`)');
  }
  const keyPrefix = c.options?.keyPrefix;
  if (typeof keyPrefix === 'string' && /[{}]/.test(keyPrefix)) {
    // ioredis puts keyPrefix before our key, so a brace there would become the hash tag.
    throw o.fail('client', 'its keyPrefix must not contain "{" or "}"');
  }
  return value as Redis | Cluster;
}
