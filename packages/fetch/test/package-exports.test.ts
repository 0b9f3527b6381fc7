// The built package loads from ESM and CommonJS.

import { packageExports } from '@tollgate/testkit/package-exports';

packageExports('@tollgate/fetch', ['tollgate', 'createHandler', 'withHeaders', 'refusal'], import.meta.url);
