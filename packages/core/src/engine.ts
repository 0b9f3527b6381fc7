// The decision engine: runs a request through transport, credentials, whitelist, forwarding and daily caps, in that order.

import { authChallenges, type TokenRefusal, UNKNOWN_KEY_TOKEN_DETAIL } from './auth-challenge.js';
import { TOKEN_FAILURES, type TokenFailure } from './bearer-header.js';
import { type CompiledKey, type CompiledPolicy, type Credential, compilePolicy } from './compile-policy.js';
import type { DayWindow } from './day-window.js';
import type { Decision, LimitState, RefusalCode } from './decision.js';
import { createDecisionMetrics, type DecisionMetrics } from './decision-metrics.js';
import { TollgateError } from './errors.js';
import type { TollgateEvent } from './events.js';
import { FallbackCounts, type FallbackResult } from './fallback-store.js';
import { FiredThresholds } from './fired-thresholds.js';
import { ipHasher, keyHashPrefix, keySha256 } from './key-hash.js';
import { createSourceResolver, type SourceResolver } from './key-source.js';
import { type EngineConfig, type EngineOptions, parseOptions } from './options.js';
import type { KeyPolicy } from './policy-schema.js';
import { problemFor } from './problem.js';
import { rateLimitHeaders, secondsUntil } from './rate-limit-headers.js';
import { inputFromRequest, type RequestLike } from './request-input.js';
import type { ConsumeResult, CounterSpec, Store } from './store.js';
import { StoreErrorCoalescer } from './store-error-coalescer.js';
import { credentialFailure } from './token-binding.js';
import type { TokenVerifier } from './token-verifier.js';

/**
 * What one check looks at. Every field comes from the request and is treated as hostile.
 *
 * @example
 * engine.check({ apiKey: req.get('x-api-key'), origin: req.get('origin'), referer: req.get('referer'), ip: req.ip, secure: req.secure });
 */
export interface CheckInput {
  /** The API key; several distinct values (header and query disagree) are refused as ambiguous. */
  apiKey?: string | readonly string[] | undefined;
  /**
   * The bearer token from `Authorization: Bearer …` (read only when `tokens` is configured);
   * `null` when the header says Bearer but holds no well-formed token.
   */
  bearer?: string | null | undefined;
  /** The `Origin` header. */
  origin?: string | undefined;
  /** The `Referer` header. */
  referer?: string | undefined;
  /** The connecting address, as the framework's trust-proxy setting determines it. */
  ip?: string | undefined;
  /** The raw value of the policy's `sourceIpHeader`, when the request carries it. */
  sourceIp?: string | undefined;
  /**
   * True for a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`): browsers never
   * send credentials on preflights, so it is decided `preflight` (allowed, uncharged, no event)
   * before any check. The framework adapters then answer it themselves with 204 unless told
   * `preflight: 'next'`; a caller of `check` decides what to do with it.
   */
  preflight?: boolean | undefined;
  /** Whether the request came over HTTPS, as the framework (and its trust-proxy setting) sees it. */
  secure?: boolean | undefined;
}

/** A compiled policy with its store: check requests with it. */
export interface Engine {
  /** Decides one request. Synchronous with the memory store and file keys; a promise otherwise. */
  check(input: CheckInput): Decision | Promise<Decision>;
  /** Reads the inputs off a request (see {@link RequestLike}) and decides it. */
  checkRequest(req: RequestLike): Decision | Promise<Decision>;
  /**
   * Swaps in a new policy without a restart; counters carry on (they are keyed by key id and
   * day). A bad policy throws `ERR_TOLLGATE_INVALID_POLICY` and the old one stays. Either way
   * a `config_reload` event is emitted.
   */
  reload(policy: unknown): void;
  /** The key's notification list (`notify`), for `@tollgate/notify`; empty when none. */
  notifyTargets(keyId: string): readonly string[];
  /** Lower-case name of the forwarding header. */
  readonly sourceIpHeader: string;
  readonly store: Store;
}

const UNKNOWN_IP = 'unknown';
const MINUTE = 60_000;

const PREFLIGHT: Decision = Object.freeze({
  allowed: true,
  status: 200,
  code: 'preflight',
  headers: Object.freeze({}),
  limits: Object.freeze([]),
});

/** What a refusal before the caps knows about the request. */
interface Refusal {
  readonly key?: CompiledKey | undefined;
  readonly keyHash?: string | undefined;
  readonly reason?: TokenFailure | 'unknown_key' | undefined;
}

