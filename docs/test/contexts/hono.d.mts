// What a Hono fragment of the docs takes as given: its page's first example, and the proxy list the page defines.

import type { Policy } from '@tollgate/core';
import type { TollgateVariables } from '@tollgate/fetch';
import type { Hono } from 'hono';

export { tollgate } from '@tollgate/fetch';
export const app: Hono<{ Variables: TollgateVariables }>;
export const policy: Policy;
/** The addresses of the proxies the app trusts. */
export const PROXIES: ReadonlySet<string | undefined>;
