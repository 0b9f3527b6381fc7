// waitForReplicas on a real master and replica: answered once the replica has the counts, failed and taken back when not.

import { createEngine } from '@tollgate/core';
import {
  type RedisServer,
  sleep,
  startRedisReplica,
  startRedisServer,
  uniquePrefix,
} from '@tollgate/testkit/redis-server';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { ackFailure } from '../src/replica-acks.js';
import { connectRedis } from './support/clients.js';
import type { Redis } from './support/ioredis.js';

const DAY = 86_400_000;
const TOMORROW = Date.now() + DAY;
// Redis checks WAIT's timeout on its cron, every 100 ms at the default hz: WAIT 150 returns within
// about 200 ms, well inside the store's 300 + 150.
const WAIT = { replicas: 1, timeoutMs: 150 };
const TIMEOUT_MS = 300;
const UNACKED = 'redis store: 0 of 1 replicas acknowledged the counts within 150 ms; they were taken back';
// How late past its bound a check may settle on a loaded two-core machine.
const LATENESS_MS = 150;
/** For checks that must succeed: room for a replica slowed by a loaded machine. */
const STEADY = { timeoutMs: 1_000, waitForReplicas: { replicas: 1, timeoutMs: 1_000 } };

let master: RedisServer;
let replica: RedisServer;
let client: Redis;
let replicaClient: Redis;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

const specs = (scope: string, limit = 1_000) => [
  { key: `${scope}:daily`, limit, expiresAt: TOMORROW, scope },
];
const keyOf = (prefix: string, scope: string) => `${prefix}{${scope}}:daily@${TOMORROW.toString(36)}`;
const read = async (redis: Redis, key: string) => Number((await redis.get(key)) ?? 0);

async function calls(name: string): Promise<number> {
  const stats = String(await client.info('commandstats'));
  return Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

/** Settles `p` as `{ value }` or `{ error }` (the message). */
const settle = <T>(p: T | Promise<T>) =>
  Promise.resolve(p).then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.message }),
  );

