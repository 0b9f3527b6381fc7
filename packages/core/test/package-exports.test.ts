// The built package loads from ESM and CommonJS.

import { packageExports } from '@tollgate/testkit/package-exports';

packageExports(
  '@tollgate/core',
  ['createEngine', 'createMemoryStore', 'resolveEngine', 'createAdapterCheck', 'parseAdapterOptions'],
  import.meta.url,
);
