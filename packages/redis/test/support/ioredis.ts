// The ioredis the Redis suites run against: the `ioredis` devDependency (6), or another major by TOLLGATE_TEST_IOREDIS.

import * as ioredis6 from 'ioredis';
import * as ioredis5 from 'ioredis5';
import { DEFAULT_MAJOR, IOREDIS_PACKAGES, type IoredisMajor, MAJOR_ENV } from './ioredis-majors.js';

/** The major this run uses (vitest.config.ts sets it per project; a plain run uses the default). */
export const IOREDIS_MAJOR: IoredisMajor = majorFromEnv(process.env[MAJOR_ENV]);

function majorFromEnv(value: string | undefined): IoredisMajor {
  if (value === undefined || value === '') return DEFAULT_MAJOR;
  const major = Number(value);
  if (Object.hasOwn(IOREDIS_PACKAGES, value) && Number.isInteger(major)) return major as IoredisMajor;
  // A typo must not quietly run the default major and pass for the one asked for.
  throw new Error(`${MAJOR_ENV}: expected one of ${Object.keys(IOREDIS_PACKAGES).join(', ')}, got ${value}`);
}

const modules: Record<IoredisMajor, unknown> = { 5: ioredis5, 6: ioredis6 };

// Typed as ioredis 6 whatever the major: the tests use only what the majors share, and the store
// duck-types its client, so either works at runtime. That consumers of each major compile
// against the published types is checked by published-types.test.ts.
const chosen = modules[IOREDIS_MAJOR] as typeof ioredis6;

/** The `Redis` class of this run's major. */
export const Redis = chosen.Redis;
export type Redis = ioredis6.Redis;
/** The `Cluster` class of this run's major. */
export const Cluster = chosen.Cluster;
export type Cluster = ioredis6.Cluster;
// Without `replyMapping`: ioredis 6's constructors take it only when set (under
// exactOptionalPropertyTypes they refuse an options object typed with an optional one).
export type RedisOptions = Omit<ioredis6.RedisOptions, 'replyMapping'>;
