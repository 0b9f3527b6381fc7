// Redis going away: frozen, killed under load, restarted. Checks stay bounded and counting comes back.

import { createEngine, type Decision, type FailureMode, type TollgateEvent } from '@tollgate/core';
import { type RedisServer, sleep, startRedisServer, uniquePrefix } from '@tollgate/testkit/redis-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { connectRedis, RECOMMENDED, ready } from './support/clients.js';
import { Redis } from './support/ioredis.js';

const TIMEOUT_MS = 100;
// How late past the deadline a check may settle on a loaded two-core CI machine.
const LATENESS_MS = 150;
const DAY = 86_400_000;
/** A counter's reset instant is fixed, as the engine hands it out. */
const TOMORROW = Date.now() + DAY;
const specs = (scope: string, limit = 1_000) => [
  { key: `${scope}:daily`, limit, expiresAt: TOMORROW, scope },
];

let server: RedisServer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  server = await startRedisServer();
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await server?.stop();
});
beforeEach(async () => {
  // Each test starts with the server up and answering.
  server.signal('SIGCONT');
  if (server.pid < 0 || !(await isUp())) await server.restart();
});
afterEach(async () => {
  // Late replies and failed reconnects surface a little after a test's last await.
  await sleep(50);
  expect(unhandled).toEqual([]);
});

