// Decisions are data: what the engine concluded about one request, ready for any framework to send.

/** Stable lower-case codes for every outcome. See docs/errors.md. */
export type DecisionCode =
  | 'ok'
  | 'preflight'
  | 'https_required'
  | 'missing_key'
  | 'unknown_key'
  | 'ambiguous_key'
  | 'key_expired'
  | 'invalid_token'
  | 'key_disabled'
  | 'origin_required'
  | 'origin_not_allowed'
  | 'invalid_source_ip'
  | 'ip_daily_limit'
  | 'daily_limit'
  | 'store_unavailable'
  | 'policy_unavailable';

/** The codes of refused requests: every code but `ok` and `preflight`. */
export type RefusalCode = Exclude<DecisionCode, 'ok' | 'preflight'>;

/** Which limit a {@link LimitState} describes. */
export type LimitName = 'daily' | 'ip-daily';

/** The state of one daily counter after the check. */
export interface LimitState {
  readonly name: LimitName;
  /** The cap for the day. */
  readonly limit: number;
  /** Allowed requests counted so far today, this one included when it was allowed. */
  readonly used: number;
  /** `limit - used`, never below 0. */
  readonly remaining: number;
  /** Epoch ms of the next reset: the next local midnight in the key's time zone. */
  readonly resetAt: number;
  /** Length of the current day in seconds (82800 or 90000 on DST days). */
  readonly windowSeconds: number;
}

/** An RFC 9457 problem body for a refusal. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** The stable decision code, also given as the `code` of the {@link Decision}. */
  readonly code: DecisionCode;
  /** For `invalid_token`: what was wrong with the token (`expired`, `wrong_audience`, ...). */
  readonly reason?: string;
}

/**
 * The outcome of `engine.check()`. Middleware sets `headers` on the response and, when
 * `allowed` is false, answers `status` itself: with `body` as `application/problem+json` for a
 * refusal, and with no body when there is none (a CORS preflight the adapter answers, 204).
 *
 * @example
 * const d = await engine.check({ apiKey, origin, referer, ip });
 * if (!d.allowed) res.status(d.status).set(d.headers).json(d.body);
 */
export interface Decision {
  readonly allowed: boolean;
  /** 200 when allowed; otherwise 400, 401, 403, 429 or 503, or 204 for a preflight an adapter answers. */
  readonly status: number;
  readonly code: DecisionCode;
  /** Response headers to set (RateLimit, RateLimit-Policy, Retry-After, the source-IP echo). */
  readonly headers: Readonly<Record<string, string>>;
  /** Problem body; present exactly when the request is refused (never on a preflight). */
  readonly body?: ProblemBody;
  /** The policy `id` of the key, once it is known. Never the key itself. */
  readonly keyId?: string;
  /** The normalised address the per-IP cap was applied to, when it applies. */
  readonly limitedIp?: string | undefined;
  /** Counter states for the limits that apply to the key (empty before the key is known). */
  readonly limits: readonly LimitState[];
  /**
   * Set when the store failed and the request was decided by the `failureMode` instead:
   * `'fail-open'` (allowed uncounted) or `'fallback'` (counted in the local fallback store).
   */
  readonly degraded?: 'fail-open' | 'fallback';
}
