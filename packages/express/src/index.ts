// Express middleware for Tollgate: reads the request, asks the engine, writes the decision.

import type { Decision, Engine } from '@tollgate/core';
import {
  type AdapterOptions,
  createAdapterCheck,
  type ProxyTrust,
  problemResponse,
} from '@tollgate/core/adapter';
import type { Application, NextFunction, Request, RequestHandler, Response } from 'express';

export type { Decision, Engine, TollgateEvent } from '@tollgate/core';
export type { AdapterOptions as TollgateOptions } from '@tollgate/core/adapter';

/** The middleware, with the engine it uses (to share it or inspect its store). */
export type TollgateMiddleware = RequestHandler & { readonly engine: Engine };

// A hop count or a list of proxies is not flagged: only `true` believes every peer.
const TRUST: ProxyTrust<Request> = {
  permissive: (req) =>
    (req.app as Application).get('trust proxy') === true
      ? "Express's `trust proxy` setting is true"
      : undefined,
  docs: 'docs/frameworks/express.md#behind-a-proxy',
};

/**
 * Express middleware (Express 4 and 5) that checks every request against the key's policy.
 * Allowed requests go on with the RateLimit headers set and the decision in `res.locals.tollgate`;
 * refused ones are answered here with an `application/problem+json` body and never reach the
 * route or the app's error handler. A CORS preflight is answered here with 204 (unless
 * `preflight: 'next'`). The client address is Express's `req.ip`, so the app's `trust proxy`
 * setting decides whether `X-Forwarded-For` is believed.
 *
 * @example
 * import express from 'express';
 * import { tollgate } from '@tollgate/express';
 *
 * const app = express();
 * app.use(tollgate({ policy: JSON.parse(readFileSync('policy.json', 'utf8')) }));
 * app.get('/lookup', (req, res) => res.json({ ok: true }));
 */
export function tollgate(options: AdapterOptions): TollgateMiddleware {
  const gate = createAdapterCheck(options, TRUST);

  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    const decision = gate.check(
      {
        header: (name) => req.headers[name],
        url: req.originalUrl,
        ip: req.ip ?? req.socket.remoteAddress,
        method: req.method,
        // Express's req.secure follows its trust proxy setting for X-Forwarded-Proto.
        secure: req.secure,
      },
      req,
    );
    if (decision instanceof Promise) decision.then((d) => send(d, res, next), next);
    else send(decision, res, next);
  };
  return Object.assign(middleware, { engine: gate.engine });
}

function send(decision: Decision, res: Response, next: NextFunction): void {
  res.locals.tollgate = decision;
  if (decision.allowed) {
    for (const name in decision.headers) res.setHeader(name, decision.headers[name] as string);
    next();
    return;
  }
  // Plain Node response calls behave the same on Express 4 and 5.
  const problem = problemResponse(decision);
  res.statusCode = problem.status;
  for (const name in problem.headers) res.setHeader(name, problem.headers[name] as string);
  res.end(problem.body);
}
