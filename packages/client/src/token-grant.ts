// Turns what a token provider returned into a token and its expiry (JWT `exp`, `expires_in` or `expiresAt`).

import type { TokenGrant } from './options.js';

/** A token the client may send, and when it stops being valid (epoch ms, client clock). */
export interface Token {
  readonly value: string;
  readonly expiresAt: number;
}

// RFC 6750's b64token is narrower, but any visible ASCII is a valid header value; the check
// exists so a bad token fails here, with a message that does not quote it.
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

/**
 * Reads a grant. Throws a plain Error (whose message never quotes the token) when the grant
 * holds no usable token or an expiry in the past. An explicit lifetime and a JWT `exp` may both
 * be present; the earlier wins.
 */
export function readGrant(grant: TokenGrant, now: number, defaultLifetimeMs: number): Token {
  const value = typeof grant === 'string' ? grant : (grant?.access_token ?? grant?.token);
  if (typeof value !== 'string' || value.length === 0 || value.length > 16_384 || !TOKEN_CHARS.test(value)) {
    throw new Error('the token provider returned no usable token (expected visible ASCII characters)');
  }
  let expiresAt: number | undefined;
  if (typeof grant === 'object' && grant !== null) {
    if (grant.expiresAt !== undefined) expiresAt = Number(grant.expiresAt);
    else if (grant.expires_in !== undefined) expiresAt = now + Number(grant.expires_in) * 1000;
    if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
      throw new Error('the token provider returned an expiry that is not a number');
    }
  }
  const exp = jwtExpiry(value);
  if (exp !== undefined) expiresAt = expiresAt === undefined ? exp : Math.min(expiresAt, exp);
  expiresAt ??= now + defaultLifetimeMs;
  if (expiresAt <= now) throw new Error('the token provider returned a token that has already expired');
  return { value, expiresAt };
}

/**
 * The `exp` claim of a JWT, in epoch ms, or undefined when `token` is not a JWT with one. The
 * signature is not checked: the client only needs to know when to ask for a new token, and the
 * server checks the token itself.
 */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined || parts[1] === '') return undefined;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(
      Uint8Array.from(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')), (c) => c.charCodeAt(0)),
    );
    const exp = (JSON.parse(json) as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
