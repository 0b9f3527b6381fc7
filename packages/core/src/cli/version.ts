// The CLI's version: the one in @tollgate/core's package.json, read where the package is installed.

import { readFileSync } from 'node:fs';

/** The `version` of the package.json that holds this file (dist/cli/ two levels below it). */
export function packageVersion(): string {
  // Read at run time rather than copied in at build time, so it cannot disagree with the
  // package that is actually installed.
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === '@tollgate/core' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // Not this level; try the next.
    }
  }
  throw new Error('cannot find the package.json of @tollgate/core');
}
