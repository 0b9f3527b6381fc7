// Koa middleware for Tollgate: reads the request, asks the engine, writes the decision.

import type { Decision, Engine } from '@tollgate/core';
import {
  type AdapterOptions,
  createAdapterCheck,
  type ProxyTrust,
  problemResponse,
} from '@tollgate/core/adapter';
import type { Context, Next } from 'koa';

export type { Decision, Engine, TollgateEvent } from '@tollgate/core';
export type { AdapterOptions as TollgateOptions } from '@tollgate/core/adapter';

/** The middleware, with the engine it uses (to share it or inspect its store). */
export type TollgateMiddleware = ((ctx: Context, next: Next) => Promise<void>) & { readonly engine: Engine };

// Koa has no list of trusted proxies: with `proxy` on and no `maxIpsCount`, ctx.ip is the
// leftmost X-Forwarded-For entry, which is whatever the client wrote.
const TRUST: ProxyTrust<Context> = {
  permissive: ({ app }) =>
    app.proxy && !(app.maxIpsCount > 0) ? "Koa's `app.proxy` is on without `app.maxIpsCount`" : undefined,
  docs: 'docs/frameworks/koa.md#behind-a-proxy',
};

/**
 * Koa middleware (Koa 2 and 3) that checks every request against the key's policy. Allowed
 * requests go on with the RateLimit headers set and the decision in `ctx.state.tollgate`;
 * refused ones are answered here with an `application/problem+json` body and never reach
 * later middleware or the app's `error` listeners. A CORS preflight is answered here with 204
 * (unless `preflight: 'next'`). The client address is Koa's `ctx.ip`, so `app.proxy` decides
 * whether `X-Forwarded-For` is believed.
 *
 * @example
 * import Koa from 'koa';
 * import { tollgate } from '@tollgate/koa';
 *
 * const app = new Koa();
 * app.use(tollgate({ policy }));
 * app.use((ctx) => { ctx.body = { ok: true, key: ctx.state.tollgate.keyId }; });
 */
export function tollgate(options: AdapterOptions): TollgateMiddleware {
  const gate = createAdapterCheck(options, TRUST);

  const middleware = (ctx: Context, next: Next): Promise<void> => {
    const decision = gate.check(
      {
        header: (name) => ctx.headers[name],
        url: ctx.originalUrl,
        ip: ctx.ip,
        method: ctx.method,
        // Koa's ctx.secure believes X-Forwarded-Proto only when app.proxy is set.
        secure: ctx.secure,
      },
      ctx,
    );
    // The memory store decides synchronously: no await, and no extra promise, on that path.
    if (decision instanceof Promise) return decision.then((d) => apply(ctx, d, next));
    return apply(ctx, decision, next);
  };
  return Object.assign(middleware, { engine: gate.engine });
}

function apply(ctx: Context, decision: Decision, next: Next): Promise<void> {
  ctx.state.tollgate = decision;
  if (decision.allowed) {
    const headers = decision.headers;
    for (const name in headers) ctx.set(name, headers[name] as string);
    return next();
  }
  const problem = problemResponse(decision);
  // Content-Type is among the headers, set before the body, so Koa keeps it instead of guessing text/plain.
  for (const name in problem.headers) ctx.set(name, problem.headers[name] as string);
  ctx.status = problem.status;
  if (problem.body !== undefined) ctx.body = problem.body;
  return Promise.resolve();
}
