// Monitoring events the client emits: retries, backoff waits, token refreshes, rate-limit responses, cache hits.

import type { RateLimitItem, TokenRefreshReason } from './errors.js';

// Every event says where it happened as origin + path: query strings can carry keys or personal
// data, so they never reach an event. No event carries a key, a token or a header value.

/** Why a request was or would have been sent again. */
export type RetryReason = 'rate_limited' | 'unavailable' | 'network_error' | 'invalid_token';

/** A 429 or 503 arrived. Emitted whether or not the client retries it. */
export interface RateLimitedEvent {
  type: 'rate_limited';
  status: number;
  method: string;
  /** Origin and path of the request, without the query. */
  url: string;
  /** The problem body's `code` (`daily_limit`, `store_unavailable`, ...), when there was one. */
  problemCode: string | undefined;
  /** How long the server asked the client to wait (`Retry-After`, `RateLimit`), in ms. */
  waitMs: number | undefined;
  /** The `RateLimit` header's items, when sent. */
  limits: readonly RateLimitItem[];
  at: number;
}

/** The client is about to sleep before a retry. */
export interface BackoffEvent {
  type: 'backoff';
  method: string;
  url: string;
  /** The attempt that failed (1 for the first request). */
  attempt: number;
  reason: RetryReason;
  delayMs: number;
  /** `server`: the wait came from `Retry-After` / `RateLimit`; `backoff`: from the jittered schedule. */
  source: 'server' | 'backoff';
  at: number;
}

/** The client is sending a request again. */
export interface RetryEvent {
  type: 'retry';
  method: string;
  url: string;
  /** The attempt being sent now (2 for the first retry); an `invalid_token` retry keeps its attempt's number. */
  attempt: number;
  reason: RetryReason;
  at: number;
}

/** The client stopped retrying and handed the last response or error to the caller. */
export interface RetryExhaustedEvent {
  type: 'retry_exhausted';
  method: string;
  url: string;
  attempts: number;
  reason: RetryReason;
  /** `attempts`: `retry.maxAttempts` reached; `time`: the next wait would pass `retry.maxElapsedMs`. */
  limit: 'attempts' | 'time';
  at: number;
}

/** The token provider returned a new token. */
export interface TokenRefreshedEvent {
  type: 'token_refreshed';
  reason: TokenRefreshReason;
  /** When the new token expires (epoch ms, client clock). */
  expiresAt: number;
  /** When the client will ask for the next one. */
  refreshAt: number;
  at: number;
}

/**
 * The token provider failed. With reason `expiring` the current token is still valid and is
 * used until it expires; otherwise the request fails with `TokenRefreshError`.
 */
export interface TokenRefreshFailedEvent {
  type: 'token_refresh_failed';
  reason: TokenRefreshReason;
  /** The thrown error's `name` (and `code`, when it has a string one); never its message. */
  error: { name: string; code?: string };
  /** Failures in a row. */
  failures: number;
  at: number;
}

/** A GET was answered from the response cache: no request was made. */
export interface CacheHitEvent {
  type: 'cache_hit';
  url: string;
  /** How long ago the response was stored. */
  ageMs: number;
  at: number;
}

/** Everything `onEvent` receives; switch on `type`. */
export type ClientEvent =
  | RateLimitedEvent
  | BackoffEvent
  | RetryEvent
  | RetryExhaustedEvent
  | TokenRefreshedEvent
  | TokenRefreshFailedEvent
  | CacheHitEvent;

/** The `onEvent` callback, wrapped so a throwing handler never breaks a request. */
export type Emit = (event: ClientEvent) => void;

export function createEmitter(onEvent: ((event: ClientEvent) => void) | undefined): Emit {
  if (onEvent === undefined) return () => {};
  return (event) => {
    try {
      onEvent(event);
    } catch (error) {
      reportHandlerError(error);
    }
  };
}

// Monitoring must not change what the caller sees; the handler's fault is reported the way the
// runtime reports stray errors (a Node process warning, or the browser's console).
function reportHandlerError(error: unknown): void {
  const proc = (globalThis as { process?: { emitWarning?: (w: string | Error) => void } }).process;
  const warning = `@tollgate/client: onEvent handler threw: ${error instanceof Error ? error.name : typeof error}`;
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(warning);
  else globalThis.console?.warn(warning);
}
