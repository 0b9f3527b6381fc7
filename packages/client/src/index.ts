// Public API of @tollgate/client: a well-behaved fetch for Tollgate-protected (and other key-protected) APIs.

export { createClient } from './client.js';
export {
  type ClientErrorCode,
  InsecureUrlError,
  InvalidOptionsError,
  RateLimitedError,
  type RateLimitItem,
  RedirectError,
  TokenRefreshError,
  type TokenRefreshReason,
  TollgateClientError,
} from './errors.js';
export type {
  BackoffEvent,
  CacheHitEvent,
  ClientEvent,
  RateLimitedEvent,
  RetryEvent,
  RetryExhaustedEvent,
  RetryReason,
  TokenRefreshedEvent,
  TokenRefreshFailedEvent,
} from './events.js';
export type {
  CacheOptions,
  ClientOptions,
  FetchLike,
  RetryOptions,
  TokenGrant,
  TokenProvider,
  TokenProviderContext,
} from './options.js';
