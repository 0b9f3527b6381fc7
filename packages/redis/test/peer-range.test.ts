// The ioredis peer range admits exactly the majors the Redis suites run against (support/ioredis-majors.ts).
// `npm install @tollgate/redis ioredis` gets the newest ioredis; outside the range, every later npm install fails.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { IOREDIS_PACKAGES } from './support/ioredis-majors.js';

const require = createRequire(import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  peerDependencies: Record<string, string>;
};
const range = manifest.peerDependencies.ioredis as string;
const tested = Object.keys(IOREDIS_PACKAGES).map(Number);

describe('the ioredis peer range', () => {
  it('is a valid range', () => {
    expect(semver.validRange(range)).not.toBeNull();
  });

  it.each(Object.entries(IOREDIS_PACKAGES))(
    'admits ioredis %s, as installed for the suites (%s)',
    (major, name) => {
      const { version } = require(`${name}/package.json`) as { version: string };
      expect(semver.major(version)).toBe(Number(major));
      expect(semver.satisfies(version, range)).toBe(true);
      // And the whole major from the range's floor on: users get its newest release.
      expect(semver.satisfies(`${major}.999.999`, range)).toBe(true);
    },
  );

  it('admits no major the suites do not run against', () => {
    for (let major = 0; major <= Math.max(...tested) + 3; major++) {
      const inRange = semver.intersects(range, `>=${major}.0.0 <${major + 1}.0.0`);
      expect({ major, inRange }).toEqual({ major, inRange: tested.includes(major) });
    }
  });
});
