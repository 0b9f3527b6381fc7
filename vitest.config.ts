// One vitest run for the whole monorepo: every package's test/ folder, the example's, the benchmarks' smoke
// tests, the checks of the packed packages (packaging/) and of the docs' code blocks (docs/test).
import { defineConfig } from 'vitest/config';
import {
  DEFAULT_MAJOR,
  IOREDIS_PACKAGES,
  MAJOR_ENV,
  SUITES_ON_EVERY_MAJOR,
} from './packages/redis/test/support/ioredis-majors.ts';

// Every test runs once, on the default ioredis major; the Redis suites that depend on the client
// run again on each other major @tollgate/redis supports, in a project of their own. (Not a
// top-level `include`: a project that extends the root would add its list to it.)
const otherMajors = Object.keys(IOREDIS_PACKAGES).filter((major) => major !== String(DEFAULT_MAJOR));

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: [
            'packages/*/test/**/*.test.ts',
            'examples/*/test/**/*.test.ts',
            'bench/test/**/*.test.ts',
            'packaging/test/**/*.test.ts',
            'docs/test/**/*.test.ts',
          ],
        },
      },
      ...otherMajors.map((major) => ({
        extends: true as const,
        test: { name: `ioredis${major}`, include: SUITES_ON_EVERY_MAJOR, env: { [MAJOR_ENV]: major } },
      })),
    ],
  },
});
