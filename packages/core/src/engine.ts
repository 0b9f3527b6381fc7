// The decision engine: runs a request through key, whitelist, forwarding and daily caps, in that order.

import { type CompiledKey, type CompiledPolicy, compilePolicy } from './compile-policy.js';
import type { DayWindow } from './day-window.js';
import type { Decision, LimitState, RefusalCode } from './decision.js';
import type { TollgateEvent } from './events.js';
import { createMemoryStore, type MemoryStore } from './memory-store.js';
import { type EngineOptions, parseOptions } from './options.js';
import { problemFor } from './problem.js';
import { rateLimitHeaders, secondsUntil } from './rate-limit-headers.js';
import { inputFromRequest, type RequestLike } from './request-input.js';
import type { ConsumeResult, CounterSpec, Store } from './store.js';

/**
 * What one check looks at. Every field comes from the request and is treated as hostile.
 *
 * @example
 * engine.check({ apiKey: req.get('x-api-key'), origin: req.get('origin'), referer: req.get('referer'), ip: req.ip });
 */
export interface CheckInput {
  /** The API key; several distinct values (header and query disagree) are refused as ambiguous. */
  apiKey?: string | readonly string[] | undefined;
  /** The `Origin` header. */
  origin?: string | undefined;
  /** The `Referer` header. */
  referer?: string | undefined;
  /** The connecting address, as the framework's trust-proxy setting determines it. */
  ip?: string | undefined;
  /** The raw value of the policy's `sourceIpHeader`, when the request carries it. */
  sourceIp?: string | undefined;
  /**
   * True for a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`): it is let
   * through uncharged, as browsers never send credentials on preflights.
   */
  preflight?: boolean | undefined;
}

/** A compiled policy with its store: check requests with it. */
export interface Engine {
  /** Decides one request. Synchronous with the memory store; a promise with an async store. */
  check(input: CheckInput): Decision | Promise<Decision>;
  /** Reads the inputs off a request (see {@link RequestLike}) and decides it. */
  checkRequest(req: RequestLike): Decision | Promise<Decision>;
  /** Lower-case name of the forwarding header. */
  readonly sourceIpHeader: string;
  readonly store: Store;
}

const UNKNOWN_IP = 'unknown';

const PREFLIGHT: Decision = Object.freeze({
  allowed: true,
  status: 200,
  code: 'preflight',
  headers: Object.freeze({}),
  limits: Object.freeze([]),
});

/**
 * Compiles a policy into an engine. Bad policies and options throw a `TollgateError`
 * here, at setup, never later.
 *
 * @example
 * const engine = createEngine({
 *   policy: { keys: [{ id: 'shop-web', key: 'pk_live_0123456789', dailyLimit: 1000, timeZone: 'Europe/London' }] },
 *   onEvent: (e) => console.log(e),
 * });
 * const decision = engine.check({ apiKey: 'pk_live_0123456789', ip: '203.0.113.7' });
 */
