// Short-lived bearer tokens: verifies a JWT that names an API key, with the settings `tokens` options give.

import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  type JWTVerifyResult,
  jwtVerify,
} from 'jose';
import type { TokenFailure } from './bearer-header.js';
import { readOptions } from './option-reader.js';
import { CREDENTIAL_CLAIM, isCredentialId } from './token-binding.js';
import { livesTooLong } from './token-lifetime.js';
import {
  readTokenOptions,
  TOKEN_OPTION_KEYS,
  TOKEN_OPTIONS_EXPECTED,
  type TokenConfig,
  type TokenOptions,
} from './token-options.js';

// The header and the options have files of their own; their public names are still exported
// from here, where they were first.
export { bearerToken, TOKEN_FAILURES, type TokenFailure, wwwAuthenticate } from './bearer-header.js';
export type { TokenOptions } from './token-options.js';

/**
 * The outcome of one verification. `expiresAt` is the token's `exp` in epoch milliseconds.
 * `credentialId` is present when the token is bound to a credential (`issueToken`'s
 * `keySha256`); the engine then requires that credential to be current and unexpired.
 */
export type TokenVerdict =
  | { readonly ok: true; readonly keyId: string; readonly expiresAt: number; readonly credentialId?: string }
  | { readonly ok: false; readonly reason: TokenFailure };

/** Checks bearer tokens against one {@link TokenOptions} configuration. */
export interface TokenVerifier {
  /**
   * Verifies a token at `now` (epoch ms). Never rejects: every bad token, and a key set that
   * cannot be fetched, comes back as `{ ok: false, reason }`.
   */
  verify(token: string, now: number): Promise<TokenVerdict>;
}

// Real tokens are a few hundred bytes; a cap keeps a hostile header from costing parse time.
const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
const MAX_KEY_ID_LENGTH = 256;
const JWKS_TIMEOUT_MS = 2000;
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_MAX_AGE_MS = 600_000;

/**
 * Builds a verifier from token options (the engine's `options.tokens`). Bad options throw
 * `ERR_TOLLGATE_INVALID_OPTIONS` naming the field (and never the secret) here, at setup.
 *
 * @example
 * const tokens = createTokenVerifier({ secret: process.env.TOLLGATE_TOKEN_SECRET, audience: 'lookup-api' });
 * const token = bearerToken(req.headers.authorization);
 * if (typeof token === 'string') {
 *   const verdict = await tokens.verify(token, Date.now());
 *   if (!verdict.ok) res.status(401).set('WWW-Authenticate', wwwAuthenticate(verdict.reason)).end();
 * }
 */
export function createTokenVerifier(options: unknown): TokenVerifier {
  const o = readOptions('createTokenVerifier', options, TOKEN_OPTION_KEYS, {
    expected: TOKEN_OPTIONS_EXPECTED,
  });
  return tokenVerifierWith(readTokenOptions(o));
}

