// Which ioredis majors the Redis suites run against: read by vitest.config.ts, support/ioredis.ts and peer-range.test.ts.

/** Each major the peer range admits, with the devDependency of @tollgate/redis that installs it. */
export const IOREDIS_PACKAGES = { 5: 'ioredis5', 6: 'ioredis' } as const;
export type IoredisMajor = keyof typeof IOREDIS_PACKAGES;

/** The major of a plain run, which runs every suite: the one `npm install ioredis` gets today. */
export const DEFAULT_MAJOR: IoredisMajor = 6;

/** The environment variable that makes a run use another major (`TOLLGATE_TEST_IOREDIS=5`). */
export const MAJOR_ENV = 'TOLLGATE_TEST_IOREDIS';

/**
 * The suites run once more on every other major: the ones whose outcome hangs on the client's
 * behaviour (replies, pipelines, reconnects, the internals dropped-commands.ts reads). The
 * others test our own logic, the same whichever client sends it.
 */
export const SUITES_ON_EVERY_MAJOR = [
  'packages/redis/test/redis-store.test.ts',
  'packages/redis/test/redis-store.cluster.test.ts',
  'packages/redis/test/cross-process.test.ts',
  'packages/redis/test/faults.test.ts',
  'packages/redis/test/connection-health.test.ts',
  'packages/redis/test/connection-health.cluster.test.ts',
  'packages/redis/test/eviction-policy.test.ts',
  'packages/redis/test/replica-acks.test.ts',
];
