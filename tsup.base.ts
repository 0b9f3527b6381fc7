// The one build every package shares: ESM and CommonJS, each with its own type declarations.
import { defineConfig, type Options } from 'tsup';

/** A package's tsup config: the shared settings, with `entry` (and anything else) overridable. */
export function packageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    ...overrides,
  });
}