/** The verifier of token options already read (the engine reads them as `options.tokens`). */
export function tokenVerifierWith(config: TokenConfig): TokenVerifier {
  const key: Uint8Array | JWTVerifyGetKey = config.key instanceof URL ? remoteKeys(config.key) : config.key;
  const allowed = new Set(config.algorithms);
  const verifyOptions: JWTVerifyOptions = {
    algorithms: [...config.algorithms],
    clockTolerance: config.clockToleranceSec,
    // A bearer token without an expiry would be a second, unrevocable API key.
    requiredClaims: ['exp'],
  };
  if (config.issuer !== undefined) verifyOptions.issuer = config.issuer;
  if (config.audience !== undefined) verifyOptions.audience = config.audience;

  async function check(token: string, now: number): Promise<TokenVerdict> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
      return refuse('malformed');
    }
    // The algorithm is checked before any key is looked at, so `none` and confused algorithms
    // are named as such rather than as bad signatures.
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return refuse('malformed');
    }
    if (typeof alg !== 'string') return refuse('malformed');
    if (!allowed.has(alg)) return refuse('unsupported_alg');

    const options = { ...verifyOptions, currentDate: new Date(now) };
    let payload: JWTPayload;
    try {
      payload = (await jwtVerify(token, key, options)).payload;
    } catch (e) {
      if (!(e instanceof errors.JWKSMultipleMatchingKeys)) throw e;
      payload = (await verifyWithEach(e, token, options)).payload;
    }

    const exp = payload.exp;
    if (typeof exp !== 'number') return refuse('missing_expiry');
    const iat = typeof payload.iat === 'number' ? payload.iat : undefined;
    const { maxLifetimeSec, clockToleranceSec } = config;
    if (livesTooLong({ exp, iat, now, maxLifetimeSec, clockToleranceSec })) return refuse('too_long_lived');
    // Own claims only: a keyClaim such as 'constructor' must not find Object.prototype's.
    const keyId = Object.hasOwn(payload, config.keyClaim) ? payload[config.keyClaim] : undefined;
    if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > MAX_KEY_ID_LENGTH) {
      return refuse('missing_key_claim');
    }
    if (!Object.hasOwn(payload, CREDENTIAL_CLAIM)) return { ok: true, keyId, expiresAt: exp * 1000 };
    // A bound token: whether its credential is still current is the engine's question (it
    // holds the policy); a claim that is not an id is not silently treated as unbound.
    const credentialId = payload[CREDENTIAL_CLAIM];
    if (!isCredentialId(credentialId)) return refuse('malformed');
    return { ok: true, keyId, expiresAt: exp * 1000, credentialId };
  }

  return {
    async verify(token, now) {
      try {
        return await check(token, now);
      } catch (e) {
        return refuse(failureOf(e));
      }
    },
  };
}

/**
 * Several keys of a set fit a token without a `kid` (during a rotation, say): the token is
 * good if one of them verifies it.
 */
async function verifyWithEach(
  multiple: InstanceType<typeof errors.JWKSMultipleMatchingKeys>,
  token: string,
  options: JWTVerifyOptions,
): Promise<JWTVerifyResult> {
  for await (const candidate of multiple) {
    try {
      return await jwtVerify(token, candidate, options);
    } catch (e) {
      if (!(e instanceof errors.JWSSignatureVerificationFailed)) throw e;
    }
  }
  throw new errors.JWSSignatureVerificationFailed();
}

function refuse(reason: TokenFailure): TokenVerdict {
  return { ok: false, reason };
}

/** Marks a failure to obtain the remote key set, as opposed to a token that fits none of its keys. */
class JwksUnavailable extends Error {}

/** Maps what jose threw to a stable reason. Anything unforeseen is a malformed token, never a 500. */
function failureOf(e: unknown): TokenFailure {
  if (e instanceof JwksUnavailable) return 'jwks_unavailable';
  if (e instanceof errors.JWTExpired) return e.claim === 'exp' ? 'expired' : 'too_long_lived';
  if (e instanceof errors.JWTClaimValidationFailed) {
    // A date claim that is not a number.
    if (e.reason === 'invalid') return 'malformed';
    switch (e.claim) {
      case 'nbf':
        return 'not_yet_valid';
      case 'aud':
        return 'wrong_audience';
      case 'iss':
        return 'wrong_issuer';
      case 'exp':
        return 'missing_expiry';
      default:
        return 'malformed';
    }
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return 'unsupported_alg';
  if (
    e instanceof errors.JWSSignatureVerificationFailed ||
    e instanceof errors.JWKSNoMatchingKey ||
    e instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return 'bad_signature';
  }
  return 'malformed';
}

/** The remote key set, with jose's cache and cooldown; a failed fetch becomes {@link JwksUnavailable}. */
function remoteKeys(url: URL): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, {
    timeoutDuration: JWKS_TIMEOUT_MS,
    cooldownDuration: JWKS_COOLDOWN_MS,
    cacheMaxAge: JWKS_MAX_AGE_MS,
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (e) {
      // These two mean the set was fetched and the token fits none (or several) of its keys.
      if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) throw e;
      throw new JwksUnavailable('JWKS unavailable', { cause: e });
    }
  };
}
