// Builds @tollgate/core with the shared package build (tsup.base.ts), plus its CLI and the option reader.
import { packageBuild } from '../../tsup.base.ts';

// The CLI (`tollgate hash-key`) is built alongside; package.json's bin points at its ESM file.
// `option-reader` is the `@tollgate/core/option-reader` subpath the other packages read options with.
export default packageBuild({
  entry: { index: 'src/index.ts', 'option-reader': 'src/option-reader.ts', 'cli/main': 'src/cli/main.ts' },
  splitting: true,
});
