// The client's error classes: one per failure, each with a stable code that callers and tests match on.

/** Every code the client throws with. See the README's error table. */
export type ClientErrorCode =
  | 'ERR_TOLLGATE_CLIENT_INVALID_OPTIONS'
  | 'ERR_TOLLGATE_CLIENT_INSECURE_URL'
  | 'ERR_TOLLGATE_CLIENT_REDIRECT'
  | 'ERR_TOLLGATE_CLIENT_RATE_LIMITED'
  | 'ERR_TOLLGATE_CLIENT_TOKEN_REFRESH_FAILED';

/**
 * Base class of every error the client throws itself. Match on `code`, not on the message.
 * Messages are written by the client alone and never hold a key, a token or a query string.
 *
 * @example
 * try { await api('/v1/lookup') } catch (e) {
 *   if (e instanceof TollgateClientError && e.code === 'ERR_TOLLGATE_CLIENT_RATE_LIMITED') ...
 * }
 */
export class TollgateClientError extends Error {
  override name = 'TollgateClientError';
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * `createClient` was given an option it does not know or a value it cannot use; the message
 * names the option (`options.retry.maxAttempts: ...`) but never repeats a key's value.
 *
 * @example
 * createClient({ baseUrl: 'https://api.example.com' }); // throws: needs apiKey or tokenProvider
 */
export class InvalidOptionsError extends TollgateClientError {
  override name = 'InvalidOptionsError';
  constructor(message: string) {
    super('ERR_TOLLGATE_CLIENT_INVALID_OPTIONS', message);
  }
}

/**
 * A URL the client was asked to use (base URL, request URL or redirect target) is not HTTPS,
 * or carries a user name or password. Plain `http:` is allowed only for loopback addresses,
 * and only with `allowInsecureLoopback: true`. The message names the origin, never the path or query.
 *
 * @example
 * createClient({ baseUrl: 'http://api.example.com', apiKey }); // throws InsecureUrlError
 */
export class InsecureUrlError extends TollgateClientError {
  override name = 'InsecureUrlError';
  constructor(message: string) {
    super('ERR_TOLLGATE_CLIENT_INSECURE_URL', message);
  }
}

/**
 * A redirect the client will not follow: more than `maxRedirects` hops, a 307/308 that would
 * have to replay a streamed body, or a runtime (a browser) that hides the redirect target so
 * it cannot be checked for HTTPS.
 *
 * @example
 * createClient({ baseUrl, apiKey, maxRedirects: 0 }); // any redirect then throws RedirectError
 */
export class RedirectError extends TollgateClientError {
  override name = 'RedirectError';
  constructor(message: string) {
    super('ERR_TOLLGATE_CLIENT_REDIRECT', message);
  }
}

/** One item of an IETF `RateLimit` header: a named limit, what remains and seconds to its reset. */
export interface RateLimitItem {
  readonly name: string;
  /** `r`: requests left in the window. */
  readonly remaining?: number;
  /** `t`: seconds until the window resets. */
  readonly resetSeconds?: number;
}

/**
 * A 429 whose wait (from `Retry-After` or the `RateLimit` header) is longer than
 * `retry.maxRetryWaitMs`: a daily cap that resets hours from now. Thrown at once, without
 * retrying; `resetAt` says when to try again and `problemCode` what the server called it.
 *
 * @example
 * catch (e) {
 *   if (e instanceof RateLimitedError) console.log(`${e.problemCode}; try again at ${e.resetAt.toISOString()}`);
 * }
 */
export class RateLimitedError extends TollgateClientError {
  override name = 'RateLimitedError';
  /** The response status (429). */
  readonly status: number;
  /** The problem body's `code` (`daily_limit`, `ip_daily_limit`, ...), when the server sent one. */
  readonly problemCode: string | undefined;
  /** When the limit resets, by the client's clock. */
  readonly resetAt: Date;
  /** Milliseconds from the response to `resetAt`. */
  readonly retryAfterMs: number;
  /** The `RateLimit` header's items, when the server sent it. */
  readonly limits: readonly RateLimitItem[];

  constructor(details: {
    status: number;
    problemCode: string | undefined;
    resetAt: Date;
    retryAfterMs: number;
    limits: readonly RateLimitItem[];
    maxRetryWaitMs: number;
  }) {
    const what = details.problemCode === undefined ? 'rate limited' : `rate limited (${details.problemCode})`;
    super(
      'ERR_TOLLGATE_CLIENT_RATE_LIMITED',
      `${what}: the limit resets at ${details.resetAt.toISOString()}, ` +
        `${Math.ceil(details.retryAfterMs / 1000)} s from now, longer than retry.maxRetryWaitMs ` +
        `(${details.maxRetryWaitMs} ms); not retrying`,
    );
    this.status = details.status;
    this.problemCode = details.problemCode;
    this.resetAt = details.resetAt;
    this.retryAfterMs = details.retryAfterMs;
    this.limits = details.limits;
  }
}

/** Why the client asked the token provider for a token. */
export type TokenRefreshReason = 'initial' | 'expiring' | 'expired' | 'invalid_token';

/**
 * The token provider threw, rejected, or returned something that is not a usable token, and
 * no valid token was left to send. `cause` is what the provider threw, untouched: the client
 * never copies its text into this message or into events, since it may hold credentials.
 *
 * @example
 * catch (e) { if (e instanceof TokenRefreshError) alertOps(e.reason) }
 */
export class TokenRefreshError extends TollgateClientError {
  override name = 'TokenRefreshError';
  readonly reason: TokenRefreshReason;
  constructor(reason: TokenRefreshReason, message: string, options?: { cause?: unknown }) {
    super('ERR_TOLLGATE_CLIENT_TOKEN_REFRESH_FAILED', message, options);
    this.reason = reason;
  }
}
