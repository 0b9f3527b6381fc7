// The built package loads from ESM and CommonJS.

import { packageExports } from '@tollgate/testkit/package-exports';

packageExports('@tollgate/client', ['createClient'], import.meta.url);
