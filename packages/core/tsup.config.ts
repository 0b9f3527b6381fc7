// Builds @tollgate/core with the shared package build (tsup.base.ts): its two entries, its CLI, and the benchmarks' internals.
import { packageBuild } from '../../tsup.base.ts';

// `index` is `@tollgate/core`, `adapter` is `@tollgate/core/adapter`, `option-reader` is
// `@tollgate/core/option-reader`, the one option reader of every package (package.json `exports`). The
// CLI (`tollgate hash-key`) is built alongside; package.json's bin points at its ESM file. `internal` is
// for bench/ only and on purpose in no `exports` entry (src/internal.ts). Split in CommonJS too, so the
// entries share one copy of the code: one TollgateError class for `instanceof`, one set of warnings emitted.
export default packageBuild({
  splitting: true,
  entry: {
    index: 'src/index.ts',
    adapter: 'src/adapter.ts',
    'option-reader': 'src/option-reader.ts',
    internal: 'src/internal.ts',
    'cli/main': 'src/cli/main.ts',
  },
});
