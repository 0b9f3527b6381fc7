// How long a bearer token may live: the rule the verifier applies and the defaults it starts from.

/** Default of `tokens.maxLifetimeSec`: one hour, the lifetime the product promises. */
export const DEFAULT_MAX_LIFETIME_SEC = 3600;
/** The highest `tokens.maxLifetimeSec` (and `issueToken`'s `expiresInSec`): one day. */
export const LONGEST_LIFETIME_SEC = 86_400;

/**
 * Whether a token lives longer than `maxLifetimeSec`. Two measures, both must hold:
 * - `exp - iat`, when the token has an `iat`: the lifetime its issuer gave it;
 * - `exp - now` (plus the clock tolerance): what is left of it. This catches a token without
 *   `iat` (it is optional in JWTs) and one whose `iat` was set in the future to look short;
 *   a token without `iat` is thus accepted once at most `maxLifetimeSec` of it remains.
 *
 * `exp` and `iat` are NumericDates (seconds), `now` is epoch milliseconds.
 *
 * @example
 * livesTooLong({ exp: 7200, iat: 0, now: 0, maxLifetimeSec: 3600, clockToleranceSec: 30 }); // true
 * livesTooLong({ exp: 3600, iat: 0, now: 0, maxLifetimeSec: 3600, clockToleranceSec: 30 }); // false
 */
export function livesTooLong(t: {
  readonly exp: number;
  readonly iat: number | undefined;
  readonly now: number;
  readonly maxLifetimeSec: number;
  readonly clockToleranceSec: number;
}): boolean {
  if (t.iat !== undefined && t.exp - t.iat > t.maxLifetimeSec) return true;
  return t.exp * 1000 - t.now > (t.maxLifetimeSec + t.clockToleranceSec) * 1000;
}
