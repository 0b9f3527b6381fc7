// Taking back failed checks' counts: which keys, and that Redis ends where it would have without them.

import type { ConsumeResult, CounterSpec } from '@tollgate/core';
import { findRedis, type RedisTarget, uniquePrefix } from '@tollgate/testkit/redis-server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUME_SCRIPT, decodeReply, encodeBatch } from '../src/consume-script.js';
import { batchOutcome, countedKeys, REFUND_SCRIPT, refund } from '../src/refund.js';
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

/** A batch's results as the script can give them, with each check's number of counters. */
const resultsArb = fc.array(
  fc.oneof(
    fc.integer({ min: 1, max: 3 }).map((n) => ({ n, result: null })),
    fc
      .array(fc.nat(), { minLength: 1, maxLength: 3 })
      .chain((counts) =>
        fc
          .integer({ min: -1, max: counts.length - 1 })
          .map((refusedBy) => ({ n: counts.length, result: { allowed: refusedBy < 0, refusedBy, counts } })),
      ),
  ),
  { maxLength: 10 },
);

function callOf(batch: { n: number }[]) {
  const sizes = batch.map((b) => b.n);
  const keys = sizes.flatMap((n, c) => Array.from({ length: n }, (_, i) => `k${c}.${i}`));
  return { keys, argv: [], sizes };
}

describe('batchOutcome and countedKeys', () => {
  it('fails skipped checks, and allowed ones when unacknowledged, taking back exactly their keys', () => {
    fc.assert(
      fc.property(resultsArb, fc.option(fc.constant('unacked'), { nil: undefined }), (batch, unacked) => {
        const call = callOf(batch);
        const results = batch.map((b) => b.result as ConsumeResult | null);
        const { outcomes, takeBack } = batchOutcome(call, results, unacked);
        const expected: string[] = [];
        batch.forEach((b, c) => {
          const outcome = outcomes[c];
          if (b.result === null) {
            expect(outcome).toEqual({
              failure: 'Redis received the check after its deadline and skipped it',
            });
          } else if (unacked !== undefined && b.result.allowed) {
            expect(outcome).toEqual({ failure: 'unacked' });
            for (let i = 0; i < b.n; i++) expected.push(`k${c}.${i}`);
          } else {
            expect(outcome).toEqual({ result: b.result });
          }
        });
        expect(takeBack).toEqual(expected);
        // Unacknowledged, what is taken back is what was counted.
        if (unacked !== undefined) expect(countedKeys(call, results)).toEqual(takeBack);
      }),
    );
  });
});

describe('REFUND_SCRIPT', () => {
  it('after any batch, taking back every allowed check leaves Redis as if none had run', async () => {
    const expiresAt = Date.now() + DAY;
    const checkArb = fc.record({
      counters: fc.uniqueArray(fc.constantFrom('ip:a', 'ip:b', 'daily'), { minLength: 1, maxLength: 3 }),
      limit: fc.integer({ min: 0, max: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        fc.array(checkArb, { maxLength: 12 }),
        async (base, batch) => {
          const prefix = uniquePrefix('refund');
          const scope = 'refund:2026-11-23';
          const names = ['ip:a', 'ip:b', 'daily'];
          const keyOf = (name: string) => `${prefix}{${scope}}:${name}@${expiresAt.toString(36)}`;
          // Counts from earlier checks that stand.
          for (const name of names) if (base > 0) await client.set(keyOf(name), String(base));
          const checks = batch.map((c) => ({
            specs: c.counters.map(
              (name): CounterSpec => ({ key: `${scope}:${name}`, limit: base + c.limit, expiresAt, scope }),
            ),
            deadline: Date.now() + DAY,
          }));
          const call = encodeBatch(prefix, 60_000, checks);
          if (call.keys.length > 0) {
            const reply = await client.eval(CONSUME_SCRIPT, call.keys.length, ...call.keys, ...call.argv);
            await refund(client, countedKeys(call, decodeReply(reply, call.sizes).results));
          }
          for (const name of names) {
            expect(await client.get(keyOf(name))).toBe(base > 0 ? String(base) : null);
            await client.del(keyOf(name));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('leaves a counter already gone alone', async () => {
    const key = `${uniquePrefix('gone')}{g}:daily`;
    expect(await client.eval(REFUND_SCRIPT, 2, key, key)).toBe(2);
    expect(await client.exists(key)).toBe(0);
  });
});
