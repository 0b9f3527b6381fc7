// Issues the short-lived bearer tokens that a token verifier accepts, for a provider's own /authenticate endpoint.

import * as crypto from 'node:crypto';
import { type CryptoKey, type JWK, type KeyObject, SignJWT } from 'jose';
import { TollgateError } from './errors.js';
import type { Jwk, PrivateKeyObject } from './jwk.js';
import { CREDENTIAL_CLAIM, credentialId } from './token-binding.js';
import { DEFAULT_MAX_LIFETIME_SEC, LONGEST_LIFETIME_SEC } from './token-lifetime.js';
import { ASYMMETRIC_ALGORITHMS, HMAC_MIN_BYTES, REGISTERED_CLAIMS } from './token-verifier.js';

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

const KNOWN = new Set([
  'keyId',
  'keySha256',
  'secret',
  'privateKey',
  'algorithm',
  'kid',
  'expiresInSec',
  'issuer',
  'audience',
  'now',
  'keyClaim',
]);
const MAX_KEY_ID_LENGTH = 256;
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
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid('issueToken options: expected an object with keyId and a secret or privateKey');
  }
  const o = options as unknown as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    if (!KNOWN.has(name)) throw invalid(`issueToken options.${name}: unknown option`);
  }
  const { keyId } = options;
  if (typeof keyId !== 'string' || keyId === '' || keyId.length > MAX_KEY_ID_LENGTH) {
    throw invalid(`issueToken options.keyId: expected a key id of 1 to ${MAX_KEY_ID_LENGTH} characters`);
  }
  const sha256 = o.keySha256;
  if (sha256 !== undefined && (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256))) {
    // Not echoed: a hash is no secret, but it is the lookup handle of a key.
    throw invalid('issueToken options.keySha256: expected 64 lower-case hex digits, keySha256(presentedKey)');
  }
  if ((o.secret === undefined) === (o.privateKey === undefined)) {
    throw invalid('issueToken options: give exactly one of secret or privateKey');
  }
  const { algorithm, key } =
    o.secret !== undefined ? secretKey(o.secret, o.algorithm) : privateKey(o.privateKey, o.algorithm);

  const expiresIn = o.expiresInSec ?? 3600;
  if (
    typeof expiresIn !== 'number' ||
    !Number.isInteger(expiresIn) ||
    expiresIn < 1 ||
    expiresIn > LONGEST_LIFETIME_SEC
  ) {
    throw invalid(
      `issueToken options.expiresInSec: expected a whole number of seconds from 1 to ${LONGEST_LIFETIME_SEC}`,
    );
  }
  const now = o.now ?? Date.now();
  if (typeof now !== 'number' || !Number.isFinite(now) || now < 0) {
    throw invalid('issueToken options.now: expected epoch milliseconds');
  }
  const keyClaim = o.keyClaim ?? 'sub';
  if (typeof keyClaim !== 'string' || keyClaim === '' || REGISTERED_CLAIMS.has(keyClaim)) {
    throw invalid(
      `issueToken options.keyClaim: expected a claim name other than ${[...REGISTERED_CLAIMS].join(', ')}`,
    );
  }
  if (o.kid !== undefined && (typeof o.kid !== 'string' || o.kid === '')) {
    throw invalid('issueToken options.kid: expected a non-empty string');
  }
  if (o.issuer !== undefined && (typeof o.issuer !== 'string' || o.issuer === '')) {
    throw invalid('issueToken options.issuer: expected a non-empty string');
  }
  const audience = o.audience;
  if (
    audience !== undefined &&
    !(typeof audience === 'string' && audience !== '') &&
    !(
      Array.isArray(audience) &&
      audience.length > 0 &&
      audience.every((a) => typeof a === 'string' && a !== '')
    )
  ) {
    throw invalid('issueToken options.audience: expected a non-empty string or a non-empty list of them');
  }

  // Whole seconds, as NumericDate wants; exp follows from the same instant so the lifetime is exact.
  const iat = Math.floor(now / 1000);
  const exp = iat + expiresIn;
  const claims: Record<string, string> = { [keyClaim]: keyId };
  if (sha256 !== undefined) claims[CREDENTIAL_CLAIM] = credentialId(sha256);
  const jwt = new SignJWT(claims)
    .setProtectedHeader(
      o.kid === undefined
        ? { alg: algorithm, typ: 'JWT' }
        : { alg: algorithm, typ: 'JWT', kid: o.kid as string },
    )
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    // A unique id lets a provider log or revoke one token without knowing the token itself.
    .setJti(crypto.randomUUID());
  if (o.issuer !== undefined) jwt.setIssuer(o.issuer as string);
  if (audience !== undefined) jwt.setAudience(audience as string | string[]);

  let token: string;
  try {
    token = await jwt.sign(key);
  } catch (cause) {
    // jose's message names the mismatch (key type against algorithm), never the key material.
    throw new TollgateError(
      'ERR_TOLLGATE_INVALID_OPTIONS',
      `issueToken options.privateKey: cannot sign with ${algorithm} using this key`,
      { cause },
    );
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

function secretKey(value: unknown, algorithm: unknown): { algorithm: string; key: Uint8Array } {
  const alg = algorithm ?? 'HS256';
  const minBytes = typeof alg === 'string' ? HMAC_MIN_BYTES[alg] : undefined;
  if (minBytes === undefined) {
    throw invalid('issueToken options.algorithm: expected HS256, HS384 or HS512 with a secret');
  }
  let key: Uint8Array;
  if (typeof value === 'string') key = new TextEncoder().encode(value);
  else if (value instanceof Uint8Array) key = value;
  else throw invalid('issueToken options.secret: expected a string or a Uint8Array');
  if (key.length < minBytes)
    throw invalid(`issueToken options.secret: must be at least ${minBytes} bytes long`);
  return { algorithm: alg as string, key };
}

function privateKey(
  value: unknown,
  algorithm: unknown,
): { algorithm: string; key: CryptoKey | KeyObject | JWK } {
  if (value === null || typeof value !== 'object') {
    throw invalid('issueToken options.privateKey: expected a CryptoKey, KeyObject or private JWK');
  }
  const isJwk = 'kty' in value;
  // A public key cannot sign, and a symmetric one belongs in `secret`.
  const isPrivate = isJwk
    ? 'd' in value && (value as JWK).kty !== 'oct'
    : (value as { type?: unknown }).type === 'private';
  if (!isPrivate) throw invalid('issueToken options.privateKey: expected a private (asymmetric) key');
  const alg = algorithm ?? (isJwk ? (value as JWK).alg : undefined);
  if (alg === undefined) {
    throw invalid('issueToken options.algorithm: required with a privateKey, e.g. "RS256" or "ES256"');
  }
  if (typeof alg !== 'string' || !ASYMMETRIC_ALGORITHMS.has(alg)) {
    throw invalid(`issueToken options.algorithm: expected one of ${[...ASYMMETRIC_ALGORITHMS].join(', ')}`);
  }
  return { algorithm: alg, key: value as CryptoKey | KeyObject | JWK };
}

function invalid(message: string): TollgateError {
  return new TollgateError('ERR_TOLLGATE_INVALID_OPTIONS', message);
}
