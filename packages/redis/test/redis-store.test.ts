// The Redis store on a single Redis: the shared store contract, then what only Redis does.

import * as crypto from 'node:crypto';
import type { CounterSpec } from '@tollgate/core';
import {
  findRedis,
  type RedisServer,
  type RedisTarget,
  startRedisServer,
  uniquePrefix,
} from '@tollgate/testkit/redis-server';
import { storeContract } from '@tollgate/testkit/store-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUME_SCRIPT } from '../src/consume-script.js';
import { createRedisStore, type RedisStore } from '../src/index.js';
import { connectRedis } from './support/clients.js';
import { IOREDIS_MAJOR, type Redis } from './support/ioredis.js';
import { IOREDIS_PACKAGES } from './support/ioredis-majors.js';

const DAY = 86_400_000;
let shared: RedisTarget;
let client: Redis;

beforeAll(async () => {
  shared = await findRedis();
  client = await connectRedis(shared.url);
});
afterAll(async () => {
  client?.disconnect();
  await shared?.stop();
});

// The shared server may be anyone's: every store gets its own prefix and clears only that.
storeContract('redis', {
  create: () => createRedisStore({ client, prefix: uniquePrefix('contract') }),
  dispose: (store) => store.clear?.(),
});

/** Counters of one scope, as the engine builds them: `${scope}:ip:<ip>` and `${scope}:daily`. */
function counters(scope: string, limits: { ip?: number; daily?: number }, expiresAt: number): CounterSpec[] {
  const out: CounterSpec[] = [];
  if (limits.ip !== undefined)
    out.push({ key: `${scope}:ip:203.0.113.7`, limit: limits.ip, expiresAt, scope });
  if (limits.daily !== undefined) out.push({ key: `${scope}:daily`, limit: limits.daily, expiresAt, scope });
  return out;
}

