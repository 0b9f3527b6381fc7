// Public API of @tollgate/redis: the Redis and Redis Cluster store.

export type { RedisStoreOptions } from './options.js';
export { createRedisStore, type RedisStore, type RedisStoreStats } from './redis-store.js';
