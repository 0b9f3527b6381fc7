// The WWW-Authenticate challenges every 401 carries (RFC 9110 §11.6.1), built once when the engine is set up.

import { TOKEN_FAILURES, type TokenFailure, wwwAuthenticate } from './bearer-header.js';

/**
 * The challenge naming the key header. API keys have no registered scheme; `ApiKey` with a
 * `header` parameter is the form RFC 9110's grammar allows and clients can read.
 */
export const API_KEY_CHALLENGE = 'ApiKey header="X-Api-Key"';

/** Why a bearer token was refused, as the engine reports it: a token failure, or a token naming no key. */
export type TokenRefusal = TokenFailure | 'unknown_key';

/** Answers the `WWW-Authenticate` value of a 401: with a token refusal, for `invalid_token`. */
export type AuthChallenges = (tokenRefusal?: TokenRefusal) => string;

/** The detail of a well-signed token whose key is no longer in the policy. */
export const UNKNOWN_KEY_TOKEN_DETAIL = 'The access token names no current API key.';

/**
 * Builds the challenges of one engine. Without tokens, every 401 gets the key challenge. With
 * tokens, a key failure gets `ApiKey …, Bearer`, and `invalid_token` puts the Bearer challenge
 * with its RFC 6750 `error` and `error_description` first (the scheme the client used), then the
 * key challenge.
 *
 * @example
 * authChallenges(true)(); // 'ApiKey header="X-Api-Key", Bearer'
 * authChallenges(true)('expired'); // 'Bearer error="invalid_token", error_description="The access token has expired.", ApiKey header="X-Api-Key"'
 */
export function authChallenges(withTokens: boolean): AuthChallenges {
  if (!withTokens) return () => API_KEY_CHALLENGE;
  const keyFailure = `${API_KEY_CHALLENGE}, Bearer`;
  const byRefusal = new Map<string, string>();
  for (const reason of Object.keys(TOKEN_FAILURES) as TokenFailure[]) {
    byRefusal.set(reason, `${wwwAuthenticate(reason)}, ${API_KEY_CHALLENGE}`);
  }
  byRefusal.set(
    'unknown_key',
    `Bearer error="invalid_token", error_description="${UNKNOWN_KEY_TOKEN_DETAIL}", ${API_KEY_CHALLENGE}`,
  );
  return (refusal) =>
    refusal === undefined ? keyFailure : (byRefusal.get(refusal) ?? (byRefusal.get('malformed') as string));
}
