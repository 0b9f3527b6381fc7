// Issues the short-lived bearer tokens that a token verifier accepts, for a provider's own /authenticate endpoint.

import * as crypto from 'node:crypto';
import { type CryptoKey, type JWK, type KeyObject, SignJWT } from 'jose';
import type { Jwk, PrivateKeyObject } from './jwk.js';
import { type KnownOptions, type OptionReader, readOptions } from './option-reader.js';
import { ASYMMETRIC_ALGORITHMS, HMAC_MIN_BYTES, hmacSecret } from './token-algorithms.js';
import { CREDENTIAL_CLAIM, credentialId } from './token-binding.js';
import { keyClaimOf } from './token-claims.js';
import { DEFAULT_MAX_LIFETIME_SEC, LONGEST_LIFETIME_SEC } from './token-lifetime.js';

/**
 * What to put in the token and what to sign it with. Give exactly one of `secret` or `privateKey`.
 *
 * @example
 * issueToken({ keyId: 'shop-backend', keySha256: keySha256(presentedKey), secret: process.env.TOLLGATE_TOKEN_SECRET!, audience: 'lookup-api' });
 */
export interface IssueTokenOptions {
  /** The policy `id` of the key the caller proved it holds. Never the key itself. Required. */
  keyId: string;
  /**
   * The hex SHA-256 of the credential the caller presented (`keySha256(presentedKey)`, 64
   * lower-case hex digits). The token then carries a credential id derived from it (never the
   * key or this hash) and the engine refuses it once that credential is rotated out, expired
   * or removed. Default: none; the token is bound to the key only, so it outlives a rotation
   * (until its `exp`) and ends only when the key is removed or disabled.
   */
  keySha256?: string | undefined;
  /** Shared HMAC secret, at least 32 bytes (48 for HS384, 64 for HS512); the verifier's `secret`. */
  secret?: string | Uint8Array | undefined;
  /**
   * Private signing key (a `KeyObject`, a `CryptoKey` or a private JWK); the verifier holds the
   * public half in its `jwks` or at its `jwksUrl`.
   */
  privateKey?: PrivateKeyObject | Jwk | undefined;
  /** The `alg`. Default: `'HS256'` with a secret; with a private key, the JWK's own `alg`, else required. */
  algorithm?: string | undefined;
  /** The `kid` header, so a verifier with several keys picks the right one. Default: none. */
  kid?: string | undefined;
  /**
   * Lifetime in seconds, 1 to 86400. Default: 3600 (one hour). Verifiers refuse tokens over
   * their `maxLifetimeSec` (default 3600), so a longer lifetime needs that option raised to
   * match; such a lifetime is reported once per process with a `TOLLGATE_LONG_LIVED_TOKEN`
   * warning.
   */
  expiresInSec?: number | undefined;
  /** The `iss` claim. Default: none. */
  issuer?: string | undefined;
  /** The `aud` claim. Default: none. */
  audience?: string | string[] | undefined;
  /** Issue time in epoch milliseconds. Default: `Date.now()`. */
  now?: number | undefined;
  /** The claim that names the key; must match the verifier's `keyClaim`. Default: `'sub'`. */
  keyClaim?: string | undefined;
}

/** A signed token, ready to send as an OAuth-style token response. */
export interface IssuedToken {
  /** The compact JWT. */
  readonly token: string;
  /** When it expires, in epoch milliseconds (the `exp` claim × 1000). */
  readonly expiresAt: number;
  /** Its lifetime in seconds, as OAuth's `expires_in`. */
  readonly expiresIn: number;
  readonly tokenType: 'Bearer';
}

const KNOWN = {
  keyId: true,
  keySha256: true,
  secret: true,
  privateKey: true,
  algorithm: true,
  kid: true,
  expiresInSec: true,
  issuer: true,
  audience: true,
  now: true,
  keyClaim: true,
} as const satisfies KnownOptions<keyof IssueTokenOptions>;
const MAX_KEY_ID_LENGTH = 256;
const DEFAULT_EXPIRES_IN_SEC = 3600;
const SHA256_HEX = /^[0-9a-f]{64}$/;
let longLivedReported = false;

/**
 * Signs a token naming `keyId`, valid from now (`iat` and `nbf`) for `expiresInSec` seconds,
 * with a random `jti`, and bound to the presented credential when `keySha256` is given. Bad
 * options throw `ERR_TOLLGATE_INVALID_OPTIONS` naming the field and never the secret.
 *
 * @example
 * app.post('/authenticate', async (req, res) => {
 *   const presented = req.get('x-api-key') ?? '';
 *   const key = lookUpKey(presented); // your own check of the raw key
 *   if (!key) return res.sendStatus(401);
 *   const t = await issueToken({
 *     keyId: key.id,
 *     keySha256: keySha256(presented), // the token ends when this credential is rotated out
 *     secret: process.env.TOLLGATE_TOKEN_SECRET!,
 *     audience: 'lookup-api',
 *   });
 *   res.json({ access_token: t.token, token_type: t.tokenType, expires_in: t.expiresIn });
 * });
 */