/**
 * Compiles a policy into an engine. Bad policies and options throw a `TollgateError`
 * here, at setup, never later.
 *
 * @example
 * const engine = createEngine({
 *   policy: { keys: [{ id: 'shop-web', key: 'pk_live_0123456789', dailyLimit: 1000, timeZone: 'Europe/London' }] },
 *   onEvent: (e) => console.log(e),
 * });
 * const decision = engine.check({ apiKey: 'pk_live_0123456789', ip: '203.0.113.7', secure: true });
 */
export function createEngine(options: EngineOptions): Engine {
  return engineWith(parseOptions(options));
}

/** The engine of options already read: adapters read them under their own name (`tollgate: options...`). */
export function engineWith(config: EngineConfig): Engine {
  const { store, now, onEvent, failureMode, requireHttps, eventIps } = config;
  const compileOptions = {
    ipLabel: config.ipHashSecret === undefined ? undefined : ipHasher(config.ipHashSecret),
  };
  let policy: CompiledPolicy = compilePolicy(config.policy, compileOptions);
  const tokens: TokenVerifier | undefined = config.tokens;
  const challenge = authChallenges(tokens !== undefined);
  const metrics: DecisionMetrics | undefined =
    config.meter === undefined ? undefined : createDecisionMetrics(config.meter, { now, failureMode });
  const activity = config.unusualActivity;
  const source: SourceResolver | undefined =
    config.keySource === undefined
      ? undefined
      : createSourceResolver(config.keySource, config.keySourceTtlMs, (entry: KeyPolicy) =>
          compilePolicy({ keys: [entry] }, compileOptions),
        );
  if (config.ipHashSecret === undefined && store.shared === true) {
    // A shared store would otherwise hold every client address in clear for a day.
    globalThis.process?.emitWarning?.(
      'tollgate: a shared store is used without ipHashSecret, so per-IP counter keys hold client addresses; ' +
        'set ipHashSecret (the same in every process) to store a keyed hash instead',
    );
  }
  // With 'fallback', every answer of the store is remembered, so the local counts can start
  // from the store's last ones when it fails.
  const fallback = failureMode === 'fallback' ? new FallbackCounts() : undefined;
  const fired = new FiredThresholds();
  const storeErrors = new StoreErrorCoalescer(failureMode);
  // Last minute each key's ignored forwarding header was reported, so a chatty client makes one event a minute.
  const forwardingReported = new Map<string, number>();

  const deliver = (event: TollgateEvent): void => {
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch (e) {
      globalThis.process?.emitWarning?.(
        `tollgate: onEvent handler threw: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  };
  const emit = (event: TollgateEvent): void => {
    deliver(event);
    const unusual = activity?.observe(event);
    if (unusual !== undefined) deliver(unusual);
  };
  const withIp = (ip: string) => (eventIps ? { ip } : {});

  const refuse = (code: RefusalCode, status: number, at: number, ip: string, r: Refusal = {}): Decision => {
    const key = r.key;
    const headers: Record<string, string> = {};
    let body = problemFor(code, status);
    if (code === 'invalid_token') {
      const reason = (r.reason ?? 'malformed') as TokenRefusal;
      // The token's own failure says what was wrong; a well-signed token for a key no longer in
      // the policy is refused like an unknown key.
      const detail = reason === 'unknown_key' ? UNKNOWN_KEY_TOKEN_DETAIL : TOKEN_FAILURES[reason].detail;
      headers['WWW-Authenticate'] = challenge(reason);
      body = { ...body, detail, reason };
    }
    if (status === 401) {
      // RFC 9110: every 401 names how to authenticate.
      if (code !== 'invalid_token') headers['WWW-Authenticate'] = challenge();
      emit({
        type: 'auth_failure',
        code: code as 'missing_key',
        status: 401,
        ...(key === undefined ? {} : { keyId: key.id }),
        ...(r.keyHash === undefined ? {} : { keyHash: r.keyHash }),
        ...(code === 'invalid_token' ? { reason: r.reason as string } : {}),
        ...withIp(ip),
        at,
      });
    } else {
      emit({
        type: 'refused',
        code: code as 'daily_limit',
        status,
        ...(key === undefined ? {} : { keyId: key.id }),
        ...withIp(ip),
        at,
      });
    }
    if (key === undefined) return { allowed: false, status, code, headers, body, limits: [] };
    return { allowed: false, status, code, headers, body, keyId: key.id, limits: [] };
  };

  function check(input: CheckInput): Decision | Promise<Decision> {
    if (metrics === undefined) return decideRequest(input);
    const started = performance.now();
    const d = decideRequest(input);
    if (d instanceof Promise) {
      return d.then((decision) => {
        metrics.record(decision, performance.now() - started);
        return decision;
      });
    }
    metrics.record(d, performance.now() - started);
    return d;
  }

  function decideRequest(input: CheckInput): Decision | Promise<Decision> {
    if (input.preflight === true) return PREFLIGHT;
    const at = now();
    const connIp = policy.ipKey(input.ip ?? '') ?? UNKNOWN_IP;

    // 0. Transport: a key sent over plain HTTP has already been exposed; refuse it plainly.
    if (requireHttps && input.secure !== true) return refuse('https_required', 403, at, connIp);

    // 1. The credential: an API key or, when configured, a bearer token — not both.
    let apiKey = input.apiKey;
    if (apiKey !== undefined && typeof apiKey !== 'string') {
      if (apiKey.length > 1) return refuse('ambiguous_key', 401, at, connIp);
      apiKey = apiKey[0];
    }
    const hasKey = apiKey !== undefined && apiKey !== '';
    const bearer = tokens === undefined ? undefined : input.bearer;
    if (hasKey && bearer !== undefined) return refuse('ambiguous_key', 401, at, connIp);
    if (bearer !== undefined) return fromToken(bearer, input, at, connIp);
    if (!hasKey) return refuse('missing_key', 401, at, connIp);

    const sha256 = keySha256(apiKey as string);
    const credential = policy.byHash.get(sha256);
    if (credential !== undefined) return afterCredential(credential, sha256, input, at, connIp);
    if (source === undefined)
      return refuse('unknown_key', 401, at, connIp, { keyHash: keyHashPrefix(sha256) });
    return source.byHash(sha256).then(
      (found) =>
        found === undefined
          ? refuse('unknown_key', 401, at, connIp, { keyHash: keyHashPrefix(sha256) })
          : afterCredential(found, sha256, input, at, connIp),
      (e: unknown) => sourceFailed(e, at, connIp),
    );
  }

  function afterCredential(
    credential: Credential,
    sha256: string,
    input: CheckInput,
    at: number,
    connIp: string,
  ): Decision | Promise<Decision> {
    if (credential.expiresAt !== undefined && at >= credential.expiresAt) {
      return refuse('key_expired', 401, at, connIp, { key: credential.key, keyHash: keyHashPrefix(sha256) });
    }
    return afterKey(credential.key, input, at, connIp);
  }

  function fromToken(
    bearer: string | null,
    input: CheckInput,
    at: number,
    connIp: string,
  ): Promise<Decision> {
    const verifier = tokens as TokenVerifier;
    if (bearer === null)
      return Promise.resolve(refuse('invalid_token', 401, at, connIp, { reason: 'malformed' }));
    return verifier.verify(bearer, at).then(async (verdict) => {
      // An unreachable key set is the server's fault, not the token's: 503, retry later.
      if (!verdict.ok && verdict.reason === 'jwks_unavailable')
        return refuse('policy_unavailable', 503, at, connIp);
      if (!verdict.ok) return refuse('invalid_token', 401, at, connIp, { reason: verdict.reason });
      let key = policy.byId.get(verdict.keyId);
      if (key === undefined && source !== undefined) {
        try {
          key = await source.byId(verdict.keyId);
        } catch (e) {
          return sourceFailed(e, at, connIp);
        }
      }
      // A well-signed token for a key that is no longer in the policy opens nothing.
      if (key === undefined) return refuse('invalid_token', 401, at, connIp, { reason: 'unknown_key' });
      // A bound token lives no longer than its credential: rotated out, expired or removed,
      // the token goes with it. An unbound one (another issuer, or no keySha256) is bound to
      // the key alone and bounded by maxLifetimeSec.
      if (verdict.credentialId !== undefined) {
        const failure = credentialFailure(key, verdict.credentialId, at);
        if (failure !== undefined) return refuse('invalid_token', 401, at, connIp, { key, reason: failure });
      }
      return afterKey(key, input, at, connIp);
    });
  }

  function afterKey(
    key: CompiledKey,
    input: CheckInput,
    at: number,
    connIp: string,
  ): Decision | Promise<Decision> {
    if (key.disabled) return refuse('key_disabled', 403, at, connIp, { key });

    // 2. The URL whitelist: either header may vouch for the request.
    if (key.matchUrl !== undefined) {
      const { origin, referer } = input;
      const hasOrigin = origin !== undefined && origin !== '';
      const hasReferer = referer !== undefined && referer !== '';
      if (!hasOrigin && !hasReferer) return refuse('origin_required', 403, at, connIp, { key });
      if (!(hasOrigin && key.matchUrl(origin)) && !(hasReferer && key.matchUrl(referer))) {
        return refuse('origin_not_allowed', 403, at, connIp, { key });
      }
    }

    // 3. Which address the per-IP cap applies to. A key without forwarding never reads the
    // header, so a browser-side key cannot claim to be someone else.
    let ip = connIp;
    if (input.sourceIp !== undefined) {
      if (key.ipForwarding) {
        const forwarded = policy.ipKey(input.sourceIp);
        if (forwarded === undefined) return refuse('invalid_source_ip', 400, at, connIp, { key });
        ip = forwarded;
      } else {
        reportIgnoredForwarding(key, at);
      }
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
        (r) => {
          storeAnswered(specs, r, at);
          return decide(r, key, ip, day, at);
        },
        (e: unknown) => storeFailed(e, key, ip, day, specs, at),
      );
    }
    storeAnswered(specs, result, at);
    return decide(result, key, ip, day, at);
  }

  function storeAnswered(specs: readonly CounterSpec[], r: ConsumeResult, at: number): void {
    fallback?.observe(specs, r, at);
    if (storeErrors.holding) {
      const report = storeErrors.answered(now());
      if (report !== undefined) emit(report);
    }
  }

  function reportIgnoredForwarding(key: CompiledKey, at: number): void {
    const minute = Math.floor(at / MINUTE);
    if (forwardingReported.get(key.id) === minute) return;
    if (forwardingReported.size >= 10_000) forwardingReported.clear();
    forwardingReported.set(key.id, minute);
    emit({ type: 'forwarding_ignored', keyId: key.id, at });
  }

  function decide(
    r: ConsumeResult,
    key: CompiledKey,
    ip: string,
    day: DayWindow,
    at: number,
    degraded?: 'fallback',
    storeDaily?: number,
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
      emit({ type: 'refused', code, status: 429, keyId: key.id, ...withIp(ip), at });
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
    // The fallback's counts start above the store's last count (`storeDaily`), so there a check
    // crosses a threshold when it is past that count and at or over the threshold. Either way
    // `fired` keeps it to one event in this process across the switch to the fallback and back.
    if (key.dailyLimit !== undefined && key.dailyLimit > 0) {
      const count = r.counts[r.counts.length - 1] ?? 0;
      const before = storeDaily ?? count - 1;
      const warnAt = key.warnAt ?? key.dailyLimit;
      if (before < warnAt && count >= warnAt && fired.first(key.id, day.day, 0.9)) {
        emit(threshold(key, 0.9, count, day, at));
      }
      if (before < key.dailyLimit && count >= key.dailyLimit && fired.first(key.id, day.day, 1)) {
        emit(threshold(key, 1, count, day, at));
      }
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
    const report = storeErrors.failed(key.id, message, now());
    metrics?.storeFailed();
    if (report !== undefined) emit(report);
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
    if (fallback !== undefined) {
      let r: FallbackResult;
      try {
        r = fallback.consume(specs, at);
      } catch {
        // The local key-counter budget is full: refuse rather than count from nothing.
        return refuse('store_unavailable', 503, at, ip, { key });
      }
      return decide(r, key, ip, day, at, 'fallback', r.storeCounts[r.storeCounts.length - 1]);
    }
    return refuse('store_unavailable', 503, at, ip, { key });
  }

  function sourceFailed(e: unknown, at: number, ip: string): Decision {
    // A source error may quote its input; the input is a hash, never the key.
    const message = e instanceof TollgateError ? e.message : e instanceof Error ? e.message : String(e);
    emit({ type: 'key_source_error', message, at });
    return refuse('policy_unavailable', 503, at, ip);
  }

  function reload(next: unknown): void {
    const at = now();
    try {
      policy = compilePolicy(next, compileOptions);
    } catch (e) {
      emit({ type: 'config_reload', ok: false, message: e instanceof Error ? e.message : String(e), at });
      throw e;
    }
    source?.clear();
    emit({ type: 'config_reload', ok: true, keys: policy.byId.size, at });
  }

  return {
    check,
    checkRequest: (req) => check(inputFromRequest(req, policy.sourceIpHeader, tokens !== undefined)),
    reload,
    notifyTargets: (keyId) => (policy.byId.get(keyId) ?? source?.cachedById(keyId))?.notify ?? [],
    get sourceIpHeader() {
      return policy.sourceIpHeader;
    },
    store,
  };
}
