// The maxmemory-policy check: one process warning when Redis (any Cluster master) may evict counters.

import {
  type RedisCluster,
  type RedisServer,
  sleep,
  startRedisCluster,
  startRedisServer,
} from '@tollgate/testkit/redis-server';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  checkEvictionPolicy,
  EVICTION_WARNING_CODE,
  isEvicting,
  policyFromConfig,
  policyFromInfo,
} from '../src/eviction-policy.js';
import { createRedisStore } from '../src/index.js';
import { connectCluster, connectRedis } from './support/clients.js';
import { type Cluster, Redis } from './support/ioredis.js';

const POLICIES = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
];

describe('policyFromInfo, policyFromConfig and isEvicting', () => {
  it('only noeviction keeps counters; volatile-* evict them too (every counter has an expiry)', () => {
    expect(POLICIES.filter((p) => !isEvicting(p))).toEqual(['noeviction']);
    expect(isEvicting('some-future-policy')).toBe(true);
  });

  it('finds the field among any other INFO lines, with \\r\\n or \\n', () => {
    const line = fc
      .stringMatching(/^[a-z_]{1,20}:[a-z0-9.]{0,20}$/)
      .filter((l) => !l.startsWith('maxmemory_policy'));
    fc.assert(
      fc.property(
        fc.array(line),
        fc.array(line),
        fc.constantFrom(...POLICIES),
        fc.constantFrom('\r\n', '\n'),
        (before, after, policy, eol) => {
          const info = ['# Memory', ...before, `maxmemory_policy:${policy}`, ...after].join(eol) + eol;
          expect(policyFromInfo(info)).toBe(policy);
          expect(policyFromInfo(['# Memory', ...before, ...after].join(eol))).toBeUndefined();
        },
      ),
    );
  });

  it('takes nothing but a plain policy name from the server', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const found = policyFromInfo(`maxmemory_policy:${value}\r\n`);
        if (found !== undefined) expect(found).toMatch(/^[a-z0-9-]{1,40}$/);
      }),
    );
    expect(policyFromInfo('maxmemory_policy:allkeys-lru\u001b[31m\r\n')).toBeUndefined();
    expect(policyFromInfo('x_maxmemory_policy:allkeys-lru\r\n')).toBeUndefined();
  });

  it('reads CONFIG GET as a pair (RESP2, ioredis 6 default) and as a map (ioredis 6 replyMapping resp3)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...POLICIES), (policy) => {
        expect(policyFromConfig(['maxmemory-policy', policy])).toBe(policy);
        expect(policyFromConfig({ 'maxmemory-policy': policy })).toBe(policy);
      }),
    );
    for (const none of [[], {}, null, undefined, 'allkeys-lru', 42, ['maxmemory', 'allkeys-lru']]) {
      expect(policyFromConfig(none)).toBeUndefined();
    }
  });

  it('takes nothing but a plain policy name from a CONFIG GET reply of any shape', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (value, other) => {
        for (const reply of [
          ['maxmemory-policy', value],
          { 'maxmemory-policy': value },
          value,
          [value, other],
        ]) {
          const found = policyFromConfig(reply);
          if (found !== undefined) expect(found).toMatch(/^[a-z0-9-]{1,40}$/);
        }
      }),
    );
    // Only the reply's own field: nothing inherited.
    expect(policyFromConfig(Object.create({ 'maxmemory-policy': 'allkeys-lru' }))).toBeUndefined();
    expect(policyFromConfig(['maxmemory-policy', 'allkeys-lru\u001b[31m'])).toBeUndefined();
  });
});

