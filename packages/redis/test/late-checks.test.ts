// Checks that reach Redis after their caller gave up (a frozen server) are skipped: a timeout costs nothing.

import { createEngine, type Decision, type FailureMode } from '@tollgate/core';
import { type RedisServer, sleep, startRedisServer, uniquePrefix } from '@tollgate/testkit/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { connectRedis } from './support/clients.js';
import { startDelayProxy } from './support/delay-proxy.js';
import type { Redis } from './support/ioredis.js';

const DAY = 86_400_000;
const API_KEY = 'sk_test_late_checks_0123456789';
const policy = {
  keys: [{ id: 'late', key: API_KEY, dailyLimit: 1_000_000, perIpDailyLimit: 1_000_000, timeZone: 'UTC' }],
};

let server: RedisServer;
let client: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  client = await connectRedis(server.url);
  client.on('error', () => {});
});
afterAll(async () => {
  server?.signal('SIGCONT');
  client?.disconnect();
  await server?.stop();
});

/** The Redis key of the `late` key's daily counter today (UTC), as the store names it. */
function dailyKey(prefix: string): string {
  const day = new Date().toISOString().slice(0, 10);
  return `${prefix}{late:${day}}:daily@${(Date.parse(`${day}T00:00:00Z`) + DAY).toString(36)}`;
}

/** Resolves once Redis has worked through everything queued while it was stopped. */
async function drained(): Promise<void> {
  await client.ping();
  await sleep(50);
  await client.ping();
}

describe('a 3 s SIGSTOP of Redis under load', () => {
  it.each(['fail-closed', 'fallback'] as const)(
    'with %s: no check that timed out during the stop is counted by Redis after SIGCONT',
    async (failureMode: FailureMode) => {
      const prefix = uniquePrefix(`late-${failureMode}`);
      const engine = createEngine({
        policy,
        store: createRedisStore({ client, prefix, timeoutMs: 100 }),
        failureMode,
      });
      const outcomes: { decision: Decision; during: boolean }[] = [];
      let stopped = false;
      let running = true;
      const ips = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'];
      const loops = ips.map(async (ip) => {
        while (running) {
          const during = stopped;
          const decision = await engine.check({ apiKey: API_KEY, ip });
          outcomes.push({ decision, during: during || stopped });
          await sleep(1);
        }
      });
      try {
        await sleep(200);
        server.signal('SIGSTOP');
        stopped = true;
        await sleep(3_000);
      } finally {
        server.signal('SIGCONT');
      }
      stopped = false;
      running = false;
      await Promise.all(loops);
      await drained();

      const byRedis = (o: { decision: Decision }) => o.decision.allowed && o.decision.degraded === undefined;
      const answeredByRedis = outcomes.filter(byRedis).length;
      const failedDuringStop = outcomes.filter((o) => o.during && !byRedis(o)).length;
      // Enough traffic hit the stop for the test to mean something.
      expect(failedDuringStop).toBeGreaterThan(100);
      // Read the counter directly: only the checks Redis answered in time are on it.
      expect(Number(await client.get(dailyKey(prefix)))).toBe(answeredByRedis);
      // And Redis counts again.
      expect(await engine.check({ apiKey: API_KEY, ip: ips[0] as string })).toMatchObject({ allowed: true });
      expect(Number(await client.get(dailyKey(prefix)))).toBe(answeredByRedis + 1);
    },
    20_000,
  );
});

describe('deadlines in a batch', () => {
  /** Blocks the event loop, so that checks made before and after land in one batch. */
  function busy(ms: number): void {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // spin
    }
  }

  it('gives each check of a batch its own deadline: Redis skips the late one and counts the other', async () => {
    const prefix = uniquePrefix('batch-deadlines');
    // A check is skipped when it reaches Redis over 800 ms (timeoutMs less a fifth) after it was made.
    const store = createRedisStore({ client, prefix, timeoutMs: 1_000, exhaustedCacheSize: 0 });
    const day = new Date().toISOString().slice(0, 10);
    const specs = [
      {
        key: `late:${day}:daily`,
        limit: 100,
        expiresAt: Date.parse(`${day}T00:00:00Z`) + DAY,
        scope: `late:${day}`,
      },
    ];
    expect((await store.consume(specs, Date.now())).counts).toEqual([1]);

    server.signal('SIGSTOP');
    const settle = (p: Promise<unknown>) =>
      p.then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message }),
      );
    let first: Promise<unknown>;
    let early: Promise<unknown>;
    let later: Promise<unknown>;
    const t0 = performance.now();
    try {
      // `first` goes out at once; `early` and `later`, made 500 ms apart in one turn of the event
      // loop, go out together as one script call behind it.
      first = settle(store.consume(specs, Date.now()) as Promise<unknown>);
      early = settle(store.consume(specs, Date.now()) as Promise<unknown>);
      busy(500);
      later = settle(store.consume(specs, Date.now()) as Promise<unknown>);
      // Redis wakes after the first two checks' deadlines (t0 + 800) and before the last one's
      // (t0 + 1300); a late timer only moves this later, and there are 350 ms to spare.
      await sleep(950 - (performance.now() - t0));
    } finally {
      server.signal('SIGCONT');
    }
    const skipped = 'redis store: Redis received the check after its deadline and skipped it';
    expect(await first).toEqual({ error: skipped });
    expect(await early).toEqual({ error: skipped });
    expect(await later).toEqual({ value: { allowed: true, refusedBy: -1, counts: [2] } });
    expect(store.stats()).toMatchObject({ roundTrips: 3, failures: 2 });
    expect(await client.get(`${prefix}{late:${day}}:daily@${specs[0]?.expiresAt.toString(36)}`)).toBe('2');
  });
});

describe('an answer held up after Redis ran the check', () => {
  it('takes back what the check counted, once the answer comes after the check failed', async () => {
    const proxy = await startDelayProxy(server.port);
    const slow = await connectRedis(`redis://127.0.0.1:${proxy.port}`);
    slow.on('error', () => {});
    try {
      const prefix = uniquePrefix('held-up');
      const store = createRedisStore({ client: slow, prefix, timeoutMs: 100 });
      const day = new Date().toISOString().slice(0, 10);
      const specs = [
        {
          key: `late:${day}:daily`,
          limit: 100,
          expiresAt: Date.parse(`${day}T00:00:00Z`) + DAY,
          scope: `late:${day}`,
        },
      ];
      expect((await store.consume(specs, Date.now())).counts).toEqual([1]);
      // Redis runs the script at once (in time), but its answer takes 300 ms to come back.
      proxy.delayMs = 300;
      await expect(Promise.resolve(store.consume(specs, Date.now()))).rejects.toThrow(
        'redis store: Redis did not answer within 100 ms',
      );
      const key = dailyKey(prefix);
      expect(await client.get(key)).toBe('2');
      proxy.delayMs = 0;
      // The answer arrives, and the count is taken back.
      for (let i = 0; i < 100 && (await client.get(key)) !== '1'; i++) await sleep(10);
      expect(await client.get(key)).toBe('1');
    } finally {
      slow.disconnect();
      await proxy.close();
    }
  });
});
