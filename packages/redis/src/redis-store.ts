// The Redis store: one atomic script per check, a deadline on every call, full counters answered locally.

import { type ConsumeResult, type CounterSpec, type Store, TollgateError } from '@tollgate/core';
import { clearPrefix } from './clear-prefix.js';
import { connectionHealth } from './connection-health.js';
import {
  CONSUME_COMMAND,
  CONSUME_SCRIPT,
  type DecodedReply,
  decodeReply,
  encodeBatch,
  skipMarginMs,
} from './consume-script.js';
import { withDeadline } from './deadline.js';
import { checkEvictionPolicy } from './eviction-policy.js';
import { ExhaustedCache } from './exhausted-cache.js';
import { parseOptions, type RedisStoreOptions } from './options.js';
import { RedisClock } from './redis-clock.js';
import { batchOutcome, countedKeys, refund } from './refund.js';
import { ackFailure, consumeWithAcks } from './replica-acks.js';

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
 * away the check rejects at once and the engine's `failureMode` decides the request. A check
 * that times out costs nothing: Redis skips it past its deadline, and what it counted is taken
 * back when a late answer shows it was counted.
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
  const { client, prefix, timeoutMs, exhaustedCacheSize, expireSlackMs, waitForReplicas } =
    parseOptions(options);
  // Warns once per client when Redis may evict counters; runs in the background.
  void checkEvictionPolicy(client);
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
  // A check's deadline, for Redis to skip it when it arrives later: made at `performance.now()`,
  // it is given up on `timeoutMs` later; Redis must have run it a margin before that, so that its
  // answer can still come back in time. Answers that come later anyway have their counts taken
  // back (below).
  const clock = new RedisClock(Date.now() - performance.now());
  const deadlineAfter = timeoutMs - skipMarginMs(timeoutMs);
  // With waitForReplicas a check waits for the script, then for WAIT.
  const giveUpMs = timeoutMs + (waitForReplicas?.timeoutMs ?? 0);
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
    const call = encodeBatch(prefix, expireSlackMs, checks);
    const failAll = (error: TollgateError): void => {
      failures += checks.length;
      for (const check of checks) check.reject(error);
    };
    roundTrips += 1;
    let sent: Promise<Answer>;
    try {
      // Decoded when the reply arrives, in time or not: a late reply still tells Redis's time.
      const sentAt = performance.now();
      const observe = (reply: unknown, answeredAt: number, unacked?: string): Answer => {
        const decoded = decodeReply(reply, call.sizes);
        clock.observe(decoded.redisNow, sentAt, answeredAt);
        return { results: decoded.results, unacked };
      };
      sent =
        waitForReplicas === undefined
          ? commandFor(call.keys.length)(...call.keys, ...call.argv).then((reply) =>
              observe(reply, performance.now()),
            )
          : consumeWithAcks(client, call, waitForReplicas).then((r) =>
              observe(r.reply, r.answeredAt, ackFailure(waitForReplicas, r)),
            );
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
    let gaveUp = false;
    const timedOut = () => {
      gaveUp = true;
      settled();
      health.timedOut(giveUpMs);
      return storeError(`Redis did not answer within ${giveUpMs} ms`);
    };
    // An answer that comes after its checks were failed (Redis ran them in time, the answer was
    // held up): what they counted is taken back, as a failed check must cost nothing.
    sent.then(
      (answer) => {
        if (gaveUp) void refund(client, countedKeys(call, answer.results));
      },
      () => {},
    );
    withDeadline(sent, giveUpMs, timedOut).then(
      (answer) => {
        const { outcomes, takeBack } = batchOutcome(call, answer.results, answer.unacked);
        for (let c = 0; c < checks.length; c++) {
          const check = checks[c] as Check;
          const outcome = outcomes[c] as (typeof outcomes)[number];
          if ('failure' in outcome) {
            failures += 1;
            check.reject(storeError(outcome.failure));
            continue;
          }
          for (let i = 0; i < check.specs.length; i++) {
            exhausted.remember(check.specs[i] as CounterSpec, outcome.result.counts[i] as number);
          }
          check.resolve(outcome.result);
        }
        if (takeBack.length > 0) void refund(client, takeBack);
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
      const deadline = clock.toRedis(performance.now() + deadlineAfter);
      return new Promise<ConsumeResult>((resolve, reject) => {
        const scope = (specs[0] as CounterSpec).scope;
        // A check for a scope with nothing in flight goes out at once: no added latency for a
        // lone request.
        if (!inFlight.has(scope) && !batches.has(scope)) {
          send(scope, { checks: [{ specs, deadline, resolve, reject }], keyCount: n });
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
        batch.checks.push({ specs, deadline, resolve, reject });
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
  /** When Redis is to skip it, by Redis's clock (epoch ms): see CONSUME_SCRIPT. */
  readonly deadline: number;
  resolve(result: ConsumeResult): void;
  reject(error: Error): void;
}

/** The script's results, and why replicas did not acknowledge them when they must. */
interface Answer {
  readonly results: DecodedReply['results'];
  readonly unacked: string | undefined;
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