// Tests that flush scripts or read server-wide statistics get a server of their own.
describe('redis store on its own server', () => {
  let server: RedisServer;
  let own: Redis;
  const stores: RedisStore[] = [];
  const store = (options: Partial<Parameters<typeof createRedisStore>[0]> = {}) => {
    const s = createRedisStore({ client: own, prefix: uniquePrefix('own'), ...options });
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await startRedisServer();
    own = await connectRedis(server.url);
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    own?.disconnect();
    await server?.stop();
  });

  async function scriptCalls(): Promise<{ evalsha: number; eval: number; noscript: number }> {
    const stats = String(await own.info('commandstats')) + String(await own.info('errorstats'));
    const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    const noscript = Number(/errorstat_NOSCRIPT:count=(\d+)/.exec(stats)?.[1] ?? 0);
    return { evalsha: calls('evalsha'), eval: calls('eval'), noscript };
  }

  it('keeps counting after SCRIPT FLUSH: the script is sent again on NOSCRIPT', async () => {
    const s = store();
    const specs = counters('flush:2026-11-23', { ip: 100, daily: 100 }, Date.now() + DAY);
    const seen: number[] = [];
    for (let round = 0; round < 3; round++) {
      seen.push((await s.consume(specs, Date.now())).counts[1] as number);
      seen.push((await s.consume(specs, Date.now())).counts[1] as number);
      const before = await scriptCalls();
      await own.script('FLUSH');
      expect(await own.script('EXISTS', sha1(CONSUME_SCRIPT))).toEqual([0]);
      seen.push((await s.consume(specs, Date.now())).counts[1] as number);
      const after = await scriptCalls();
      // The check after the flush met NOSCRIPT and went through with EVAL.
      expect(after.noscript).toBe(before.noscript + 1);
      expect(after.eval).toBeGreaterThan(before.eval);
      expect(await own.script('EXISTS', sha1(CONSUME_SCRIPT))).toEqual([1]);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('names keys prefix + {scope} + rest and expires them expireSlackMs after expiresAt', async () => {
    const prefix = uniquePrefix('names');
    const s = store({ prefix, expireSlackMs: 5_000 });
    const expiresAt = Date.now() + 3_600_000;
    await s.consume(counters('shop-web:2026-11-23', { ip: 5, daily: 10 }, expiresAt), Date.now());
    await s.consume([{ key: 'other', limit: 5, expiresAt, scope: 'shop-web:2026-11-23' }], Date.now());
    const keys = (await own.keys(`${prefix}*`)).sort();
    const at = `@${expiresAt.toString(36)}`;
    expect(keys).toEqual([
      `${prefix}{shop-web:2026-11-23}#other${at}`,
      `${prefix}{shop-web:2026-11-23}:daily${at}`,
      `${prefix}{shop-web:2026-11-23}:ip:203.0.113.7${at}`,
    ]);
    for (const key of keys) {
      expect(await own.get(key)).toBe('1');
      expect(await own.call('PEXPIRETIME', key)).toBe(expiresAt + 5_000);
    }
  });

  it('keeps a key alive for the slack when the caller’s clock is behind Redis’s', async () => {
    const prefix = uniquePrefix('past');
    const s = store({ prefix, expireSlackMs: 10_000 });
    const then = Date.UTC(2020, 0, 1, 12);
    const specs = counters('past:2020-01-01', { daily: 3 }, Date.UTC(2020, 0, 2));
    const counts = [];
    for (let i = 0; i < 4; i++) counts.push(await s.consume(specs, then));
    expect(counts.map((r) => r.allowed)).toEqual([true, true, true, false]);
    const ttl = await own.pttl(`${prefix}{past:2020-01-01}:daily@${Date.UTC(2020, 0, 2).toString(36)}`);
    expect(ttl).toBeGreaterThan(8_000);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });

  it('answers a counter known full from its cache, without a round trip, until expiresAt', async () => {
    const s = store();
    const expiresAt = Date.now() + DAY;
    const specs = counters('cache:2026-11-23', { ip: 50, daily: 2 }, expiresAt);
    expect((await s.consume(specs, Date.now())).counts).toEqual([1, 1]);
    expect((await s.consume(specs, Date.now())).counts).toEqual([2, 2]);
    const calls = await scriptCalls();
    expect(s.stats()).toEqual({ roundTrips: 2, cacheHits: 0, failures: 0 });
    for (let i = 0; i < 5; i++) {
      expect(await s.consume(specs, Date.now())).toEqual({ allowed: false, refusedBy: 1, counts: [2, 2] });
    }
    expect(s.stats()).toEqual({ roundTrips: 2, cacheHits: 5, failures: 0 });
    const after = await scriptCalls();
    expect(after.evalsha + after.eval).toBe(calls.evalsha + calls.eval);

    // At its reset instant the counter is asked for again, and Redis has forgotten it too.
    const later = counters('cache:2026-11-23', { ip: 50, daily: 2 }, expiresAt + DAY);
    expect(await s.consume(later, expiresAt)).toEqual({ allowed: true, refusedBy: -1, counts: [1, 1] });
    expect(s.stats()).toEqual({ roundTrips: 3, cacheHits: 5, failures: 0 });
  });

  it('learns a counter filled by another process from Redis’s refusal, then stops asking', async () => {
    const prefix = uniquePrefix('learn');
    const a = store({ prefix });
    const b = store({ prefix });
    const specs = counters('learn:2026-11-23', { daily: 3 }, Date.now() + DAY);
    for (let i = 0; i < 3; i++) await a.consume(specs, Date.now());
    expect(await b.consume(specs, Date.now())).toEqual({ allowed: false, refusedBy: 0, counts: [3] });
    expect(await b.consume(specs, Date.now())).toEqual({ allowed: false, refusedBy: 0, counts: [3] });
    expect(b.stats()).toEqual({ roundTrips: 1, cacheHits: 1, failures: 0 });
  });

  it('sends concurrent checks of one key as batched script calls, each check still atomic', async () => {
    const s = store({ exhaustedCacheSize: 0 });
    const specs = counters('batch:2026-11-23', { ip: 1_000, daily: 50 }, Date.now() + DAY);
    const results = await Promise.all(Array.from({ length: 80 }, () => s.consume(specs, Date.now())));
    const allowed = results.filter((r) => r.allowed);
    expect(allowed).toHaveLength(50);
    expect(allowed.map((r) => r.counts[1]).sort((a, b) => (a as number) - (b as number))).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    // Refused checks changed nothing: they all saw the per-IP counter at 50.
    expect(results.filter((r) => !r.allowed).every((r) => r.refusedBy === 1 && r.counts[0] === 50)).toBe(
      true,
    );
    expect(s.stats().roundTrips).toBeLessThan(10);
  });

  it('asks Redis again when the limit is raised past a cached count', async () => {
    const s = store();
    const expiresAt = Date.now() + DAY;
    const spec = (limit: number) => counters('raise:2026-11-23', { daily: limit }, expiresAt);
    await s.consume(spec(1), Date.now());
    expect((await s.consume(spec(1), Date.now())).allowed).toBe(false);
    expect(await s.consume(spec(2), Date.now())).toEqual({ allowed: true, refusedBy: -1, counts: [2] });
  });

  it('asks Redis every time when exhaustedCacheSize is 0', async () => {
    const s = store({ exhaustedCacheSize: 0 });
    const specs = counters('nocache:2026-11-23', { daily: 1 }, Date.now() + DAY);
    for (let i = 0; i < 4; i++) await s.consume(specs, Date.now());
    expect(s.stats()).toEqual({ roundTrips: 4, cacheHits: 0, failures: 0 });
  });

  it('clear() deletes this prefix’s keys only, with glob characters in the prefix taken literally', async () => {
    const base = uniquePrefix('clear');
    const mine = createRedisStore({ client: own, prefix: `${base}a*[b]:` });
    const theirs = createRedisStore({ client: own, prefix: `${base}aXb:` });
    const expiresAt = Date.now() + DAY;
    const at = `@${expiresAt.toString(36)}`;
    const specs = counters('clear:2026-11-23', { ip: 5, daily: 5 }, expiresAt);
    await mine.consume(specs, Date.now());
    await theirs.consume(specs, Date.now());
    await own.set(`${base}unrelated`, 'x');
    await mine.clear();
    expect((await own.keys(`${base}*`)).sort()).toEqual([
      `${base}aXb:{clear:2026-11-23}:daily${at}`,
      `${base}aXb:{clear:2026-11-23}:ip:203.0.113.7${at}`,
      `${base}unrelated`,
    ]);
    expect((await mine.consume(specs, Date.now())).counts).toEqual([1, 1]);
  });

  it('works on a client with an ioredis keyPrefix, clear() included', async () => {
    const keyPrefix = uniquePrefix('kp');
    const prefixed = await connectRedis(server.url, { keyPrefix });
    try {
      const s = createRedisStore({ client: prefixed, prefix: 'app:' });
      const expiresAt = Date.now() + DAY;
      const specs = counters('kp:2026-11-23', { daily: 5 }, expiresAt);
      await s.consume(specs, Date.now());
      expect(await own.get(`${keyPrefix}app:{kp:2026-11-23}:daily@${expiresAt.toString(36)}`)).toBe('1');
      await s.clear();
      expect(await own.keys(`${keyPrefix}*`)).toEqual([]);
    } finally {
      prefixed.disconnect();
    }
  });

  it('takes about 100 bytes per key by MEMORY USAGE (the README’s figures)', async () => {
    const prefix = 'tollgate:';
    const s = createRedisStore({ client: own, prefix });
    const expiresAt = Date.now() + DAY;
    await s.consume(counters('shop-web:2026-11-23', { ip: 5, daily: 10 }, expiresAt), Date.now());
    const at = `@${expiresAt.toString(36)}`;
    const usage = async (key: string) => Number(await own.call('MEMORY', 'USAGE', `${prefix}${key}${at}`));
    expect(await usage('{shop-web:2026-11-23}:daily')).toBeLessThanOrEqual(104);
    expect(await usage('{shop-web:2026-11-23}:ip:203.0.113.7')).toBeLessThanOrEqual(120);
    await s.clear();
  });
});

describe('redis store basics', () => {
  it(`runs on the ioredis this run asked for (${IOREDIS_MAJOR})`, async () => {
    const chosen = (await import(IOREDIS_PACKAGES[IOREDIS_MAJOR])) as { Redis: new () => unknown };
    expect(client).toBeInstanceOf(chosen.Redis);
    // ioredis 5 speaks RESP2; ioredis 6 asks for RESP3 unless told otherwise.
    const resp = /(?:^| )resp=(\d+)/.exec(String(await client.client('INFO')))?.[1];
    expect(resp).toBe(IOREDIS_MAJOR === 5 ? '2' : '3');
  });

  it('answers a check with no counters without Redis', () => {
    const s = createRedisStore({ client, prefix: uniquePrefix('none') });
    expect(s.consume([], Date.now())).toEqual({ allowed: true, refusedBy: -1, counts: [] });
    expect(s.stats().roundTrips).toBe(0);
  });

  it('rejects checks after close() and leaves the client open', async () => {
    const s = createRedisStore({ client, prefix: uniquePrefix('closed') });
    await s.close();
    await expect(
      Promise.resolve().then(() => s.consume(counters('c:2026-11-23', { daily: 1 }, Date.now() + DAY), 0)),
    ).rejects.toMatchObject({ code: 'ERR_TOLLGATE_STORE' });
    expect(client.status).toBe('ready');
  });
});

function sha1(text: string): string {
  return crypto.createHash('sha1').update(text).digest('hex');
}
