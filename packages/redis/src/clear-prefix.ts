// Deletes every key under one prefix, on a single Redis or on every master of a Cluster.

import type { Cluster, Redis } from 'ioredis';
import { keyPattern } from './redis-key.js';

/** Keys asked for per SCAN step: large enough to be quick, small enough not to stall Redis. */
const SCAN_COUNT = 1_000;

/**
 * SCANs for `${prefix}*` and UNLINKs what it finds (UNLINK frees memory off Redis's main
 * thread). On a Cluster, SCAN only sees the node it is sent to, so every master is scanned.
 *
 * @example
 * await clearPrefix(client, 'tollgate:');
 */
export async function clearPrefix(client: Redis | Cluster, prefix: string): Promise<void> {
  const nodes = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  await Promise.all(nodes.map((node) => clearNode(node, prefix)));
}

async function clearNode(node: Redis, prefix: string): Promise<void> {
  // ioredis adds its keyPrefix to key arguments but not to SCAN's pattern, and SCAN returns
  // full names: match with it, strip it before UNLINK.
  const clientPrefix = node.options.keyPrefix ?? '';
  const match = keyPattern(clientPrefix + prefix);
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
    cursor = next;
    if (keys.length === 0) continue;
    // One key per UNLINK: keys found on one Cluster node may sit in different slots, and a
    // multi-key command across slots is refused.
    const batch = node.pipeline();
    for (const key of keys) batch.unlink(key.slice(clientPrefix.length));
    const results = (await batch.exec()) ?? [];
    const failed = results.find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0];
  } while (cursor !== '0');
}
