// Fastify plugin for Tollgate: checks each route's requests in a hook and writes the decision.

import { type Decision, type Engine, TollgateError } from '@tollgate/core';
import {
  type AdapterCheck,
  type AdapterOptions,
  createAdapterCheck,
  type ProxyTrust,
  problemResponse,
} from '@tollgate/core/adapter';
import { describeValue, invalidOption } from '@tollgate/core/option-reader';
import type {
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';

export type { Decision, Engine, TollgateEvent } from '@tollgate/core';

/** Where in Fastify's lifecycle the check runs. */
export type TollgateHook = 'onRequest' | 'preHandler';

/**
 * Plugin options: the same options as `createEngine` (or a ready `engine`) and `preflight`,
 * plus `hook`. `onRequest` (default) refuses before the body is read; `preHandler` runs after
 * the app's own `onRequest`/`preValidation` hooks (its authentication, say) and after body parsing.
 */
export type TollgateOptions = AdapterOptions & { hook?: TollgateHook };

/** A route's `config.tollgate`: `false` to opt out, or its own adapter options. */
export type TollgateRouteConfig = false | AdapterOptions;

declare module 'fastify' {
  interface FastifyInstance {
    /** The engine the plugin checks with (to share it, or to inspect its store). */
    tollgateEngine: Engine;
  }
  interface FastifyRequest {
    /** The decision for this request; null on routes that opted out. */
    tollgate: Decision | null;
  }
  interface FastifyContextConfig {
    /** `false` to skip Tollgate on this route, or options for a route-specific engine. */
    tollgate?: TollgateRouteConfig;
  }
}

const HOOKS: readonly TollgateHook[] = ['onRequest', 'preHandler'];

type CheckHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

// Documentation addresses (RFC 5737, RFC 3849), which no real proxy list holds.
const NOBODY = ['198.51.100.1', '2001:db8::1'];

// Fastify keeps `trustProxy` to itself, but its `ip` getter applies it: asked of a stand-in
// request from a documentation address that forwards another, it answers the forwarded one
// only when every peer is trusted (`trustProxy: true`, or a function that trusts anyone).
const TRUST: ProxyTrust<FastifyRequest> = {
  permissive(request) {
    const proto = Object.getPrototypeOf(request) as object;
    const believes = NOBODY.some((peer) => {
      const raw = { headers: { 'x-forwarded-for': '203.0.113.9' }, socket: { remoteAddress: peer } };
      return (Object.assign(Object.create(proto), { raw }) as FastifyRequest).ip === '203.0.113.9';
    });
    return believes ? "Fastify's `trustProxy` option trusts every peer" : undefined;
  },
  docs: 'docs/frameworks/fastify.md#behind-a-proxy',
};

const plugin: FastifyPluginCallback<TollgateOptions> = (fastify, options, done) => {
  const { hook = 'onRequest', ...engineOptions } = options;
  if (!HOOKS.includes(hook)) {
    const got = typeof hook === 'string' ? '' : `, got ${describeValue(hook)}`;
    done(invalidOption('tollgate', 'options.hook', `expected "onRequest" or "preHandler"${got}`));
    return;
  }
  let gate: AdapterCheck<FastifyRequest>;
  try {
    gate = createAdapterCheck(engineOptions as AdapterOptions, TRUST);
  } catch (e) {
    done(e as Error);
    return;
  }
  const defaultCheck = checkWith(gate);
  // Route-specific checks, keyed by the route's `config.tollgate` object.
  const routeChecks = new WeakMap<object, CheckHook>();
  const routeCheck = (config: object, where: string): CheckHook => {
    let check = routeChecks.get(config);
    if (check === undefined) {
      try {
        check = checkWith(createAdapterCheck(config as AdapterOptions, TRUST));
      } catch (e) {
        if (e instanceof TollgateError) e.message = `${where}: config.tollgate: ${e.message}`;
        throw e;
      }
      routeChecks.set(config, check);
    }
    return check;
  };

  fastify.decorate('tollgateEngine', gate.engine);
  fastify.decorateRequest('tollgate', null);
  // Route-specific engines are built when the route is declared, so a bad config fails at
  // startup. Routes declared before this plugin loaded are not seen here; theirs are built on
  // their first request instead.
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const config = (route.config as { tollgate?: unknown } | undefined)?.tollgate;
    const where = `route ${route.method} ${route.url}`;
    if (config !== null && typeof config === 'object') routeCheck(config, where);
    else if (config !== undefined && config !== false) {
      throw new TollgateError(
        'ERR_TOLLGATE_INVALID_OPTIONS',
        `${where}: config.tollgate: expected false or adapter options`,
      );
    }
  });
  // One app-wide hook, not one per route: it also covers routes declared before the plugin
  // loaded and requests that match no route, as the other frameworks' middleware does.
  fastify.addHook(hook, (request: FastifyRequest, reply: FastifyReply, next: HookHandlerDoneFunction) => {
    const config = (request.routeOptions.config as { tollgate?: unknown } | undefined)?.tollgate;
    if (config === false) {
      next();
      return;
    }
    if (config === undefined || config === null || typeof config !== 'object') {
      defaultCheck(request, reply, next);
      return;
    }
    let check: CheckHook;
    try {
      check = routeCheck(config, `route ${request.method} ${request.routeOptions.url ?? request.url}`);
    } catch (e) {
      next(e as Error);
      return;
    }
    check(request, reply, next);
  });
  done();
};

function checkWith(gate: AdapterCheck<FastifyRequest>): CheckHook {
  return (request, reply, done) => {
    const decision = gate.check(
      {
        header: (name) => request.headers[name],
        url: request.url,
        ip: request.ip,
        method: request.method,
        // Fastify's request.protocol believes X-Forwarded-Proto only from a trusted proxy (trustProxy).
        secure: request.protocol === 'https',
      },
      request,
    );
    if (decision instanceof Promise) decision.then((d) => send(d, request, reply, done), done);
    else send(decision, request, reply, done);
  };
}

function send(
  decision: Decision,
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  request.tollgate = decision;
  if (decision.allowed) {
    reply.headers(decision.headers);
    done();
    return;
  }
  // Sending from the hook ends the request here: the handler and the error handler never run.
  const problem = problemResponse(decision);
  reply.code(problem.status).headers(problem.headers).send(problem.body);
}

/**
 * The Tollgate Fastify plugin (Fastify 5). Register it before the routes it protects:
 *
 * @example
 * import Fastify from 'fastify';
 * import tollgate from '@tollgate/fastify';
 *
 * const app = Fastify({ trustProxy: '10.0.0.0/8' });
 * await app.register(tollgate, { policy });
 * app.get('/lookup', (request) => ({ ok: true, key: request.tollgate?.keyId }));
 * app.get('/health', { config: { tollgate: false } }, () => 'ok');
 */
export const tollgate = fp(plugin, { fastify: '5.x', name: '@tollgate/fastify' });
export default tollgate;
