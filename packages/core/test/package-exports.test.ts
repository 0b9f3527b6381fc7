// The built package loads from ESM and CommonJS.

import { packageExports } from '@tollgate/testkit/package-exports';

packageExports('@tollgate/core', ['createEngine', 'createMemoryStore', 'resolveEngine'], import.meta.url);
