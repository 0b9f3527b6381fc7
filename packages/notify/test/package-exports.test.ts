// The built package loads from ESM and CommonJS.

import { packageExports } from '@tollgate/testkit/package-exports';

packageExports('@tollgate/notify', ['createNotifier', 'verifyWebhookSignature'], import.meta.url);
