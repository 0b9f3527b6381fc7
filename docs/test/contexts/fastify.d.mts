// What a Fastify fragment of the docs takes as given: its page's first example, and the routes' own names.

import type { Policy } from '@tollgate/core';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';

export { tollgate } from '@tollgate/fastify';
export { default as Fastify } from 'fastify';
export const app: FastifyInstance;
export const policy: Policy;
/** A second policy, for routes another engine checks. */
export const partnerPolicy: Policy;
/** Any route handler of the app. */
export const exportHandler: RouteHandlerMethod;
