// What a Koa fragment of the docs takes as given: its page's first example (the app, its policy, the adapter).

import type { Policy } from '@tollgate/core';
import type Koa from 'koa';

export { tollgate } from '@tollgate/koa';
export { default as Koa } from 'koa';
export const app: Koa;
export const policy: Policy;
