// The Redis store: one atomic script per check, a deadline on every call, full counters answered locally.

import { type ConsumeResult, type CounterSpec, type Store, TollgateError } from '@tollgate/core';
import { clearPrefix } from './clear-prefix.js';
import { CONSUME_COMMAND, CONSUME_SCRIPT, decodeReply } from './consume-script.js';
import { withDeadline } from './deadline.js';
import { ExhaustedCache } from './exhausted-cache.js';
import { parseOptions, type RedisStoreOptions } from './options.js';
import { redisKey } from './redis-key.js';

/** Counters of a {@link RedisStore}, for monitoring and benchmarks. */
export interface RedisStoreStats {
  /** Consume scripts sent to Redis. */
  readonly roundTrips: number;
  /** Checks refused from the exhausted-counter cache, without a round trip. */
  readonly cacheHits: number;
  /** Checks that failed: Redis not ready, timed out, or answered with an error. */
  readonly failures: number;
}

/** The Redis store. `consume` answers synchronously when it needs no round trip. */
export interface RedisStore extends Store {
  /**
   * Tests and increments the counters in one script call. Resolves with the result, or, for a
   * counter known to be full until its reset instant, returns the refusal at once without a
   * round trip. Rejects with a `TollgateError` (`ERR_TOLLGATE_STORE`) when Redis is not
   * ready, does not answer within `timeoutMs`, or answers with an error.
   */
  consume(counters: readonly CounterSpec[], now: number): ConsumeResult | Promise<ConsumeResult>;
  /** Deletes every key under this store's prefix (SCAN + UNLINK, every master on a Cluster). */
  clear(): Promise<void>;
  /** Stops the store: later checks reject. The client stays open; quit it yourself. */
  close(): Promise<void>;
  /** A snapshot of the store's counters since it was created. */
  stats(): RedisStoreStats;
}

type ConsumeCommand = (...args: string[]) => Promise<unknown>;

const ALLOWED_NO_COUNTERS: ConsumeResult = Object.freeze({
  allowed: true,
  refusedBy: -1,
  counts: Object.freeze([]) as readonly number[],
});

/**
 * A store that keeps counters in Redis or Redis Cluster, so daily caps hold exactly across
 * every process that shares it. Each check is one Lua script (EVALSHA, with ioredis
 * reloading it after a `SCRIPT FLUSH` or failover), bounded by `timeoutMs`; when Redis is
 * away the check rejects at once and the engine's `failureMode` decides the request.
 *
 * @example
 * import { Redis } from 'ioredis';
 * import { createEngine } from '@tollgate/core';
 * import { createRedisStore } from '@tollgate/redis';
 *
 * const client = new Redis(process.env.REDIS_URL, {
 *   enableAutoPipelining: true,
 *   enableOfflineQueue: false,
 *   maxRetriesPerRequest: 1,
 *   autoResendUnfulfilledCommands: false,
 * });
 * const engine = createEngine({ policy, store: createRedisStore({ client }), failureMode: 'fallback' });
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const { client, prefix, timeoutMs, exhaustedCacheSize, expireSlackMs } = parseOptions(options);
  // One command per number of counters, defined on first use. defineCommand sends EVALSHA and,
  // when Redis answers NOSCRIPT (after SCRIPT FLUSH, a restart or a failover), resends the
  // script with EVAL: no script bookkeeping here. A fixed numberOfKeys matters on a Cluster
  // with auto-pipelining, which routes a script call by its first argument: that must be a
  // key, not the key count.
  const commands: ConsumeCommand[] = [];
  const commandFor = (n: number): ConsumeCommand => {
    let command = commands[n];
    if (command === undefined) {
      const name = `${CONSUME_COMMAND}x${n}`;
      client.defineCommand(name, { lua: CONSUME_SCRIPT, numberOfKeys: n });
      command = (client as unknown as Record<string, ConsumeCommand>)[name]?.bind(client) as ConsumeCommand;
      commands[n] = command;
    }
    return command;
  };
  const exhausted = new ExhaustedCache(exhaustedCacheSize);
  const slack = String(expireSlackMs);
  let closed = false;
  let roundTrips = 0;
  let cacheHits = 0;
  let failures = 0;

  const fail = (message: string, cause?: unknown): Promise<never> => {
    failures += 1;
    return Promise.reject(
      new TollgateError(
        'ERR_TOLLGATE_STORE',
        `redis store: ${message}`,
        cause === undefined ? {} : { cause },
      ),
    );
  };
  const timedOut = (): Error => {
    failures += 1;
    return new TollgateError(
      'ERR_TOLLGATE_STORE',
      `redis store: Redis did not answer within ${timeoutMs} ms`,
    );
  };

  return {
    consume(specs: readonly CounterSpec[], now: number): ConsumeResult | Promise<ConsumeResult> {
      const n = specs.length;
      if (n === 0) return ALLOWED_NO_COUNTERS;
      if (closed) return fail('the store is closed');
      const known = exhausted.refusal(specs, now);
      if (known !== undefined) {
        cacheHits += 1;
        return known;
      }
      // Never queue behind a connection that is down: ioredis's offline queue is unbounded,
      // and a check waiting there would only time out later, holding memory meanwhile.
      const status = client.status;
      if (status !== 'ready') {
        // A lazyConnect client connects on its first command; start it, as that command never comes.
        if (status === 'wait') client.connect().catch(() => {});
        return fail(`Redis is not ready (client status "${status}")`);
      }
      const args = new Array<string>(n + 2 + 2 * n);
      args[n] = String(now);
      args[n + 1] = slack;
      for (let i = 0; i < n; i++) {
        const spec = specs[i] as CounterSpec;
        args[i] = redisKey(prefix, spec);
        args[n + 2 + 2 * i] = String(spec.limit);
        args[n + 3 + 2 * i] = String(Math.ceil(spec.expiresAt));
      }
      roundTrips += 1;
      let sent: Promise<unknown>;
      try {
        sent = commandFor(n)(...args);
      } catch (e) {
        return fail(e instanceof Error ? e.message : String(e), e);
      }
      return withDeadline(sent, timeoutMs, timedOut).then(
        (reply) => {
          const result = decodeReply(reply);
          for (let i = 0; i < n; i++) exhausted.remember(specs[i] as CounterSpec, result.counts[i] as number);
          return result;
        },
        (e: unknown) => {
          if (e instanceof TollgateError) throw e;
          return fail(e instanceof Error ? e.message : String(e), e);
        },
      );
    },

    async clear(): Promise<void> {
      exhausted.clear();
      await clearPrefix(client, prefix);
    },

    async close(): Promise<void> {
      closed = true;
      exhausted.clear();
    },

    stats(): RedisStoreStats {
      return { roundTrips, cacheHits, failures };
    },
  };
}
