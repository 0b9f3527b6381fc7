// waitForReplicas on a real Cluster with a replica per master: WAIT reaches the node that ran the script, through a failover.

import { type RedisCluster, sleep, startRedisCluster, uniquePrefix } from '@tollgate/testkit/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { connectCluster } from './support/clients.js';
import { type Cluster, Redis } from './support/ioredis.js';

const DAY = 86_400_000;
const TOMORROW = Date.now() + DAY;
const WAIT = { replicas: 1, timeoutMs: 150 };
const TIMEOUT_MS = 300;
const UNACKED = 'redis store: 0 of 1 replicas acknowledged the counts within 150 ms; they were taken back';
/** For checks that must succeed: room for replicas slowed by a loaded machine. */
// Checks on one master queue behind each other's WAIT on its one connection, so a burst over a
// fresh Cluster needs a deadline well past one WAIT.
const STEADY = { timeoutMs: 5_000, waitForReplicas: { replicas: 1, timeoutMs: 1_000 } };

let cluster: RedisCluster;
let client: Cluster;
/** Per master port, the port of its replica. */
const replicaOf = new Map<number, number>();

beforeAll(async () => {
  cluster = await startRedisCluster(3, 1);
  client = await connectCluster(cluster.nodes);
  client.on('error', () => {});
  for (const node of cluster.nodes.slice(3)) {
    const probe = new Redis(node.port, node.host);
    const info = String(await probe.info('replication'));
    probe.disconnect();
    replicaOf.set(Number(/master_port:(\d+)/.exec(info)?.[1]), node.port);
  }
}, 60_000);
afterAll(async () => {
  for (const node of cluster?.nodes ?? []) cluster.signal(node.port, 'SIGCONT');
  client?.disconnect();
  await cluster?.stop();
});

// Ids that differ in more than a digit or two: CRC16 maps `key-1`, `key-2`, ... to nearby slots.
const scopes = Array.from(
  { length: 24 },
  (_, i) => `key-${((i * 2654435761) >>> 0).toString(36)}:2026-11-23`,
);
const specs = (scope: string) => [{ key: `${scope}:daily`, limit: 1_000, expiresAt: TOMORROW, scope }];
const keyOf = (prefix: string, scope: string) => `${prefix}{${scope}}:daily@${TOMORROW.toString(36)}`;

/** The port of the master that holds `key` now. */
async function masterOf(key: string): Promise<number> {
  const slot = Number(await client.cluster('KEYSLOT', key));
  const ranges = await client.cluster('SLOTS');
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  return Number(range?.[2]?.[1]);
}

/** Reads a key on a replica (READONLY lets a Cluster replica answer reads of its master's slots). */
async function readOnReplica(port: number, key: string): Promise<number> {
  const replica = new Redis(port, '127.0.0.1');
  try {
    await replica.call('READONLY');
    return Number((await replica.get(key)) ?? 0);
  } finally {
    replica.disconnect();
  }
}

const settle = <T>(p: T | Promise<T>) =>
  Promise.resolve(p).then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.message }),
  );

