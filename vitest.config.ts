// One vitest run for the whole monorepo: every package's test/ folder, the example's, the benchmarks' smoke
// tests, the checks of the packed packages (packaging/) and of the docs' code blocks (docs/test).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
      'packaging/test/**/*.test.ts',
      'docs/test/**/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
