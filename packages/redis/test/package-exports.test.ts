// The built package loads from ESM and CommonJS.

import { packageExports } from '@tollgate/testkit/package-exports';

packageExports('@tollgate/redis', ['createRedisStore'], import.meta.url);
