// Builds @tollgate/core to dist/ as ESM and CommonJS, each with its own type declarations.
import { defineConfig } from 'tsup';

export default defineConfig({
  // The CLI (`tollgate hash-key`) is built alongside; package.json's bin points at its ESM file.
  entry: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
