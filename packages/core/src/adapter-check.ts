// What every adapter asks per request: the engine's decision, with preflights answered and the framework's proxy trust checked once.

import {
  ADAPTER_FACTORY,
  type AdapterOptions,
  type PreflightMode,
  parseAdapterOptions,
} from './adapter-options.js';
import type { Decision } from './decision.js';
import type { Engine } from './engine.js';
import { warnOnce } from './process-warning.js';
import type { RequestLike } from './request-input.js';

/**
 * A preflight the adapter answers: not allowed on to the app, answered with 204 and no body.
 * Like every decision, the adapter writes it as it is: `status`, `headers`, and `body` when there
 * is one.
 */
const PREFLIGHT_ANSWERED: Decision = Object.freeze({
  allowed: false,
  status: 204,
  code: 'preflight',
  headers: Object.freeze({}),
  limits: Object.freeze([]),
});

/** What an adapter can tell about its framework's trust-proxy setting. */
export interface ProxyTrust<Native> {
  /**
   * When the framework believes `X-Forwarded-For` from any peer (Express `trust proxy` true,
   * Koa `app.proxy` without `maxIpsCount`, Fastify `trustProxy: true`), says so in a few words;
   * otherwise `undefined`. Asked once, on the first decision that applies a per-IP cap.
   */
  readonly permissive: (native: Native) => string | undefined;
  /** The docs section on the setting, named in the warning. */
  readonly docs: string;
}

/** The check of one adapter instance. */
export interface AdapterCheck<Native> {
  readonly engine: Engine;
  readonly preflight: PreflightMode;
  /**
   * Decides one request. `native` is the framework's own request, passed to
   * {@link ProxyTrust.permissive}. Synchronous whenever the engine is.
   */
  check(req: RequestLike, native: Native): Decision | Promise<Decision>;
}

/**
 * Builds an adapter's check from its options. A CORS preflight comes back as a 204 decision
 * with `allowed: false` (the adapter answers it) unless `preflight` is `'next'`. The first
 * decision that applies a per-IP cap asks `trust` whether the framework trusts every proxy, and
 * if so emits one `TOLLGATE_PERMISSIVE_TRUST_PROXY` process warning: a client could then pick
 * the address its per-IP cap is counted under. Option errors name `factory`, the adapter's own
 * function (default `'tollgate'`).
 *
 * @example
 * const gate = createAdapterCheck(options, { permissive: (req) => …, docs: 'docs/frameworks/express.md#behind-a-proxy' });
 * const decision = gate.check({ header: (n) => req.headers[n], url: req.originalUrl, ip: req.ip, method: req.method }, req);
 */
export function createAdapterCheck<Native = unknown>(
  options: AdapterOptions,
  trust?: ProxyTrust<Native>,
  factory: string = ADAPTER_FACTORY,
): AdapterCheck<Native> {
  const { engine, preflight } = parseAdapterOptions(options, factory);
  const answer = preflight === 'answer';
  // Keys may come from a keySource, so whether any has a per-IP cap is known only from decisions.
  let watching = trust !== undefined;

  const settle = (decision: Decision, native: Native): Decision => {
    if (decision.code === 'preflight') return answer ? PREFLIGHT_ANSWERED : decision;
    if (watching && decision.limitedIp !== undefined) {
      watching = false;
      warnIfPermissive(trust as ProxyTrust<Native>, native);
    }
    return decision;
  };

  return {
    engine,
    preflight,
    check(req, native) {
      const decision = engine.checkRequest(req);
      if (!(decision instanceof Promise)) return settle(decision, native);
      // The engine decides preflights synchronously; a promise needs settling only while the
      // trust setting is still to be looked at, so later checks cost no extra promise.
      return watching ? decision.then((d) => settle(d, native)) : decision;
    },
  };
}

function warnIfPermissive<Native>(trust: ProxyTrust<Native>, native: Native): void {
  let setting: string | undefined;
  try {
    setting = trust.permissive(native);
  } catch {
    // Looking at the setting must never cost the request: no answer, no warning.
    return;
  }
  if (setting === undefined) return;
  warnOnce(
    'TOLLGATE_PERMISSIVE_TRUST_PROXY',
    `tollgate: ${setting}, so any client can send X-Forwarded-For to choose the address its per-IP cap ` +
      `is counted under, and walk past the cap. Trust only the proxies you run; see ${trust.docs}`,
  );
}
