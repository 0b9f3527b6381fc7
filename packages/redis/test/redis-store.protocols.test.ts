// The store on ioredis 6's other protocols: the store contract over RESP2, and over RESP3 with RESP3 reply mapping.
// (ioredis 6's default, RESP3 with replies mapped as in RESP2, is what every other suite runs on.)

import { findRedis, type RedisTarget, uniquePrefix } from '@tollgate/testkit/redis-server';
import { storeContract } from '@tollgate/testkit/store-contract';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { RECOMMENDED } from './support/clients.js';

const PROTOCOLS = [
  ['RESP2', { protocol: 2 }],
  ['RESP3, replies mapped as RESP3', { protocol: 3, replyMapping: 'resp3' }],
] as const;

for (const [name, protocol] of PROTOCOLS) {
  describe(`ioredis 6 over ${name}`, () => {
    let shared: RedisTarget;
    let client: Redis<'legacy'> | Redis<'resp3'>;

    beforeAll(async () => {
      shared = await findRedis();
      client = new Redis(shared.url, { ...RECOMMENDED, ...protocol, lazyConnect: true });
      await client.connect();
    });
    afterAll(async () => {
      client?.disconnect();
      await shared?.stop();
    });

    it('speaks the protocol asked for', async () => {
      expect(/(?:^| )resp=(\d+)/.exec(String(await client.client('INFO')))?.[1]).toBe(
        String(protocol.protocol),
      );
    });

    storeContract(`redis, ioredis 6 over ${name}`, {
      create: () => createRedisStore({ client, prefix: uniquePrefix('protocol') }),
      dispose: (store) => store.clear?.(),
    });

    it('clears its prefix, and counts again from zero', async () => {
      const store = createRedisStore({ client, prefix: uniquePrefix('protocol') });
      const specs = [
        { key: 'p:2026-11-23:daily', limit: 2, expiresAt: Date.now() + 86_400_000, scope: 'p:2026-11-23' },
      ];
      await store.consume(specs, Date.now());
      expect(await store.consume(specs, Date.now())).toEqual({ allowed: true, refusedBy: -1, counts: [2] });
      await store.clear();
      expect(await store.consume(specs, Date.now())).toEqual({ allowed: true, refusedBy: -1, counts: [1] });
      await store.clear();
    });
  });
}
