// The startup check of Redis's maxmemory-policy: an evicting policy forgets counters, so caps stop holding.

import type { Cluster, Redis } from 'ioredis';
import { withDeadline } from './deadline.js';

/** The code of the process warning emitted when Redis may evict counters. */
export const EVICTION_WARNING_CODE = 'TOLLGATE_REDIS_EVICTION_POLICY';

/** Where the warning sends the reader. */
const DOCS = 'docs/redis.md#eviction (in the Tollgate repository and package docs)';

/** How long one node may take to answer INFO before the check gives up on it, in ms. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Whether a `maxmemory-policy` lets Redis delete keys when memory runs out. Only `noeviction`
 * keeps them; `volatile-*` policies evict too, since every counter has an expiry. A value this
 * version does not know is taken as evicting, as Redis's policies other than `noeviction` all
 * evict.
 *
 * @example
 * isEvicting('allkeys-lru'); // true
 * isEvicting('noeviction'); // false
 */
export function isEvicting(policy: string): boolean {
  return policy !== 'noeviction';
}

/**
 * The `maxmemory_policy` field of an `INFO memory` reply, or undefined when the reply has none
 * (some managed services leave fields out). Only a plain policy name is taken, so nothing odd
 * from the server ends up in a warning.
 *
 * @example
 * policyFromInfo('# Memory\r\nmaxmemory_policy:allkeys-lru\r\n'); // 'allkeys-lru'
 */
export function policyFromInfo(info: string): string | undefined {
  const match = /(?:^|\n)maxmemory_policy:([a-z0-9-]{1,40})\r?(?:\n|$)/.exec(info);
  return match?.[1];
}

// Each client is checked once, however many stores share it.
const checked = new WeakSet<object>();

/**
 * Reads `maxmemory-policy` from the server, or from every master of a Cluster, once the client
 * is ready, and emits one process warning (code {@link EVICTION_WARNING_CODE}) naming the nodes
 * whose policy evicts. It reads `INFO memory`, since managed services often disable CONFIG, and
 * falls back to `CONFIG GET`; a node that answers neither is not reported (the policy cannot be
 * known). Never throws, never rejects, and runs once per client.
 *
 * @example
 * await checkEvictionPolicy(client);
 */
export function checkEvictionPolicy(client: Redis | Cluster): Promise<void> {
  if (checked.has(client)) return Promise.resolve();
  checked.add(client);
  return whenReady(client)
    .then(async () => {
      const nodes = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
      const policies = await Promise.all(nodes.map(readPolicyOff));
      const evicting: string[] = [];
      for (let i = 0; i < nodes.length; i++) {
        const policy = policies[i];
        if (policy !== undefined && isEvicting(policy))
          evicting.push(`${nodeName(nodes[i] as Redis)} (${policy})`);
      }
      if (evicting.length === 0) return;
      const where = client.isCluster ? `${evicting.length} of ${nodes.length} masters` : 'Redis';
      process.emitWarning(
        `@tollgate/redis: ${where} may evict keys when memory is full: ${evicting.join(', ')}. ` +
          'An evicted counter starts again from zero, so daily caps stop holding. ' +
          `Run Redis with maxmemory-policy noeviction; see ${DOCS}.`,
        { code: EVICTION_WARNING_CODE },
      );
    })
    .catch(() => {});
}

/** Resolves when the client is ready: now, or at its next `ready` event (it may never come). */
function whenReady(client: Redis | Cluster): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

// A Cluster connects to its nodes lazily, on their first command. Asking a node that is not
// connected yet over the Cluster's own connection would open it now, and the first checks routed
// to it would wait behind that handshake (seen: two 50 ms timeouts on a fresh client). Such a
// node is asked over a connection of its own, closed right after.
async function readPolicyOff(node: Redis): Promise<string | undefined> {
  if (node.status === 'ready') return readPolicy(node);
  const own = node.duplicate({ lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: 0 });
  own.on('error', () => {});
  try {
    return await readPolicy(own);
  } finally {
    own.disconnect();
  }
}

async function readPolicy(node: Redis): Promise<string | undefined> {
  const ask = <T>(command: Promise<T>) => withDeadline(command, PROBE_TIMEOUT_MS, () => new Error('timeout'));
  try {
    const policy = policyFromInfo(String(await ask(node.info('memory'))));
    if (policy !== undefined) return policy;
  } catch {
    // INFO refused (ACL, renamed command): try CONFIG.
  }
  try {
    return policyFromConfig(await ask(node.config('GET', 'maxmemory-policy')));
  } catch {
    return undefined;
  }
}

/**
 * The policy in a `CONFIG GET maxmemory-policy` reply, or undefined when it has none. ioredis
 * gives the reply as `[name, value]` (RESP2, and RESP3 with ioredis 6's default reply mapping)
 * or, with ioredis 6's `replyMapping: 'resp3'`, as `{ name: value }`. As with INFO, only a plain
 * policy name is taken.
 *
 * @example
 * policyFromConfig(['maxmemory-policy', 'allkeys-lru']); // 'allkeys-lru'
 * policyFromConfig({ 'maxmemory-policy': 'allkeys-lru' }); // 'allkeys-lru'
 */
export function policyFromConfig(reply: unknown): string | undefined {
  let value: unknown;
  if (Array.isArray(reply)) {
    if (reply[0] === 'maxmemory-policy') value = reply[1];
  } else if (typeof reply === 'object' && reply !== null && Object.hasOwn(reply, 'maxmemory-policy')) {
    value = (reply as Record<string, unknown>)['maxmemory-policy'];
  }
  return typeof value === 'string' && /^[a-z0-9-]{1,40}$/.test(value) ? value : undefined;
}

// host:port only: never the URL, which may hold a password.
function nodeName(node: Redis): string {
  const { host, port, path } = node.options;
  return path !== undefined && path !== '' ? 'a Unix socket' : `${host}:${port}`;
}
