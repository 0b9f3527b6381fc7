// ioredis clients as the README recommends them, connected before a test uses them.

import { Cluster, Redis, type RedisOptions } from './ioredis.js';

/** The client options the README and docs/redis.md recommend, exactly. */
export const RECOMMENDED: RedisOptions = {
  enableAutoPipelining: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  autoResendUnfulfilledCommands: false,
  retryStrategy: (times) => Math.min(times * 20, 100),
};

/** A connected single-node client. */
export async function connectRedis(url: string, options: RedisOptions = RECOMMENDED): Promise<Redis> {
  const client = new Redis(url, { ...options, lazyConnect: true });
  await client.connect();
  return client;
}

/** A connected Cluster client. */
export async function connectCluster(nodes: readonly { host: string; port: number }[]): Promise<Cluster> {
  const client = new Cluster([...nodes], {
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    lazyConnect: true,
    redisOptions: { maxRetriesPerRequest: 1 },
  });
  await client.connect();
  if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
  return client;
}

/** Resolves once the client is ready again (after a restart of its server). */
export function ready(client: Redis | Cluster, timeoutMs = 5_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`client not ready after ${timeoutMs} ms (${client.status})`)),
      timeoutMs,
    );
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