describe('waitForReplicas on a Cluster', () => {
  it('waits on the master that ran each script: its replica has the counts; a frozen replica fails only its master’s checks', async () => {
    const prefix = uniquePrefix('cluster-acks');
    const steady = createRedisStore({ client, prefix, ...STEADY });
    const store = createRedisStore({ client, prefix, timeoutMs: TIMEOUT_MS, waitForReplicas: WAIT });
    const owner = new Map<string, number>();
    for (const scope of scopes) owner.set(scope, await masterOf(keyOf(prefix, scope)));
    expect(new Set(owner.values()).size).toBe(3);

    const first = await Promise.all(scopes.map((scope) => steady.consume(specs(scope), Date.now())));
    expect(first.every((r) => r.allowed && r.counts[0] === 1)).toBe(true);
    for (const scope of scopes) {
      const replica = replicaOf.get(owner.get(scope) as number) as number;
      expect(await readOnReplica(replica, keyOf(prefix, scope))).toBe(1);
    }

    // Freeze one master's replica: WAIT sent anywhere but that master would still say yes.
    const frozenMaster = owner.get(scopes[0] as string) as number;
    cluster.signal(replicaOf.get(frozenMaster) as number, 'SIGSTOP');
    let alone: Awaited<ReturnType<typeof settle>>;
    let outcomes: Awaited<ReturnType<typeof settle>>[];
    try {
      alone = await settle(store.consume(specs(scopes[0] as string), Date.now()));
      // Checks on that master queue behind each other's WAIT on its one connection: they fail by
      // the ack count or the store's deadline. The other masters answer as usual.
      outcomes = await Promise.all(
        scopes.map((scope) =>
          settle((owner.get(scope) === frozenMaster ? store : steady).consume(specs(scope), Date.now())),
        ),
      );
    } finally {
      cluster.signal(replicaOf.get(frozenMaster) as number, 'SIGCONT');
    }
    expect(alone).toEqual({ error: UNACKED });
    scopes.forEach((scope, i) => {
      if (owner.get(scope) === frozenMaster) expect(outcomes[i]).toHaveProperty('error');
      else expect(outcomes[i]).toHaveProperty('value.counts', [2]);
    });
    // Taken back (or skipped) on the frozen replica's master: those counters are at 1 again.
    const onFrozen = scopes.filter((s) => owner.get(s) === frozenMaster);
    const counts = async () =>
      Promise.all(onFrozen.map(async (s) => Number(await client.get(keyOf(prefix, s)))));
    for (let i = 0; i < 100 && (await counts()).some((n) => n !== 1); i++) await sleep(20);
    expect(await counts()).toEqual(onFrozen.map(() => 1));
  });

  it('keeps every count it answered when a master is killed and its replica takes over, then refuses to count unreplicated', async () => {
    const prefix = uniquePrefix('cluster-failover');
    const steady = createRedisStore({ client, prefix, ...STEADY });
    const store = createRedisStore({ client, prefix, timeoutMs: TIMEOUT_MS, waitForReplicas: WAIT });
    const scope = scopes[5] as string;
    const master = await masterOf(keyOf(prefix, scope));
    const replica = replicaOf.get(master) as number;
    for (let i = 1; i <= 5; i++) expect((await steady.consume(specs(scope), Date.now())).counts).toEqual([i]);

    cluster.signal(master, 'SIGKILL');
    const promote = new Redis(replica, '127.0.0.1');
    try {
      await promote.cluster('FAILOVER', 'TAKEOVER');
      for (let i = 0; i < 200 && !String(await promote.info('replication')).includes('role:master'); i++) {
        await sleep(20);
      }
      // The new master has every count answered before the kill.
      expect(Number(await promote.get(keyOf(prefix, scope)))).toBe(5);
    } finally {
      promote.disconnect();
    }
    // The store reaches the new master once the client has learnt the new map; with no replica
    // left there, nothing it counts would survive another failure, so checks fail and cost nothing.
    const errors: string[] = [];
    for (let i = 0; i < 40; i++) {
      const next = await settle(store.consume(specs(scope), Date.now()));
      expect(next).toHaveProperty('error');
      errors.push((next as { error: string }).error);
      if (errors.at(-1) === UNACKED) break;
      await sleep(50);
    }
    expect(errors.at(-1)).toBe(UNACKED);
    await sleep(100);
    expect(Number(await client.get(keyOf(prefix, scope)))).toBe(5);
  }, 30_000);

  it('follows a failover the old master survives (it answers MOVED) without failing a check', async () => {
    const prefix = uniquePrefix('cluster-moved');
    const store = createRedisStore({ client, prefix, ...STEADY });
    // A scope on a master that still has its replica (not the one killed above).
    let scope = '';
    let master = 0;
    for (const s of scopes) {
      master = await masterOf(keyOf(prefix, s));
      if (replicaOf.has(master)) {
        scope = s;
        break;
      }
    }
    const replica = replicaOf.get(master) as number;
    for (let i = 1; i <= 3; i++) expect((await store.consume(specs(scope), Date.now())).counts).toEqual([i]);

    const promote = new Redis(replica, '127.0.0.1');
    const demoted = new Redis(master, '127.0.0.1');
    try {
      // TAKEOVER: at once, without the masters' vote; the old master then sees it lost its slots
      // and follows the new one as its replica.
      await promote.cluster('FAILOVER', 'TAKEOVER');
      for (let i = 0; i < 250; i++) {
        const [a, b] = await Promise.all([promote.info('replication'), demoted.info('replication')]);
        if (String(a).includes('role:master') && String(b).includes('master_link_status:up')) break;
        await sleep(20);
      }
    } finally {
      promote.disconnect();
      demoted.disconnect();
    }
    // The client still sends this slot to the old master, which answers MOVED: the store learns
    // the new map and sends the check there, where the old master is now the replica that acknowledges.
    expect(await store.consume(specs(scope), Date.now())).toEqual({
      allowed: true,
      refusedBy: -1,
      counts: [4],
    });
    expect(store.stats().failures).toBe(0);
  });
});
