// The Authorization header's Bearer side: the token read out of it, and the RFC 6750 challenge that answers a refused one.

import type { CredentialFailure } from './token-binding.js';

/** Why a token was refused: stable lower-case codes, listed in docs/errors.md. */
export type TokenFailure =
  | 'expired'
  | 'not_yet_valid'
  | 'malformed'
  | 'bad_signature'
  | 'unsupported_alg'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'missing_key_claim'
  | 'missing_expiry'
  | 'too_long_lived'
  | 'jwks_unavailable'
  | CredentialFailure;

/**
 * Status, title and one-line detail per failure: `detail` is also the `error_description` of
 * `WWW-Authenticate`, so it stays within RFC 6750's character set (no `"` or `\`). A missing
 * key set is the server's fault, hence 503 rather than 401.
 */
export const TOKEN_FAILURES: Readonly<
  Record<TokenFailure, { readonly status: 401 | 503; readonly title: string; readonly detail: string }>
> = Object.freeze({
  expired: { status: 401, title: 'Token expired', detail: 'The access token has expired.' },
  not_yet_valid: {
    status: 401,
    title: 'Token not yet valid',
    detail: 'The access token is not valid yet (its nbf is in the future).',
  },
  malformed: {
    status: 401,
    title: 'Malformed token',
    detail: 'The access token is not a well-formed signed JWT.',
  },
  bad_signature: {
    status: 401,
    title: 'Bad token signature',
    detail: 'The access token signature does not verify with any trusted key.',
  },
  unsupported_alg: {
    status: 401,
    title: 'Unsupported token algorithm',
    detail: 'The access token is signed with an algorithm this API does not accept.',
  },
  wrong_audience: {
    status: 401,
    title: 'Wrong token audience',
    detail: 'The access token is not meant for this API (aud).',
  },
  wrong_issuer: {
    status: 401,
    title: 'Wrong token issuer',
    detail: 'The access token comes from an issuer this API does not trust (iss).',
  },
  missing_key_claim: {
    status: 401,
    title: 'Token names no key',
    detail: 'The access token does not name an API key.',
  },
  missing_expiry: {
    status: 401,
    title: 'Token without expiry',
    detail: 'The access token has no expiry (exp); only short-lived tokens are accepted.',
  },
  too_long_lived: {
    status: 401,
    title: 'Token lives too long',
    detail: 'The access token is valid for longer than this API allows.',
  },
  jwks_unavailable: {
    status: 503,
    title: 'Token keys unavailable',
    detail: 'The keys needed to check the access token are unavailable; retry shortly.',
  },
  credential_revoked: {
    status: 401,
    title: 'Token credential revoked',
    detail: 'The access token was issued for a credential the key no longer has; authenticate again.',
  },
  credential_expired: {
    status: 401,
    title: 'Token credential expired',
    detail: 'The access token was issued for a credential that has expired; authenticate again.',
  },
});

/**
 * The `WWW-Authenticate` value for a refused token (RFC 6750). Fixed text per reason: it
 * never carries anything from the token.
 *
 * @example
 * wwwAuthenticate('expired'); // 'Bearer error="invalid_token", error_description="The access token has expired."'
 */
export function wwwAuthenticate(reason: TokenFailure): string {
  const failure = TOKEN_FAILURES[reason] ?? TOKEN_FAILURES.malformed;
  return `Bearer error="invalid_token", error_description="${failure.detail}"`;
}

// RFC 6750 b64token; anything else after "Bearer " is a malformed credential, not another scheme.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Reads an `Authorization` header value: the token of `Bearer <token>` (scheme in any case),
 * `undefined` when the header is absent or uses another scheme, `null` when it says Bearer but
 * the token is missing or not an RFC 6750 b64token.
 *
 * @example
 * bearerToken('Bearer eyJhbGciOi.x.y'); // 'eyJhbGciOi.x.y'
 * bearerToken('Basic dXNlcjpwYXNz'); // undefined
 * bearerToken('Bearer '); // null
 */
export function bearerToken(authorization: string | undefined): string | undefined | null {
  if (typeof authorization !== 'string') return undefined;
  // Field values exclude surrounding whitespace; trimming by hand keeps other Unicode spaces
  // significant and avoids a backtracking regex on long runs of spaces.
  let start = 0;
  let end = authorization.length;
  while (start < end && isSpace(authorization.charCodeAt(start))) start++;
  while (end > start && isSpace(authorization.charCodeAt(end - 1))) end--;
  let schemeEnd = start;
  while (schemeEnd < end && !isSpace(authorization.charCodeAt(schemeEnd))) schemeEnd++;
  if (schemeEnd - start !== 6 || authorization.slice(start, schemeEnd).toLowerCase() !== 'bearer') {
    return undefined;
  }
  let tokenStart = schemeEnd;
  while (tokenStart < end && authorization.charCodeAt(tokenStart) === 0x20) tokenStart++;
  if (tokenStart === schemeEnd) return null; // "Bearer" alone, or a tab where the space belongs
  const token = authorization.slice(tokenStart, end);
  return B64TOKEN.test(token) ? token : null;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
