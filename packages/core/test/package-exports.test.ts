// The built package loads from ESM and CommonJS, both of its entries (package-surface.test.ts pins every name).

import { packageExports } from '@tollgate/testkit/package-exports';

packageExports(
  '@tollgate/core',
  ['createEngine', 'createMemoryStore', 'issueToken', 'keySha256'],
  import.meta.url,
);
packageExports(
  '@tollgate/core/adapter',
  ['resolveEngine', 'createAdapterCheck', 'parseAdapterOptions', 'inputFromRequest', 'problemResponse'],
  import.meta.url,
);