export async function issueToken(options: IssueTokenOptions): Promise<IssuedToken> {
  const o = readOptions('issueToken', options, KNOWN, {
    expected: 'an object with keyId and a secret or privateKey',
  });
  const keyId = o.string('keyId', { maxLength: MAX_KEY_ID_LENGTH, required: true });
  // Not echoed (no string is): a hash is no secret, but it is the lookup handle of a key.
  const sha256 = o.string('keySha256', {
    test: (s) => SHA256_HEX.test(s),
    expected: '64 lower-case hex digits, keySha256(presentedKey)',
  });
  if (o.given('secret') === o.given('privateKey'))
    throw o.fail(undefined, 'give exactly one of secret or privateKey');
  const { algorithm, key } = o.given('secret') ? secretKey(o) : privateKey(o);

  const expiresIn = o.integer('expiresInSec', {
    min: 1,
    max: LONGEST_LIFETIME_SEC,
    unit: 'seconds',
    default: DEFAULT_EXPIRES_IN_SEC,
  });
  const now = o.number('now', { min: 0 }) ?? Date.now();
  const keyClaim = keyClaimOf(o);
  const kid = o.string('kid');
  const issuer = o.string('issuer');
  const audience = o.stringOrList('audience');

  // Whole seconds, as NumericDate wants; exp follows from the same instant so the lifetime is exact.
  const iat = Math.floor(now / 1000);
  const exp = iat + expiresIn;
  const claims: Record<string, string> = { [keyClaim]: keyId };
  if (sha256 !== undefined) claims[CREDENTIAL_CLAIM] = credentialId(sha256);
  const jwt = new SignJWT(claims)
    .setProtectedHeader(
      kid === undefined ? { alg: algorithm, typ: 'JWT' } : { alg: algorithm, typ: 'JWT', kid },
    )
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    // A unique id lets a provider log or revoke one token without knowing the token itself.
    .setJti(crypto.randomUUID());
  if (issuer !== undefined) jwt.setIssuer(issuer);
  if (audience !== undefined) jwt.setAudience(audience);

  let token: string;
  try {
    token = await jwt.sign(key);
  } catch (cause) {
    // jose's message names the mismatch (key type against algorithm), never the key material.
    throw o.fail('privateKey', `cannot sign with ${algorithm} using this key`, cause);
  }
  if (expiresIn > DEFAULT_MAX_LIFETIME_SEC) reportLongLived(expiresIn);
  return { token, expiresAt: exp * 1000, expiresIn, tokenType: 'Bearer' };
}

/**
 * Once per process: a lifetime that verifiers with the default `maxLifetimeSec` refuse. A
 * warning rather than an error, because a verifier configured to match accepts the token; its
 * code lets an app that did so silence it (`node --disable-warning=TOLLGATE_LONG_LIVED_TOKEN`).
 */
function reportLongLived(expiresIn: number): void {
  if (longLivedReported) return;
  longLivedReported = true;
  globalThis.process?.emitWarning?.(
    `tollgate: issueToken signed a token valid for ${expiresIn} s; verifiers refuse tokens over ` +
      `tokens.maxLifetimeSec (default ${DEFAULT_MAX_LIFETIME_SEC} s) with too_long_lived, so raise it ` +
      'to match or issue shorter tokens',
    { code: 'TOLLGATE_LONG_LIVED_TOKEN' },
  );
}

type SigningOptions = OptionReader<'secret' | 'privateKey' | 'algorithm'>;

function secretKey(o: SigningOptions): { algorithm: string; key: Uint8Array } {
  const algorithm = o.oneOf('algorithm', Object.keys(HMAC_MIN_BYTES), 'HS256');
  return { algorithm, key: hmacSecret(o, [algorithm]) };
}

function privateKey(o: SigningOptions): { algorithm: string; key: CryptoKey | KeyObject | JWK } {
  const value = o.value('privateKey');
  if (value === null || typeof value !== 'object') {
    throw o.fail('privateKey', 'expected a CryptoKey, KeyObject or private JWK');
  }
  const isJwk = 'kty' in value;
  // A public key cannot sign, and a symmetric one belongs in `secret`.
  const isPrivate = isJwk
    ? 'd' in value && (value as JWK).kty !== 'oct'
    : (value as { type?: unknown }).type === 'private';
  if (!isPrivate) throw o.fail('privateKey', 'expected a private (asymmetric) key');
  const alg = o.value('algorithm') ?? (isJwk ? (value as JWK).alg : undefined);
  if (alg === undefined) {
    throw o.fail('algorithm', 'is required with a privateKey, e.g. "RS256" or "ES256"');
  }
  if (typeof alg !== 'string' || !ASYMMETRIC_ALGORITHMS.has(alg)) {
    throw o.fail('algorithm', `expected one of ${[...ASYMMETRIC_ALGORITHMS].join(', ')}`);
  }
  return { algorithm: alg, key: value as CryptoKey | KeyObject | JWK };
}
