// The consume script on a real Redis against a model: per-check deadlines, skipped checks cost nothing.

import { type CounterSpec, TollgateError } from '@tollgate/core';
import { findRedis, type RedisTarget, uniquePrefix } from '@tollgate/testkit/redis-server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUME_SCRIPT, decodeReply, encodeBatch, skipMarginMs } from '../src/consume-script.js';
import { connectRedis } from './support/clients.js';
import type { Redis } from './support/ioredis.js';

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

async function redisTime(): Promise<number> {
  const [s, us] = (await client.time()) as [number | string, number | string];
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

/** One check for the model: which counters (of a scope's three) with which limits, and whether it is late. */
const checkArb = fc.record({
  counters: fc.uniqueArray(fc.constantFrom('ip:a', 'ip:b', 'daily'), { minLength: 1, maxLength: 3 }),
  limits: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }),
  late: fc.boolean(),
});

describe('CONSUME_SCRIPT', () => {
  it('runs a batch as the checks one by one would, skipping each check past its own deadline', async () => {
    const expiresAt = Date.now() + DAY;
    await fc.assert(
      fc.asyncProperty(fc.array(checkArb, { minLength: 1, maxLength: 12 }), async (batch) => {
        const prefix = uniquePrefix('script');
        const scope = 'model:2026-11-23';
        const now = await redisTime();
        const checks = batch.map((c) => ({
          specs: c.counters.map(
            (name, i): CounterSpec => ({
              key: `${scope}:${name}`,
              limit: c.limits[i] as number,
              expiresAt,
              scope,
            }),
          ),
          // Far on either side of Redis's clock, so the test never depends on timing.
          deadline: c.late ? now - 60_000 : now + 60_000,
        }));
        const call = encodeBatch(prefix, 60_000, checks);
        const reply = await client.eval(CONSUME_SCRIPT, call.keys.length, ...call.keys, ...call.argv);
        const { redisNow, results } = decodeReply(reply, call.sizes);
        expect(Math.abs(redisNow - now)).toBeLessThan(10_000);

        // The model: counts start at zero; a late check is skipped and changes nothing.
        const counts = new Map<string, number>();
        for (let c = 0; c < checks.length; c++) {
          const { specs, deadline } = checks[c] as (typeof checks)[number];
          if (deadline < now) {
            expect(results[c]).toBeNull();
            continue;
          }
          const values = specs.map((s) => counts.get(s.key) ?? 0);
          const refusedBy = specs.findIndex((s, i) => (values[i] as number) >= s.limit);
          if (refusedBy < 0) for (const s of specs) counts.set(s.key, (counts.get(s.key) ?? 0) + 1);
          expect(results[c]).toEqual({
            allowed: refusedBy < 0,
            refusedBy,
            counts: specs.map((s) => counts.get(s.key) ?? 0),
          });
        }
        // What Redis holds is what the model holds: skipped and refused checks left no trace.
        for (const name of ['ip:a', 'ip:b', 'daily']) {
          const key = `${prefix}{${scope}}:${name}@${expiresAt.toString(36)}`;
          const held = await client.get(key);
          expect(held === null ? 0 : Number(held)).toBe(counts.get(`${scope}:${name}`) ?? 0);
          await client.del(key);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('answers a batch of skipped checks with -2 each and writes nothing', async () => {
    const prefix = uniquePrefix('skipped');
    const expiresAt = Date.now() + DAY;
    const specs = [{ key: 's:d:daily', limit: 10, expiresAt, scope: 's:d' }];
    const call = encodeBatch(prefix, 60_000, [
      { specs, deadline: (await redisTime()) - 1_000 },
      { specs, deadline: 0 },
    ]);
    const reply = (await client.eval(
      CONSUME_SCRIPT,
      call.keys.length,
      ...call.keys,
      ...call.argv,
    )) as number[];
    expect(reply.slice(1)).toEqual([-2, -2]);
    expect(await client.exists(...call.keys)).toBe(0);
  });
});

describe('encodeBatch and decodeReply', () => {
  it('gives every check its own deadline, in whole ms rounded down', () => {
    const expiresAt = 1_800_000_000_000;
    const spec = (key: string): CounterSpec => ({ key: `s:${key}`, limit: 3, expiresAt, scope: 's' });
    const call = encodeBatch('p:', 1_000, [
      { specs: [spec('ip:x'), spec('daily')], deadline: 100.9 },
      { specs: [spec('daily')], deadline: 250 },
    ]);
    const at = expiresAt.toString(36);
    expect(call).toEqual({
      keys: [`p:{s}:ip:x@${at}`, `p:{s}:daily@${at}`, `p:{s}:daily@${at}`],
      argv: [
        '1000',
        '100',
        '2',
        '3',
        String(expiresAt),
        '3',
        String(expiresAt),
        '250',
        '1',
        '3',
        String(expiresAt),
      ],
      sizes: [2, 1],
    });
  });

  it('decodes what the script can answer, and refuses anything else with ERR_TOLLGATE_STORE', () => {
    const result = fc.oneof(
      fc.constant(null),
      fc
        .array(fc.nat(), { minLength: 1, maxLength: 4 })
        .chain((counts) =>
          fc.integer({ min: -1, max: counts.length - 1 }).map((refusedBy) => ({ refusedBy, counts })),
        ),
    );
    fc.assert(
      fc.property(fc.nat(), fc.array(result, { minLength: 1, maxLength: 8 }), (redisNow, results) => {
        const reply: number[] = [redisNow];
        for (const r of results) reply.push(...(r === null ? [-2] : [r.refusedBy, ...r.counts]));
        const sizes = results.map((r) => (r === null ? 1 : r.counts.length));
        expect(decodeReply(reply, sizes)).toEqual({
          redisNow,
          results: results.map((r) => (r === null ? null : { allowed: r.refusedBy < 0, ...r })),
        });
        // Cut short or padded, the reply is refused.
        for (const bad of [reply.slice(0, -1), [...reply, 0]]) {
          expect(() => decodeReply(bad, sizes)).toThrow(TollgateError);
        }
      }),
    );
    fc.assert(
      fc.property(
        fc.anything(),
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
        (reply, sizes) => {
          try {
            decodeReply(reply, sizes);
          } catch (e) {
            expect((e as TollgateError).code).toBe('ERR_TOLLGATE_STORE');
          }
        },
      ),
    );
  });

  it('skips a check a fifth of timeoutMs before its caller gives up, at least 1 ms', () => {
    expect(skipMarginMs(50)).toBe(10);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (timeoutMs) => {
        const margin = skipMarginMs(timeoutMs);
        expect(margin).toBeGreaterThanOrEqual(1);
        expect(margin).toBeGreaterThanOrEqual(timeoutMs / 5);
        expect(margin).toBeLessThan(timeoutMs / 5 + 1);
      }),
    );
  });
});