describe('waitForReplicas', () => {
  // Each test gets a fresh pair: some tests kill the master or detach the replica.
  beforeEach(async () => {
    master = await startRedisServer();
    replica = await startRedisReplica(master);
    client = await connectRedis(master.url);
    client.on('error', () => {});
    replicaClient = await connectRedis(replica.url);
    replicaClient.on('error', () => {});
  });
  afterEach(async () => {
    replica.signal('SIGCONT');
    await sleep(50);
    client.disconnect();
    replicaClient.disconnect();
    await replica.stop();
    await master.stop();
    expect(unhandled).toEqual([]);
  });

  it('answers a check once the replica has its counts: WAIT follows every script call', async () => {
    const prefix = uniquePrefix('acked');
    const store = createRedisStore({ client, prefix, ...STEADY });
    // The first call loads the script (NOSCRIPT, then the pipeline again with EVAL).
    expect((await store.consume(specs('warm:d'), Date.now())).counts).toEqual([1]);
    const waitsBefore = await calls('wait');
    const roundTripsBefore = store.stats().roundTrips;
    for (let i = 1; i <= 5; i++) {
      expect((await store.consume(specs('acked:d'), Date.now())).counts).toEqual([i]);
      // Read on the replica at once: the answer came only after it had the count.
      expect(await read(replicaClient, keyOf(prefix, 'acked:d'))).toBe(i);
    }
    // Concurrent checks: batched, each batch one script and one WAIT.
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.consume(specs('acked:d'), Date.now())),
    );
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(await read(replicaClient, keyOf(prefix, 'acked:d'))).toBe(25);
    const roundTrips = store.stats().roundTrips - roundTripsBefore;
    expect(roundTrips).toBeLessThan(25);
    expect(await calls('wait')).toBe(waitsBefore + roundTrips);
  });

  it('fails a check the replica does not acknowledge in time, and takes its counts back', async () => {
    const prefix = uniquePrefix('unacked');
    const steady = createRedisStore({ client, prefix, ...STEADY });
    const store = createRedisStore({ client, prefix, timeoutMs: TIMEOUT_MS, waitForReplicas: WAIT });
    expect((await steady.consume(specs('unacked:d'), Date.now())).counts).toEqual([1]);
    replica.signal('SIGSTOP');
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const outcome = await settle(store.consume(specs('unacked:d'), Date.now()));
      // Bounded: at most the script's timeout and WAIT's.
      outcomes.push({
        ...outcome,
        bounded: performance.now() - t0 < TIMEOUT_MS + WAIT.timeoutMs + LATENESS_MS,
      });
    }
    // Concurrent ones queue behind each other's WAIT on the one connection: they fail too, by
    // the ack count or by the store's deadline (then skipped by Redis, or taken back).
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => settle(store.consume(specs('unacked:d'), Date.now()))),
    );
    replica.signal('SIGCONT');
    expect(outcomes).toEqual(outcomes.map(() => ({ error: UNACKED, bounded: true })));
    expect(concurrent.every((o) => 'error' in o)).toBe(true);
    expect(store.stats().failures).toBe(8);
    // The refunds reach the master just after the answers: read the counter directly.
    for (let i = 0; i < 50 && (await read(client, keyOf(prefix, 'unacked:d'))) !== 1; i++) await sleep(10);
    expect(await read(client, keyOf(prefix, 'unacked:d'))).toBe(1);
    // Back in sync, the replica holds the same; counting goes on from there.
    expect((await steady.consume(specs('unacked:d'), Date.now())).counts).toEqual([2]);
    expect(await read(replicaClient, keyOf(prefix, 'unacked:d'))).toBe(2);
  });

  it('a refused request costs nothing while the replica is away: the cap is whole when it is back', async () => {
    const prefix = uniquePrefix('cap');
    const policy = {
      keys: [{ id: 'cap', key: 'sk_test_replica_cap_0123456789', dailyLimit: 3, timeZone: 'UTC' }],
    };
    const engineWith = (options: object) =>
      createEngine({ policy, store: createRedisStore({ client, prefix, ...options }) });
    const short = engineWith({ timeoutMs: TIMEOUT_MS, waitForReplicas: { replicas: 1, timeoutMs: 30 } });
    const steady = engineWith(STEADY);
    const input = { apiKey: 'sk_test_replica_cap_0123456789', ip: '203.0.113.9' };
    replica.signal('SIGSTOP');
    const during = [];
    for (let i = 0; i < 10; i++) during.push((await short.check(input)).code);
    replica.signal('SIGCONT');
    expect(during).toEqual(during.map(() => 'store_unavailable'));
    await sleep(100);
    const after = [];
    for (let i = 0; i < 4; i++) after.push((await steady.check(input)).code);
    expect(after).toEqual(['ok', 'ok', 'ok', 'daily_limit']);
  });

  it('keeps every count it answered through a failover to a replica that lost its link', async () => {
    const prefix = uniquePrefix('failover');
    const steady = createRedisStore({ client, prefix, ...STEADY });
    const short = createRedisStore({ client, prefix, timeoutMs: TIMEOUT_MS, waitForReplicas: WAIT });
    const answered: number[] = [];
    const consume = async (store: typeof short) => {
      const r = await settle(store.consume(specs('failover:d'), Date.now()));
      if ('value' in r) answered.push(r.value.counts[0] as number);
    };
    for (let i = 0; i < 4; i++) await consume(steady);
    // The link breaks: the replica stops replicating, the master goes on taking writes.
    await replicaClient.call('REPLICAOF', 'NO', 'ONE');
    for (let i = 0; i < 4; i++) await consume(short);
    await sleep(50);
    await master.kill();
    // The replica is the master now: it has every count the store answered, and no more.
    expect(answered).toEqual([1, 2, 3, 4]);
    expect(await read(replicaClient, keyOf(prefix, 'failover:d'))).toBe(4);
  });

  it('without it, the same failover loses counts that were answered (the reason for the option)', async () => {
    const prefix = uniquePrefix('lost');
    const store = createRedisStore({ client, prefix, timeoutMs: 1_000 });
    for (let i = 0; i < 4; i++) await store.consume(specs('lost:d'), Date.now());
    // Replicated in the background: wait for it, so that only the later counts are at stake.
    for (let i = 0; i < 200 && (await read(replicaClient, keyOf(prefix, 'lost:d'))) < 4; i++) await sleep(10);
    await replicaClient.call('REPLICAOF', 'NO', 'ONE');
    for (let i = 0; i < 4; i++) await store.consume(specs('lost:d'), Date.now());
    await master.kill();
    expect(await read(replicaClient, keyOf(prefix, 'lost:d'))).toBe(4);
  });

  it('sends WAIT after the script even when the script must be loaded again (SCRIPT FLUSH)', async () => {
    const prefix = uniquePrefix('flush');
    const steady = createRedisStore({ client, prefix, ...STEADY });
    // The NOSCRIPT resend goes out only after the first pipeline's WAIT has timed out (Redis checks
    // WAIT timeouts about every 100 ms), so the check needs a deadline past that, not TIMEOUT_MS.
    const store = createRedisStore({ client, prefix, timeoutMs: 1_000, waitForReplicas: WAIT });
    await steady.consume(specs('flush:d'), Date.now());
    // From another connection: WAIT counts only the writes of its own.
    const admin = await connectRedis(master.url);
    await admin.script('FLUSH');
    admin.disconnect();
    const evalsBefore = await calls('eval');
    replica.signal('SIGSTOP');
    // A WAIT run before the reloaded script would see nothing new to acknowledge and say yes.
    expect(await settle(store.consume(specs('flush:d'), Date.now()))).toEqual({ error: UNACKED });
    replica.signal('SIGCONT');
    // The script again, and the refund.
    expect(await calls('eval')).toBe(evalsBefore + 2);
    expect((await steady.consume(specs('flush:d'), Date.now())).counts).toEqual([2]);
    expect(await read(replicaClient, keyOf(prefix, 'flush:d'))).toBe(2);
  });

  it('fails the checks, and takes the counts back, when WAIT itself is refused', async () => {
    await client.call('ACL', 'SETUSER', 'nowait', 'on', '>pw-nowait', '~*', '+@all', '-wait');
    const restricted = await connectRedis(master.url.replace('redis://', 'redis://nowait:pw-nowait@'));
    try {
      const prefix = uniquePrefix('nowait');
      const store = createRedisStore({ client: restricted, prefix, waitForReplicas: WAIT });
      const outcome = await settle(store.consume(specs('nowait:d'), Date.now()));
      expect(outcome).toMatchObject({ error: expect.stringMatching(/^redis store: WAIT failed \(NOPERM/) });
      for (let i = 0; i < 50 && (await client.exists(keyOf(prefix, 'nowait:d'))) === 1; i++) await sleep(10);
      expect(await client.exists(keyOf(prefix, 'nowait:d'))).toBe(0);
    } finally {
      restricted.disconnect();
    }
  });

  it('leaves refusals alone: a full counter is refused, acknowledged or not', async () => {
    const prefix = uniquePrefix('full');
    const steady = createRedisStore({ client, prefix, ...STEADY });
    const store = createRedisStore({
      client,
      prefix,
      timeoutMs: TIMEOUT_MS,
      exhaustedCacheSize: 0,
      waitForReplicas: WAIT,
    });
    await steady.consume(specs('full:d', 1), Date.now());
    replica.signal('SIGSTOP');
    expect(await settle(store.consume(specs('full:d', 1), Date.now()))).toEqual({
      value: { allowed: false, refusedBy: 0, counts: [1] },
    });
    replica.signal('SIGCONT');
    expect(await read(client, keyOf(prefix, 'full:d'))).toBe(1);
  });

  it('works with an ioredis keyPrefix', async () => {
    const keyPrefix = uniquePrefix('kp');
    const prefixed = await connectRedis(master.url, { keyPrefix });
    try {
      const store = createRedisStore({ client: prefixed, prefix: 'app:', ...STEADY });
      await store.consume(specs('kp:d'), Date.now());
      expect(await read(replicaClient, `${keyPrefix}${keyOf('app:', 'kp:d')}`)).toBe(1);
    } finally {
      prefixed.disconnect();
    }
  });
});

describe('ackFailure', () => {
  it('fails a batch exactly when fewer replicas acknowledged than asked, or WAIT failed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.nat({ max: 2_000 }),
        fc.option(
          fc.constantFrom('NOPERM no wait for you', 'ERR WAIT cannot be used with replica instances'),
          {
            nil: undefined,
          },
        ),
        (replicas, timeoutMs, acks, waitError) => {
          const failure = ackFailure(
            { replicas, timeoutMs },
            { reply: [], answeredAt: 0, acks, ...(waitError === undefined ? {} : { waitError }) },
          );
          if (waitError !== undefined) {
            expect(failure).toBe(`WAIT failed (${waitError}); the counts were taken back`);
          } else if (acks >= replicas) {
            expect(failure).toBeUndefined();
          } else {
            expect(failure).toBe(
              `${acks} of ${replicas} replicas acknowledged the counts within ${timeoutMs} ms; they were taken back`,
            );
          }
        },
      ),
    );
  });
});
