// The Redis store on a real 3-master Redis Cluster: the store contract, slots, and clear().

import { type RedisCluster, startRedisCluster, uniquePrefix } from '@tollgate/testkit/redis-server';
import { storeContract } from '@tollgate/testkit/store-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { connectCluster } from './support/clients.js';
import type { Cluster } from './support/ioredis.js';

const DAY = 86_400_000;
let cluster: RedisCluster;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  client = await connectCluster(cluster.nodes);
});
afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
});

storeContract('redis cluster', {
  create: () => createRedisStore({ client, prefix: uniquePrefix('cluster-contract') }),
  dispose: (store) => store.clear?.(),
});

describe('redis store on a cluster', () => {
  // Ids that differ in more than a digit or two: CRC16 maps `key-1`, `key-2`, ... to nearby slots.
  const scopes = Array.from(
    { length: 30 },
    (_, i) => `key-${((i * 2654435761) >>> 0).toString(36)}:2026-11-23`,
  );
  const specs = (scope: string, expiresAt: number) => [
    { key: `${scope}:ip:198.51.100.${scopes.indexOf(scope)}`, limit: 5, expiresAt, scope },
    { key: `${scope}:daily`, limit: 50, expiresAt, scope },
  ];

  it('keeps each check’s counters in one slot and spreads scopes over every master', async () => {
    const prefix = uniquePrefix('slots');
    const store = createRedisStore({ client, prefix });
    const expiresAt = Date.now() + DAY;
    const results = await Promise.all(
      scopes.map((scope) => store.consume(specs(scope, expiresAt), Date.now())),
    );
    expect(results.every((r) => r.allowed && r.counts.join() === '1,1')).toBe(true);

    for (const scope of scopes) {
      const [ip, daily] = specs(scope, expiresAt).map(
        (s) => `${prefix}{${scope}}${s.key.slice(scope.length)}@${expiresAt.toString(36)}`,
      );
      const slots = await Promise.all([ip, daily].map((k) => client.cluster('KEYSLOT', k as string)));
      expect(slots[0]).toBe(slots[1]);
      expect(await client.get(daily as string)).toBe('1');
    }
    const perMaster = await Promise.all(
      client.nodes('master').map(async (node) => (await node.keys(`${prefix}*`)).length),
    );
    expect(perMaster).toHaveLength(3);
    expect(perMaster.every((n) => n > 0)).toBe(true);
    expect(perMaster.reduce((a, b) => a + b, 0)).toBe(2 * scopes.length);
  });

  it('clear() deletes the prefix’s keys on every master and nothing else', async () => {
    const prefix = uniquePrefix('clear');
    const store = createRedisStore({ client, prefix });
    const other = createRedisStore({ client, prefix: uniquePrefix('kept') });
    const expiresAt = Date.now() + DAY;
    await Promise.all(scopes.map((scope) => store.consume(specs(scope, expiresAt), Date.now())));
    await other.consume(specs(scopes[0] as string, expiresAt), Date.now());
    await store.clear();
    const left = await Promise.all(client.nodes('master').map((node) => node.keys(`${prefix}*`)));
    expect(left.flat()).toEqual([]);
    expect((await other.consume(specs(scopes[0] as string, expiresAt), Date.now())).counts).toEqual([2, 2]);
    await other.clear();
  });
});
