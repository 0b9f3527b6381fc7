// What an Express fragment of the docs takes as given: its page's first example (the app, its policy, the adapter).

import type { Policy } from '@tollgate/core';
import type { TollgateOptions } from '@tollgate/express';
import type { Express } from 'express';

export { tollgate } from '@tollgate/express';
export { default as express } from 'express';
export const app: Express;
export const policy: Policy;
/** The options the page's examples pass to `tollgate()`. */
export const options: TollgateOptions;
