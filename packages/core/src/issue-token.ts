// Issues the short-lived bearer tokens that a token verifier accepts, for a provider's own /authenticate endpoint.

import * as crypto from 'node:crypto';
import { type CryptoKey, type JWK, type KeyObject, SignJWT } from 'jose';
import { TollgateError } from './errors.js';
import { ASYMMETRIC_ALGORITHMS, HMAC_MIN_BYTES, REGISTERED_CLAIMS } from './token-verifier.js';

/**
 * What to put in the token and what to sign it with. Give exactly one of `secret` or `privateKey`.
 *
 * @example
 * issueToken({ keyId: 'shop-backend', secret: process.env.TOLLGATE_TOKEN_SECRET!, audience: 'lookup-api' });
 */
export interface IssueTokenOptions {
  /** The policy `id` of the key the caller proved it holds. Never the key itself. Required. */
  keyId: string;
  /** Shared HMAC secret, at least 32 bytes (48 for HS384, 64 for HS512); the verifier's `secret`. */
  secret?: string | Uint8Array | undefined;
  /** Private signing key; the verifier holds the public half in its `jwks` or at its `jwksUrl`. */
  privateKey?: CryptoKey | KeyObject | JWK | undefined;
  /** The `alg`. Default: `'HS256'` with a secret; with a private key, the JWK's own `alg`, else required. */
  algorithm?: string | undefined;
  /** The `kid` header, so a verifier with several keys picks the right one. Default: none. */
  kid?: string | undefined;
  /** Lifetime in seconds, 1 to 86400. Default: 3600 (one hour). */
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
const MAX_LIFETIME_SEC = 86_400;
const MAX_KEY_ID_LENGTH = 256;

/**
 * Signs a token naming `keyId`, valid from now (`iat` and `nbf`) for `expiresInSec` seconds,
 * with a random `jti`. Bad options throw `ERR_TOLLGATE_INVALID_OPTIONS` naming the field and
 * never the secret.
 *
 * @example
 * app.post('/authenticate', async (req, res) => {
 *   const key = lookUpKey(req.get('x-api-key')); // your own check of the raw key
 *   if (!key) return res.sendStatus(401);
 *   const t = await issueToken({ keyId: key.id, secret: process.env.TOLLGATE_TOKEN_SECRET!, audience: 'lookup-api' });
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
    expiresIn > MAX_LIFETIME_SEC
  ) {
    throw invalid(
      `issueToken options.expiresInSec: expected a whole number of seconds from 1 to ${MAX_LIFETIME_SEC}`,
    );
  }
  const now = o.now ?? Date.now();
  if (typeof now !== 'number' || !Number.isFinite(now) || now < 0) {
    throw invalid('issueToken options.now: expected epoch milliseconds');
  }
  const keyClaim = o.keyClaim ?? 'sub';
  if (typeof keyClaim !== 'string' || keyClaim === '' || REGISTERED_CLAIMS.has(keyClaim)) {
    throw invalid(
      'issueToken options.keyClaim: expected a claim name other than iss, aud, exp, nbf, iat, jti',
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
  const jwt = new SignJWT({ [keyClaim]: keyId })
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
  return { token, expiresAt: exp * 1000, expiresIn, tokenType: 'Bearer' };
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
