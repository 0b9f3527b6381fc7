// Builds @tollgate/core with the shared package build (tsup.base.ts), plus its CLI.
import { packageBuild } from '../../tsup.base.ts';

// The CLI (`tollgate hash-key`) is built alongside; package.json's bin points at its ESM file.
export default packageBuild({ entry: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts' } });
