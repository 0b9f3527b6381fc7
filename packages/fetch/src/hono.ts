// Hono middleware on top of the fetch-standard check.

import type { Decision } from '@tollgate/core';
import type { AdapterOptions } from '@tollgate/core/adapter';
import { invalidOption } from '@tollgate/core/option-reader';
import type { Context, MiddlewareHandler } from 'hono';
import { type createHandler, handlerFor, withHeaders } from './handler.js';

/** Adapter options plus where the client address comes from. */
export type HonoTollgateOptions = AdapterOptions & {
  /**
   * Returns the client address. Default: the socket peer under `@hono/node-server`. On other
   * runtimes, or behind a proxy you trust, pass your own (e.g. Hono's `getConnInfo`).
   */
  ip?: (c: Context) => string | undefined;
  /**
   * Whether the client used HTTPS. Default: the request URL's scheme. Behind a TLS-terminating
   * proxy you trust, read its `X-Forwarded-Proto` here.
   */
  secure?: (c: Context) => boolean;
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
 * Hono middleware: refused requests, and CORS preflights (unless `preflight: 'next'`), are
 * answered here; allowed ones go on with the decision in `c.get('tollgate')` and the RateLimit
 * headers on the response.
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
  const { ip = nodeServerPeer, secure, ...adapterOptions } = options;
  if (secure !== undefined && typeof secure !== 'function') {
    throw invalidOption('tollgate', 'options.secure', 'expected a function (c) => boolean');
  }
  if (typeof ip !== 'function') {
    throw invalidOption('tollgate', 'options.ip', 'expected a function (c) => address');
  }
  const check = handlerFor(adapterOptions as AdapterOptions, 'tollgate');
  let warned = false;
  const middleware: MiddlewareHandler<{ Variables: TollgateVariables }> = async (c, next) => {
    const address = ip(c);
    if (address === undefined && !warned) {
      warned = true;
      globalThis.process?.emitWarning?.(
        'tollgate: no client address for this request; every such request shares one per-IP counter. ' +
          'Pass options.ip (e.g. from getConnInfo) on runtimes other than @hono/node-server.',
      );
    }
    const result = await check(c.req.raw, {
      ip: address,
      ...(secure === undefined ? {} : { secure: secure(c) }),
    });
    c.set('tollgate', result.decision);
    if (!result.allowed) return result.response;
    // Before next(), for the responses Hono builds (c.json, c.text, and HEAD's copy of GET's)...
    for (const name in result.headers) c.header(name, result.headers[name]);
    await next();
    // ...and after, for a Response the route built itself (headers possibly immutable, from fetch()).
    const headers = c.res.headers;
    if (Object.keys(result.headers).some((name) => headers.get(name) !== result.headers[name])) {
      const response = withHeaders(c.res, result.headers);
      if (response !== c.res) c.res = response;
    }
  };
  return Object.assign(middleware, { engine: check.engine });
}
