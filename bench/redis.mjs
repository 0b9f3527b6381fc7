// The Redis benchmark: Tollgate's full check on the Redis store vs rate-limiter-flexible's RateLimiterRedis, in one run.

import { createEngine } from '@tollgate/core';
import { createRedisStore } from '@tollgate/redis';
import Redis from 'ioredis';
import rateLimiterFlexible from 'rate-limiter-flexible';
import { clientAddresses } from './lib/addresses.mjs';
import { startRedisPair } from './lib/redis-pair.mjs';

const { RateLimiterRedis } = rateLimiterFlexible;

const API_KEY = 'pk_bench_redis_0123456789';
const EXHAUSTED_KEY = 'pk_bench_redis_exhausted_01';

/** Sizes for a full run and for the smoke test's `--quick` run. */
export const REDIS_PROFILES = {
  full: { concurrency: [1, 16, 64], timeMs: 2_000, rounds: 3, ips: 10_000, exhaustedChecks: 20_000 },
  quick: { concurrency: [1, 4], timeMs: 100, rounds: 1, ips: 100, exhaustedChecks: 200 },
};

/** The target from the issue: Tollgate's full check at least this many times rate-limiter-flexible's throughput. */
export const REDIS_TARGET_RATIO = 1.5;

/** waitForReplicas as the WAIT variant runs it: one replica, a timeout no healthy replica reaches. */
export const WAIT_OPTIONS = { replicas: 1, timeoutMs: 1_000 };