async function isUp(): Promise<boolean> {
  const probe = new Redis(server.url, { lazyConnect: true, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Settles `p`, returning how long it took and what it gave. */
async function timed<T>(p: () => T | Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const t0 = performance.now();
  try {
    const value = await p();
    return { ms: performance.now() - t0, value };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

describe('the store alone', () => {
  let client: Redis;
  beforeEach(async () => {
    client = await connectRedis(server.url);
    client.on('error', () => {});
  });
  afterEach(() => client.disconnect());

  it('rejects within timeoutMs when Redis stops answering, and absorbs the late replies', async () => {
    const store = createRedisStore({ client, prefix: uniquePrefix('frozen'), timeoutMs: TIMEOUT_MS });
    expect((await store.consume(specs('frozen'), Date.now())).counts).toEqual([1]);
    server.signal('SIGSTOP');
    let outcomes: Awaited<ReturnType<typeof timed>>[];
    try {
      outcomes = await Promise.all(
        Array.from({ length: 5 }, () => timed(() => store.consume(specs('frozen'), Date.now()))),
      );
    } finally {
      server.signal('SIGCONT');
    }
    for (const o of outcomes) {
      expect(o.error).toMatchObject({ code: 'ERR_TOLLGATE_STORE' });
      expect((o.error as Error).message).toBe(`redis store: Redis did not answer within ${TIMEOUT_MS} ms`);
      expect(o.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
      expect(o.ms).toBeLessThan(TIMEOUT_MS + LATENESS_MS);
    }
    // Redis skipped the timed-out scripts once it woke: they reached it after their deadline, so
    // none of the five was counted.
    await sleep(50);
    expect(await store.consume(specs('frozen'), Date.now())).toEqual({
      allowed: true,
      refusedBy: -1,
      counts: [2],
    });
    // Of the five concurrent checks, the first went out at once and the other four as one batch.
    expect(store.stats()).toMatchObject({ roundTrips: 4, failures: 5 });
  });

  it('rejects promptly while Redis is killed, and counts again once it is back', async () => {
    const store = createRedisStore({ client, prefix: uniquePrefix('killed'), timeoutMs: TIMEOUT_MS });
    expect((await store.consume(specs('killed'), Date.now())).counts).toEqual([1]);
    // In flight when the server dies: sent to a frozen server, which is then killed.
    server.signal('SIGSTOP');
    const inFlight = Array.from({ length: 3 }, () => timed(() => store.consume(specs('killed'), Date.now())));
    await sleep(10);
    await server.kill();
    const during: Awaited<ReturnType<typeof timed>>[] = await Promise.all(inFlight);
    for (let i = 0; i < 10; i++) {
      during.push(await timed(() => store.consume(specs('killed'), Date.now())));
      await sleep(10);
    }
    for (const o of during) {
      expect(o.error).toMatchObject({ code: 'ERR_TOLLGATE_STORE' });
      expect(o.ms).toBeLessThan(TIMEOUT_MS + LATENESS_MS);
    }
    // Once the client has seen the connection go, checks fail at once instead of waiting.
    expect(during.slice(-5).every((o) => o.ms < 20)).toBe(true);

    await server.restart();
    await ready(client);
    // The restarted server is empty (no persistence): counting starts again from 1, on Redis.
    const after = [];
    for (let i = 0; i < 3; i++) after.push((await store.consume(specs('killed'), Date.now())).counts[0]);
    expect(after).toEqual([1, 2, 3]);
  });

  it('rejects at once on a client that is not connected, without queueing, and connects it', async () => {
    const lazy = new Redis(server.url, { ...RECOMMENDED, lazyConnect: true });
    lazy.on('error', () => {});
    try {
      const store = createRedisStore({ client: lazy, prefix: uniquePrefix('lazy'), timeoutMs: TIMEOUT_MS });
      const first = await timed(() => store.consume(specs('lazy'), Date.now()));
      expect(first.error).toMatchObject({ code: 'ERR_TOLLGATE_STORE' });
      expect((first.error as Error).message).toBe('redis store: Redis is not ready (client status "wait")');
      expect(first.ms).toBeLessThan(20);
      await ready(lazy);
      expect((await store.consume(specs('lazy'), Date.now())).counts).toEqual([1]);
    } finally {
      lazy.disconnect();
    }
  });

  it('fails fast on a client with ioredis defaults (offline queue on, 20 retries) too', async () => {
    const defaults = new Redis(server.url, { retryStrategy: () => 20, lazyConnect: true });
    defaults.on('error', () => {});
    try {
      await defaults.connect();
      const store = createRedisStore({ client: defaults, prefix: uniquePrefix('defaults'), timeoutMs: 100 });
      await store.consume(specs('defaults'), Date.now());
      await server.kill();
      await sleep(30);
      const outcomes = [];
      for (let i = 0; i < 20; i++)
        outcomes.push(await timed(() => store.consume(specs('defaults'), Date.now())));
      expect(outcomes.every((o) => o.error !== undefined && o.ms < 20)).toBe(true);
      // Nothing waits in ioredis's offline queue to be replayed when Redis is back.
      expect((defaults as unknown as { offlineQueue: { length: number } }).offlineQueue.length).toBe(0);
    } finally {
      defaults.disconnect();
    }
  });
});

describe('the engine when Redis is killed under load and restarted', () => {
  const API_KEY = 'sk_test_faults_0123456789';
  const policy = {
    keys: [
      { id: 'faults', key: API_KEY, dailyLimit: 1_000_000, perIpDailyLimit: 1_000_000, timeZone: 'UTC' },
    ],
  };
  const IPS = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];

  interface Outcome {
    mode: FailureMode;
    startedAt: number;
    ms: number;
    decision: Decision;
  }

  it.each([
    [
      'the README’s client options (auto-pipelining off)',
      { ...RECOMMENDED, enableAutoPipelining: false },
      true,
    ],
    ['ioredis defaults (offline queue, resending, no auto-pipelining)', { retryStrategy: () => 20 }, false],
  ] as const)(
    'answers every check within the timeout per failureMode, then counts on Redis again, with %s',
    async (_, options, exact) => {
      const client = new Redis(server.url, { ...options, lazyConnect: true });
      client.on('error', () => {});
      await client.connect();
      const modes: FailureMode[] = ['fail-closed', 'fail-open', 'fallback'];
      const events: TollgateEvent[] = [];
      const prefixes = new Map<FailureMode, string>();
      const engines = modes.map((mode) => {
        const prefix = uniquePrefix(mode);
        prefixes.set(mode, prefix);
        return {
          mode,
          engine: createEngine({
            policy,
            store: createRedisStore({ client, prefix, timeoutMs: TIMEOUT_MS }),
            failureMode: mode,
            onEvent: (e) => events.push(e),
          }),
        };
      });

      const outcomes: Outcome[] = [];
      const testStart = performance.now();
      let running = true;
      const loops = engines.flatMap(({ mode, engine }) =>
        Array.from({ length: 6 }, async (_, i) => {
          while (running) {
            const startedAt = performance.now();
            const decision = await engine.check({ apiKey: API_KEY, ip: IPS[i % IPS.length] });
            outcomes.push({ mode, startedAt, ms: performance.now() - startedAt, decision });
            // Fail-fast outcomes come back at once; pace the loops so they leave room for the rest.
            await sleep(2);
          }
        }),
      );

      try {
        await sleep(200);
        const killedAt = performance.now();
        await server.kill();
        const downAt = performance.now();
        await sleep(300);
        const restartAt = performance.now();
        await server.restart();
        await ready(client);
        const readyAt = performance.now();
        await sleep(300);
        // store_error events are coalesced: failures held after the last event are reported by
        // the first check Redis answers a second or more after it. Keep the load on until then.
        const failed = (mode: FailureMode) =>
          outcomes.filter(
            (o) =>
              o.mode === mode &&
              (o.decision.degraded !== undefined || o.decision.code === 'store_unavailable'),
          ).length;
        const reported = (mode: FailureMode) =>
          events.reduce((n, e) => n + (e.type === 'store_error' && e.failureMode === mode ? e.count : 0), 0);
        const deadline = performance.now() + 3_000;
        while (modes.some((m) => reported(m) < failed(m)) && performance.now() < deadline) await sleep(50);
        running = false;
        await Promise.all(loops);

        for (const mode of modes) {
          const mine = outcomes.filter((o) => o.mode === mode);
          const normal = (o: Outcome) => o.decision.allowed && o.decision.degraded === undefined;
          // Listed rather than counted, so a failure shows which checks and when.
          const brief = (o: Outcome) => [o.startedAt - killedAt, o.ms, o.decision.code, o.decision.degraded];
          expect(mine.filter((o) => o.ms >= TIMEOUT_MS + LATENESS_MS).map(brief)).toEqual([]);
          expect(mine.filter((o) => o.startedAt + o.ms < killedAt && !normal(o)).map(brief)).toEqual([]);
          expect(mine.filter((o) => o.startedAt >= readyAt && !normal(o)).map(brief)).toEqual([]);

          const down = mine.filter((o) => o.startedAt >= downAt && o.startedAt < restartAt);
          expect(down.length).toBeGreaterThan(10);
          for (const { decision } of down) {
            if (mode === 'fail-closed') {
              expect(decision).toMatchObject({ allowed: false, status: 503, code: 'store_unavailable' });
            } else {
              expect(decision).toMatchObject({ allowed: true, status: 200, degraded: mode });
            }
          }
          if (mode === 'fallback') {
            // Counted locally meanwhile, going on from the last count Redis reported for the
            // address before it went away: one more each time, with no gap.
            const ipUsed = (o: Outcome) =>
              o.decision.limits.find((l) => l.name === 'ip-daily')?.used as number;
            const reported = Math.max(
              0,
              ...mine
                .filter((o) => o.startedAt < killedAt && normal(o) && o.decision.limitedIp === IPS[0])
                .map(ipUsed),
            );
            const used = mine
              .filter((o) => o.decision.degraded === 'fallback' && o.decision.limitedIp === IPS[0])
              .map(ipUsed)
              .sort((a, b) => a - b);
            expect(reported).toBeGreaterThan(0);
            expect(used).toEqual(used.map((_, i) => reported + 1 + i));
          }

          // The restarted server is empty; every check Redis answered once the old one was gone is on it.
          const day = new Date().toISOString().slice(0, 10);
          const at = `@${(Date.parse(`${day}T00:00:00Z`) + DAY).toString(36)}`;
          const counted = Number(await client.get(`${prefixes.get(mode)}{faults:${day}}:daily${at}`));
          const answered = mine.filter((o) => o.startedAt >= downAt && normal(o)).length;
          if (exact) {
            expect(counted).toBe(answered);
          } else {
            // ioredis resends scripts that were in flight when the connection dropped, once it is
            // back: checks already answered by failureMode may be counted too, at most one each.
            const inFlight = mine.filter((o) => o.startedAt < downAt && o.startedAt + o.ms > killedAt);
            expect(counted).toBeGreaterThanOrEqual(answered);
            expect(counted).toBeLessThanOrEqual(answered + inFlight.length);
          }
          expect(counted).toBeGreaterThan(10);
        }

        const storeErrors = events.filter((e) => e.type === 'store_error');
        // Coalesced per engine: the first at once, then at most one a second, each with the
        // number of failed checks it stands for, so together they count every failed check.
        const seconds = Math.ceil((performance.now() - testStart) / 1_000);
        for (const mode of modes) {
          expect(reported(mode)).toBe(failed(mode));
          expect(storeErrors.filter((e) => e.failureMode === mode).length).toBeLessThanOrEqual(seconds + 1);
        }
        expect(storeErrors.reduce((n, e) => n + e.count, 0)).toBeGreaterThan(30);
        expect(new Set(storeErrors.map((e) => e.failureMode))).toEqual(new Set(modes));
        expect(JSON.stringify(storeErrors)).not.toContain(API_KEY);
      } finally {
        running = false;
        await Promise.allSettled(loops);
        client.disconnect();
      }
    },
  );
});
