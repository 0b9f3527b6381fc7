// What a Redis fragment of the docs takes as given: its page's first example, and a client of Tollgate's own.

import type { Redis } from 'ioredis';

export { createRedisStore } from '@tollgate/redis';
/** A Redis client that only Tollgate uses. */
export const tollgateRedis: Redis;