/** Where the benchmark finds Redis: REDIS_URL, else the local default. */
export function redisUrl() {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * Runs `concurrency` loops of `op` for `timeMs` and returns operations per second. Each loop
 * awaits its own operation, as that many concurrent requests would.
 */
async function throughput(op, concurrency, timeMs) {
  let done = 0;
  const until = performance.now() + timeMs;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await op();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Measures decisions per second at each concurrency, Tollgate and the peer alternating round
 * by round so that both see the same machine, and the share of checks on exhausted keys that
 * needed no round trip.
 *
 * @example
 * const result = await runRedisBenchmark(REDIS_PROFILES.quick);
 */
export async function runRedisBenchmark(profile) {
  // The same client options for both: auto-pipelining on, no offline queue.
  const clientOptions = { enableAutoPipelining: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 };
  const tollgateClient = new Redis(redisUrl(), { ...clientOptions, lazyConnect: true });
  const peerClient = new Redis(redisUrl(), { ...clientOptions, lazyConnect: true });
  try {
    await Promise.all([tollgateClient.connect(), peerClient.connect()]);
  } catch (e) {
    tollgateClient.disconnect();
    peerClient.disconnect();
    throw new Error(
      `the Redis benchmark needs a Redis server at ${redisUrl()} (set REDIS_URL): ${e.message}`,
    );
  }
  const prefix = `tollgate-bench:${process.pid}:`;
  const ips = clientAddresses(profile.ips);
  const n = ips.length;

  const store = createRedisStore({ client: tollgateClient, prefix, timeoutMs: 1_000 });
  const engine = createEngine({
    policy: {
      keys: [
        { id: 'bench', key: API_KEY, dailyLimit: 1e12, perIpDailyLimit: 1e9, timeZone: 'Europe/London' },
        { id: 'bench-exhausted', key: EXHAUSTED_KEY, dailyLimit: 10, timeZone: 'Europe/London' },
      ],
    },
    store,
  });
  const limiter = new RateLimiterRedis({
    storeClient: peerClient,
    keyPrefix: `${prefix}rlf`,
    points: 1e9,
    duration: 86_400,
  });

  let t = 0;
  const tollgateOp = async () => {
    const d = await engine.check({ apiKey: API_KEY, ip: ips[t] });
    t = t + 1 === n ? 0 : t + 1;
    if (!d.allowed) throw new Error(`Tollgate refused during the run: ${d.code}`);
  };
  let r = 0;
  const peerOp = async () => {
    await limiter.consume(ips[r]);
    r = r + 1 === n ? 0 : r + 1;
  };

  // Warm both: scripts loaded, connections hot.
  await throughput(tollgateOp, 4, Math.min(200, profile.timeMs));
  await throughput(peerOp, 4, Math.min(200, profile.timeMs));

  const rows = [];
  for (const concurrency of profile.concurrency) {
    const ours = [];
    const theirs = [];
    for (let round = 0; round < profile.rounds; round++) {
      ours.push(await throughput(tollgateOp, concurrency, profile.timeMs));
      theirs.push(await throughput(peerOp, concurrency, profile.timeMs));
    }
    const tollgatePerSec = Math.round(median(ours));
    const peerPerSec = Math.round(median(theirs));
    rows.push({
      concurrency,
      tollgatePerSec,
      peerPerSec,
      ratio: Math.round((tollgatePerSec / peerPerSec) * 100) / 100,
      tollgateRounds: ours.map(Math.round),
      peerRounds: theirs.map(Math.round),
    });
  }

  // Exhausted keys: once a key's daily cap is reached, refusals should cost no round trip.
  for (let i = 0; i < 10; i++) await engine.check({ apiKey: EXHAUSTED_KEY, ip: '198.51.100.1' });
  const before = store.stats();
  let refused = 0;
  for (let i = 0; i < profile.exhaustedChecks; i++) {
    const d = await engine.check({ apiKey: EXHAUSTED_KEY, ip: ips[i % n] });
    if (!d.allowed) refused += 1;
  }
  const after = store.stats();
  if (refused !== profile.exhaustedChecks) throw new Error('an exhausted key was allowed');
  const roundTrips = after.roundTrips - before.roundTrips;
  const exhausted = {
    checks: profile.exhaustedChecks,
    roundTrips,
    withoutRoundTripPct: Math.round((1 - roundTrips / profile.exhaustedChecks) * 10_000) / 100,
  };

  await store.clear();
  for await (const keys of peerClient.scanStream({ match: `${prefix}*`, count: 1000 })) {
    if (keys.length > 0) await peerClient.unlink(...keys);
  }
  tollgateClient.disconnect();
  peerClient.disconnect();

  const replicated = await runReplicatedBenchmark(profile, ips);

  const slowest = rows.reduce((m, row) => Math.min(m, row.ratio), Number.POSITIVE_INFINITY);
  return {
    redis: redisUrl().replace(/\/\/[^@]*@/, '//'),
    rows,
    exhausted,
    replicated,
    target: {
      description: `Tollgate full check (two counters) at least ${REDIS_TARGET_RATIO}× RateLimiterRedis (one counter) at every concurrency`,
      measured: slowest,
      met: slowest >= REDIS_TARGET_RATIO,
    },
  };
}

/**
 * The cost of `waitForReplicas`: on a master with one replica started for the run, Tollgate
 * without it, Tollgate with it (WAIT for one replica after every script call) and
 * RateLimiterRedis, round by round in turn, with the WAIT variant's ratios to both.
 */
async function runReplicatedBenchmark(profile, ips) {
  const pair = await startRedisPair();
  const clientOptions = { enableAutoPipelining: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 };
  const clients = [0, 1, 2].map(() => new Redis(pair.url, { ...clientOptions, lazyConnect: true }));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const [plainClient, waitClient, peerClient] = clients;
    const prefix = `tollgate-bench-wait:${process.pid}:`;
    const policy = {
      keys: [
        { id: 'bench', key: API_KEY, dailyLimit: 1e12, perIpDailyLimit: 1e9, timeZone: 'Europe/London' },
      ],
    };
    const engineOn = (client, options) =>
      createEngine({ policy, store: createRedisStore({ client, prefix, timeoutMs: 2_000, ...options }) });
    const plain = engineOn(plainClient, {});
    const waiting = engineOn(waitClient, { waitForReplicas: WAIT_OPTIONS });
    const limiter = new RateLimiterRedis({
      storeClient: peerClient,
      keyPrefix: `${prefix}rlf`,
      points: 1e9,
      duration: 86_400,
    });
    const n = ips.length;
    const engineOp = (engine) => {
      let i = 0;
      return async () => {
        const d = await engine.check({ apiKey: API_KEY, ip: ips[i] });
        i = i + 1 === n ? 0 : i + 1;
        if (!d.allowed) throw new Error(`Tollgate refused during the WAIT run: ${d.code}`);
      };
    };
    let r = 0;
    const ops = {
      tollgate: engineOp(plain),
      wait: engineOp(waiting),
      peer: async () => {
        await limiter.consume(ips[r]);
        r = r + 1 === n ? 0 : r + 1;
      },
    };
    for (const op of Object.values(ops)) await throughput(op, 4, Math.min(200, profile.timeMs));

    const rows = [];
    for (const concurrency of profile.concurrency) {
      const rounds = { tollgate: [], wait: [], peer: [] };
      for (let round = 0; round < profile.rounds; round++) {
        for (const [name, op] of Object.entries(ops)) {
          rounds[name].push(await throughput(op, concurrency, profile.timeMs));
        }
      }
      const tollgatePerSec = Math.round(median(rounds.tollgate));
      const waitPerSec = Math.round(median(rounds.wait));
      const peerPerSec = Math.round(median(rounds.peer));
      const ratio = (a, b) => Math.round((a / b) * 100) / 100;
      rows.push({
        concurrency,
        tollgatePerSec,
        waitPerSec,
        peerPerSec,
        waitVsTollgate: ratio(waitPerSec, tollgatePerSec),
        waitVsPeer: ratio(waitPerSec, peerPerSec),
        rounds: Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, v.map(Math.round)])),
      });
    }
    return {
      redis: 'a redis-server started for the run, with one replica',
      waitForReplicas: WAIT_OPTIONS,
      rows,
    };
  } finally {
    for (const c of clients) c.disconnect();
    pair.stop();
  }
}
