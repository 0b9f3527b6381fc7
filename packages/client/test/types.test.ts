// Type-level checks of the public API: the client is a drop-in fetch.

import { describe, expectTypeOf, it } from 'vitest';
import {
  type ClientEvent,
  type ClientOptions,
  createClient,
  type FetchLike,
  type RateLimitedError,
  type TollgateClientError,
} from '../src/index.js';

describe('public types', () => {
  it('createClient returns something assignable wherever fetch is expected', () => {
    expectTypeOf(createClient).returns.toEqualTypeOf<FetchLike>();
    expectTypeOf<FetchLike>().toExtend<typeof fetch>();
    expectTypeOf<FetchLike>().returns.toEqualTypeOf<Promise<Response>>();
  });

  it('needs baseUrl; everything else is optional', () => {
    expectTypeOf<{ baseUrl: string }>().toExtend<ClientOptions>();
    expectTypeOf<{ apiKey: string }>().not.toExtend<ClientOptions>();
  });

  it('events are a union discriminated by type', () => {
    expectTypeOf<ClientEvent['type']>().toEqualTypeOf<
      | 'rate_limited'
      | 'backoff'
      | 'retry'
      | 'retry_exhausted'
      | 'token_refreshed'
      | 'token_refresh_failed'
      | 'cache_hit'
    >();
  });

  it('errors carry a code and, for rate limits, a reset date', () => {
    expectTypeOf<RateLimitedError>().toExtend<TollgateClientError>();
    expectTypeOf<RateLimitedError['resetAt']>().toEqualTypeOf<Date>();
    expectTypeOf<TollgateClientError['code']>().toEqualTypeOf<
      | 'ERR_TOLLGATE_CLIENT_INVALID_OPTIONS'
      | 'ERR_TOLLGATE_CLIENT_INSECURE_URL'
      | 'ERR_TOLLGATE_CLIENT_REDIRECT'
      | 'ERR_TOLLGATE_CLIENT_RATE_LIMITED'
      | 'ERR_TOLLGATE_CLIENT_TOKEN_REFRESH_FAILED'
    >();
  });
});
