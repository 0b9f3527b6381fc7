// Public API of @tollgate/fetch: the fetch-standard check and the Hono middleware on top of it.

export type { Decision, Engine, TollgateEvent } from '@tollgate/core';
export type { AdapterOptions as TollgateOptions } from '@tollgate/core/adapter';
export {
  type CheckHandler,
  type CheckResult,
  type ConnectionInfo,
  createHandler,
  refusal,
  withHeaders,
} from './handler.js';
export { type HonoTollgateOptions, type TollgateVariables, tollgate } from './hono.js';
