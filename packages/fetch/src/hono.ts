// Hono middleware on top of the fetch-standard check.

import { type AdapterOptions, type Decision, TollgateError } from '@tollgate/core';
import type { Context, MiddlewareHandler } from 'hono';
import { createHandler } from './handler.js';

/** Adapter options plus where the client address comes from. */
export type HonoTollgateOptions = AdapterOptions & {
  /**
   * Returns the client address. Default: the socket peer under `@hono/node-server`. On other
   * runtimes, or behind a proxy you trust, pass your own (e.g. Hono's `getConnInfo`).
   */
  ip?: (c: Context) => string | undefined;
};

/** Context variables the middleware sets: `c.get('tollgate')` is the decision. */
export interface TollgateVariables {
  tollgate: Decision;
}

/** The socket peer as `@hono/node-server` exposes it in `c.env`. */
function nodeServerPeer(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/**
 * Hono middleware: refused requests are answered here; allowed ones go on with the decision in
 * `c.get('tollgate')` and the RateLimit headers on the response.
 *
 * @example
 * import { Hono } from 'hono';
 * import { tollgate } from '@tollgate/fetch';
 *
 * const app = new Hono();
 * app.use(tollgate({ policy }));
 * app.get('/lookup', (c) => c.json({ key: c.get('tollgate').keyId }));
 */
export function tollgate(options: HonoTollgateOptions): MiddlewareHandler<{
  Variables: TollgateVariables;
}> & {
  readonly engine: ReturnType<typeof createHandler>['engine'];
} {
  const { ip = nodeServerPeer, ...adapterOptions } = options;
  if (typeof ip !== 'function') {
    throw new TollgateError('ERR_TOLLGATE_INVALID_OPTIONS', 'options.ip: expected a function (c) => address');
  }
  const check = createHandler(adapterOptions as AdapterOptions);
  const middleware: MiddlewareHandler<{ Variables: TollgateVariables }> = async (c, next) => {
    const result = await check(c.req.raw, { ip: ip(c) });
    c.set('tollgate', result.decision);
    if (!result.allowed) return result.response;
    // Set before next(): Hono copies these onto whatever response the handler builds.
    for (const name in result.headers) c.header(name, result.headers[name]);
    await next();
  };
  return Object.assign(middleware, { engine: check.engine });
}