describe('the warning, on servers started with a policy', () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => {
    if ((w as Error & { code?: string }).code === EVICTION_WARNING_CODE) warnings.push(w);
  };
  const servers: RedisServer[] = [];
  const clients: Redis[] = [];
  beforeAll(() => process.on('warning', onWarning));
  afterAll(async () => {
    process.off('warning', onWarning);
    for (const c of clients) c.disconnect();
    for (const s of servers) await s.stop();
  });
  beforeEach(() => {
    warnings.length = 0;
  });

  async function serverWith(policy: string): Promise<Redis> {
    const server = await startRedisServer(['--maxmemory-policy', policy]);
    servers.push(server);
    const client = await connectRedis(server.url);
    clients.push(client);
    return client;
  }
  /** Warnings are emitted on the next tick: let them arrive. */
  const settled = () => sleep(20);

  it('warns once, with the code, the node and the docs, when the policy is allkeys-lru', async () => {
    const client = await serverWith('allkeys-lru');
    await checkEvictionPolicy(client);
    await checkEvictionPolicy(client);
    await settled();
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning?.name).toBe('Warning');
    expect(warning?.message).toContain(`127.0.0.1:${client.options.port} (allkeys-lru)`);
    expect(warning?.message).toContain('maxmemory-policy noeviction');
    expect(warning?.message).toContain('docs/redis.md#eviction');
  });

  it('warns for volatile-ttl too', async () => {
    await checkEvictionPolicy(await serverWith('volatile-ttl'));
    await settled();
    expect(warnings.map((w) => w.message.includes('(volatile-ttl)'))).toEqual([true]);
  });

  it('does not warn when the policy is noeviction', async () => {
    await checkEvictionPolicy(await serverWith('noeviction'));
    await settled();
    expect(warnings).toEqual([]);
  });

  it('is run by createRedisStore, once per client however many stores share it', async () => {
    const client = await serverWith('allkeys-lfu');
    createRedisStore({ client });
    createRedisStore({ client, prefix: 'other:' });
    for (let i = 0; i < 100 && warnings.length === 0; i++) await sleep(20);
    await sleep(100);
    expect(warnings.map((w) => w.message.includes('(allkeys-lfu)'))).toEqual([true]);
  });

  it('waits for a client that is not connected yet', async () => {
    const server = await startRedisServer(['--maxmemory-policy', 'allkeys-random']);
    servers.push(server);
    const lazy = new Redis(server.url, { lazyConnect: true, enableOfflineQueue: false });
    clients.push(lazy);
    const checked = checkEvictionPolicy(lazy);
    await sleep(50);
    expect(warnings).toEqual([]);
    await lazy.connect();
    await checked;
    await settled();
    expect(warnings).toHaveLength(1);
  });

  it('stays silent, and the store works, when neither INFO nor CONFIG may be used', async () => {
    const admin = await serverWith('allkeys-lru');
    await admin.call('ACL', 'SETUSER', 'app', 'on', '>secret-pw', '~*', '+@all', '-info', '-config');
    const restricted = new Redis(admin.options.port as number, '127.0.0.1', {
      username: 'app',
      password: 'secret-pw',
      lazyConnect: true,
    });
    clients.push(restricted);
    await restricted.connect();
    await expect(restricted.info('memory')).rejects.toThrow(/NOPERM/);
    await checkEvictionPolicy(restricted);
    await settled();
    expect(warnings).toEqual([]);
    const store = createRedisStore({ client: restricted, prefix: 'acl:' });
    const expiresAt = Date.now() + 86_400_000;
    expect(
      await store.consume([{ key: 'a:d:daily', limit: 5, expiresAt, scope: 'a:d' }], Date.now()),
    ).toEqual({
      allowed: true,
      refusedBy: -1,
      counts: [1],
    });
  });

  // ioredis 6 speaks RESP3 by default; with `replyMapping: 'resp3'` a CONFIG GET reply is an
  // object, not a pair. (ioredis 5 speaks RESP2 and ignores both options.)
  it.each([
    ['the default reply mapping', {}],
    ['RESP2', { protocol: 2 as const }],
    ['RESP3 replies mapped as RESP3', { protocol: 3 as const, replyMapping: 'resp3' as const }],
  ])('falls back to CONFIG GET when INFO is refused, on a client with %s', async (_, protocol) => {
    const admin = await serverWith('allkeys-lru');
    await admin.call('ACL', 'SETUSER', 'app2', 'on', '>secret-pw', '~*', '+@all', '-info');
    const restricted = new Redis(admin.options.port as number, '127.0.0.1', {
      username: 'app2',
      password: 'secret-pw',
      lazyConnect: true,
      ...protocol,
    });
    clients.push(restricted);
    await restricted.connect();
    await checkEvictionPolicy(restricted);
    await settled();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('(allkeys-lru)');
    // The password is never part of it.
    expect(warnings[0]?.message).not.toContain('secret-pw');
  });

  it('reads INFO on a client with RESP3 replies mapped as RESP3', async () => {
    const server = await startRedisServer(['--maxmemory-policy', 'volatile-lfu']);
    servers.push(server);
    const resp3 = new Redis(server.url, { protocol: 3, replyMapping: 'resp3', lazyConnect: true });
    clients.push(resp3);
    await resp3.connect();
    await checkEvictionPolicy(resp3);
    await settled();
    expect(warnings.map((w) => w.message.includes('(volatile-lfu)'))).toEqual([true]);
  });
});

describe('the warning on a Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  const warnings: Error[] = [];
  const onWarning = (w: Error) => {
    if ((w as Error & { code?: string }).code === EVICTION_WARNING_CODE) warnings.push(w);
  };
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    process.on('warning', onWarning);
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await cluster?.stop();
  });
  afterEach(() => client?.disconnect());

  it('reads every master and names the ones that evict, in one warning', async () => {
    const evicting = cluster.nodes[1] as { host: string; port: number };
    const node = new Redis(evicting.port, evicting.host);
    await node.config('SET', 'maxmemory-policy', 'allkeys-lru');
    node.disconnect();
    client = await connectCluster(cluster.nodes);
    await checkEvictionPolicy(client);
    await sleep(20);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain(`1 of 3 masters`);
    expect(warnings[0]?.message).toContain(`${evicting.host}:${evicting.port} (allkeys-lru)`);
  });
});