export function createEngine(options: EngineOptions): Engine {
  const config = parseOptions(options);
  const policy: CompiledPolicy = compilePolicy(config.policy);
  const { store, now, onEvent, failureMode } = config;
  // Created on the first store failure: most engines never need it.
  let fallbackStore: MemoryStore | undefined;

  const emit = (event: TollgateEvent): void => {
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch (e) {
      globalThis.process?.emitWarning?.(
        `tollgate: onEvent handler threw: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  };

  const refuse = (code: RefusalCode, status: number, at: number, ip: string, key?: CompiledKey): Decision => {
    if (key === undefined) {
      emit({ type: 'auth_failure', code: code as 'missing_key', status: 401, ip, at });
      return { allowed: false, status, code, headers: {}, body: problemFor(code, status), limits: [] };
    }
    emit({ type: 'refused', code: code as 'daily_limit', status, keyId: key.id, ip, at });
    return {
      allowed: false,
      status,
      code,
      headers: {},
      body: problemFor(code, status),
      keyId: key.id,
      limits: [],
    };
  };

  function check(input: CheckInput): Decision | Promise<Decision> {
    if (input.preflight === true) return PREFLIGHT;
    const at = now();
    const rawIp = input.ip ?? '';
    const connIp = policy.ipKey(rawIp) ?? UNKNOWN_IP;

    // 1. The key.
    const apiKey = input.apiKey;
    if (apiKey === undefined || apiKey === '') return refuse('missing_key', 401, at, connIp);
    if (typeof apiKey !== 'string') {
      if (apiKey.length > 1) return refuse('ambiguous_key', 401, at, connIp);
      return check({ ...input, apiKey: apiKey[0] });
    }
    const key = policy.byKey.get(apiKey);
    if (key === undefined) return refuse('unknown_key', 401, at, connIp);

    // 2. The URL whitelist: either header may vouch for the request.
    if (key.matchUrl !== undefined) {
      const { origin, referer } = input;
      const hasOrigin = origin !== undefined && origin !== '';
      const hasReferer = referer !== undefined && referer !== '';
      if (!hasOrigin && !hasReferer) return refuse('origin_required', 403, at, connIp, key);
      if (!(hasOrigin && key.matchUrl(origin)) && !(hasReferer && key.matchUrl(referer))) {
        return refuse('origin_not_allowed', 403, at, connIp, key);
      }
    }

    // 3. Which address the per-IP cap applies to. A key without forwarding never reads the
    // header, so a browser-side key cannot claim to be someone else.
    let ip = connIp;
    if (key.ipForwarding && input.sourceIp !== undefined) {
      const forwarded = policy.ipKey(input.sourceIp);
      if (forwarded === undefined) return refuse('invalid_source_ip', 400, at, connIp, key);
      ip = forwarded;
    }

    // 4. The caps: one atomic consume over both counters, so a refusal by one charges neither.
    if (key.dailyLimit === undefined && key.perIpDailyLimit === undefined) {
      return { allowed: true, status: 200, code: 'ok', headers: {}, keyId: key.id, limits: [] };
    }
    const day = key.clock.window(at);
    const specs = key.counters.specs(day, ip);
    let result: ConsumeResult | Promise<ConsumeResult>;
    try {
      result = store.consume(specs, at);
    } catch (e) {
      return storeFailed(e, key, ip, day, specs, at);
    }
    if (result instanceof Promise) {
      return result.then(
        (r) => decide(r, key, ip, day, at),
        (e: unknown) => storeFailed(e, key, ip, day, specs, at),
      );
    }
    return decide(result, key, ip, day, at);
  }

  function decide(
    r: ConsumeResult,
    key: CompiledKey,
    ip: string,
    day: DayWindow,
    at: number,
    degraded?: 'fallback',
  ): Decision {
    const windowSeconds = Math.round((day.end - day.start) / 1000);
    // With an async store another request may have moved the key to a new day meanwhile:
    // reuse the cached policy header only when it describes this request's day.
    const policyHeader = key.counters.policyHeaderFor(day);
    const limits: LimitState[] = [];
    let i = 0;
    if (key.perIpDailyLimit !== undefined) limits.push(state('ip-daily', key.perIpDailyLimit, r.counts[i++]));
    if (key.dailyLimit !== undefined) limits.push(state('daily', key.dailyLimit, r.counts[i++]));

    const headers = rateLimitHeaders(limits, at, policyHeader);
    const limitedIp = key.perIpDailyLimit === undefined ? undefined : ip;
    if (limitedIp !== undefined) headers[policy.sourceIpHeaderName] = limitedIp;

    if (!r.allowed) {
      const refused = limits[r.refusedBy];
      const code = refused?.name === 'ip-daily' ? 'ip_daily_limit' : 'daily_limit';
      headers['Retry-After'] = String(secondsUntil(day.end, at));
      emit({ type: 'refused', code, status: 429, keyId: key.id, ip, at });
      return {
        allowed: false,
        status: 429,
        code,
        headers,
        body: problemFor(code, 429),
        keyId: key.id,
        limitedIp,
        limits,
      };
    }

    // Each count value is handed out once by the atomic consume, so the request that reaches
    // a threshold is the only one that can see it: exactly once per key, threshold and day.
    if (key.dailyLimit !== undefined && key.dailyLimit > 0) {
      const count = r.counts[r.counts.length - 1] ?? 0;
      if (count === key.warnAt) emit(threshold(key, 0.9, count, day, at));
      if (count === key.dailyLimit) emit(threshold(key, 1, count, day, at));
    }
    // One object literal: spreading into a new object here cost more than the whole store step.
    if (degraded !== undefined) {
      return { allowed: true, status: 200, code: 'ok', headers, keyId: key.id, limitedIp, limits, degraded };
    }
    return { allowed: true, status: 200, code: 'ok', headers, keyId: key.id, limitedIp, limits };

    function state(name: LimitState['name'], limit: number, used = 0): LimitState {
      return { name, limit, used, remaining: Math.max(0, limit - used), resetAt: day.end, windowSeconds };
    }
  }

  function threshold(key: CompiledKey, t: 0.9 | 1, count: number, day: DayWindow, at: number): TollgateEvent {
    return {
      type: 'threshold',
      keyId: key.id,
      threshold: t,
      count,
      limit: key.dailyLimit ?? 0,
      day: day.day,
      at,
    };
  }

  function storeFailed(
    e: unknown,
    key: CompiledKey,
    ip: string,
    day: DayWindow,
    specs: readonly CounterSpec[],
    at: number,
  ): Decision {
    const message = e instanceof Error ? e.message : String(e);
    emit({ type: 'store_error', keyId: key.id, message, failureMode, at });
    if (failureMode === 'fail-open') {
      return {
        allowed: true,
        status: 200,
        code: 'ok',
        headers: {},
        keyId: key.id,
        limits: [],
        degraded: 'fail-open',
      };
    }
    if (failureMode === 'fallback') {
      fallbackStore ??= createMemoryStore();
      return decide(fallbackStore.consume(specs, at), key, ip, day, at, 'fallback');
    }
    return refuse('store_unavailable', 503, at, ip, key);
  }

  return {
    check,
    checkRequest: (req) => check(inputFromRequest(req, policy.sourceIpHeader)),
    sourceIpHeader: policy.sourceIpHeader,
    store,
  };
}
