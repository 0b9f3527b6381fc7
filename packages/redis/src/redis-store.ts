// The Redis store: one atomic script per check, a deadline on every call, full counters answered locally.

import { type ConsumeResult, type CounterSpec, type Store, TollgateError } from '@tollgate/core';
import { clearPrefix } from './clear-prefix.js';
import { connectionHealth } from './connection-health.js';
import { CONSUME_COMMAND, CONSUME_SCRIPT, decodeReply } from './consume-script.js';
import { withDeadline } from './deadline.js';
import { ExhaustedCache } from './exhausted-cache.js';
import { parseOptions, type RedisStoreOptions } from './options.js';
import { redisKey } from './redis-key.js';

/** Counters of a {@link RedisStore}, for monitoring and benchmarks. */
export interface RedisStoreStats {
  /** Consume script calls sent to Redis (one per batch of checks that arrived together). */
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
 *   retryStrategy: (times) => Math.min(times * 20, 100),
 * });
 * const engine = createEngine({ policy, store: createRedisStore({ client }), failureMode: 'fallback' });
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const { client, prefix, timeoutMs, exhaustedCacheSize, expireSlackMs } = parseOptions(options);
  // One command per number of keys. defineCommand sends EVALSHA and, when Redis answers
  // NOSCRIPT (after SCRIPT FLUSH, a restart or a failover), resends the script with EVAL: no
  // script bookkeeping here. A fixed numberOfKeys matters on a Cluster with auto-pipelining,
  // which routes a script call by its first argument: that must be a key, not the key count.
  // All are defined up front: an auto-pipeline already open copies the client's commands when
  // it is created, and would not know one defined later in the same tick.
  const commands: ConsumeCommand[] = [];
  for (let keyCount = 1; keyCount <= MAX_BATCH_KEYS; keyCount++) {
    const name = `${CONSUME_COMMAND}x${keyCount}`;
    client.defineCommand(name, { lua: CONSUME_SCRIPT, numberOfKeys: keyCount });
    commands[keyCount] = (client as unknown as Record<string, ConsumeCommand>)[name]?.bind(
      client,
    ) as ConsumeCommand;
  }
  const commandFor = (keyCount: number): ConsumeCommand => commands[keyCount] as ConsumeCommand;
  const exhausted = new ExhaustedCache(exhaustedCacheSize);
  const health = connectionHealth(client);
  const slack = String(expireSlackMs);
  // Checks waiting for the next flush, one batch per scope (a Cluster runs a script on one slot).
  const batches = new Map<string, Batch>();
  // Script calls in flight per scope: a check for an idle scope goes out at once.
  const inFlight = new Map<string, number>();
  let flushScheduled = false;
  let closed = false;
  let roundTrips = 0;
  let cacheHits = 0;
  let failures = 0;

  const storeError = (message: string, cause?: unknown): TollgateError =>
    new TollgateError('ERR_TOLLGATE_STORE', `redis store: ${message}`, cause === undefined ? {} : { cause });
  const fail = (message: string, cause?: unknown): Promise<never> => {
    failures += 1;
    return Promise.reject(storeError(message, cause));
  };

  const send = (scope: string, batch: Batch): void => {
    const { checks } = batch;
    const keys: string[] = [];
    const argv: string[] = [slack];
    const sizes: number[] = new Array(checks.length);
    for (let c = 0; c < checks.length; c++) {
      const specs = (checks[c] as Check).specs;
      sizes[c] = specs.length;
      argv.push(String(specs.length));
      for (const spec of specs) {
        keys.push(redisKey(prefix, spec));
        argv.push(String(spec.limit), String(Math.ceil(spec.expiresAt)));
      }
    }
    const failAll = (error: TollgateError): void => {
      failures += checks.length;
      for (const check of checks) check.reject(error);
    };
    roundTrips += 1;
    let sent: Promise<unknown>;
    try {
      sent = commandFor(keys.length)(...keys, ...argv);
    } catch (e) {
      failAll(storeError(e instanceof Error ? e.message : String(e), e));
      return;
    }
    health.sent(sent);
    inFlight.set(scope, (inFlight.get(scope) ?? 0) + 1);
    // Released at the reply or at the deadline, whichever comes first: a command the client
    // never settles must not keep its scope busy.
    let released = false;
    const settled = () => {
      if (released) return;
      released = true;
      const left = (inFlight.get(scope) ?? 1) - 1;
      if (left === 0) inFlight.delete(scope);
      else inFlight.set(scope, left);
    };
    sent.then(settled, settled);
    const timedOut = () => {
      settled();
      health.timedOut(timeoutMs);
      return storeError(`Redis did not answer within ${timeoutMs} ms`);
    };
    withDeadline(sent, timeoutMs, timedOut).then(
      (reply) => {
        let results: ConsumeResult[];
        try {
          results = decodeReply(reply, sizes);
        } catch (e) {
          failAll(e as TollgateError);
          return;
        }
        for (let c = 0; c < checks.length; c++) {
          const check = checks[c] as Check;
          const result = results[c] as ConsumeResult;
          for (let i = 0; i < check.specs.length; i++) {
            exhausted.remember(check.specs[i] as CounterSpec, result.counts[i] as number);
          }
          check.resolve(result);
        }
      },
      (e: unknown) => {
        failAll(e instanceof TollgateError ? e : storeError(e instanceof Error ? e.message : String(e), e));
      },
    );
  };

  const flush = (): void => {
    flushScheduled = false;
    for (const [scope, batch] of batches) send(scope, batch);
    batches.clear();
  };

  return {
    shared: true,
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
      return new Promise<ConsumeResult>((resolve, reject) => {
        const scope = (specs[0] as CounterSpec).scope;
        // A check for a scope with nothing in flight goes out at once: no added latency for a
        // lone request.
        if (!inFlight.has(scope) && !batches.has(scope)) {
          send(scope, { checks: [{ specs, resolve, reject }], keyCount: n });
          return;
        }
        // Under load, checks arriving in the same turn of the event loop (the requests one poll
        // of the sockets delivered) go out as one script call after it: one round trip and one
        // command for Redis to dispatch, instead of one per check.
        let batch = batches.get(scope);
        if (batch !== undefined && batch.keyCount + n > MAX_BATCH_KEYS) {
          send(scope, batch);
          batch = undefined;
        }
        if (batch === undefined) {
          batch = { checks: [], keyCount: 0 };
          batches.set(scope, batch);
        }
        batch.checks.push({ specs, resolve, reject });
        batch.keyCount += n;
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
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

/** One check waiting in a batch. */
interface Check {
  readonly specs: readonly CounterSpec[];
  resolve(result: ConsumeResult): void;
  reject(error: Error): void;
}

interface Batch {
  readonly checks: Check[];
  keyCount: number;
}

/**
 * Most keys in one script call. Bounds the work Redis does in one go (other clients wait while
 * a script runs) and the number of command definitions (one per key count).
 */
const MAX_BATCH_KEYS = 64;
