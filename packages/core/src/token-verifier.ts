// Short-lived bearer tokens: verifies a JWT that names an API key, and reads and answers the Authorization header.

import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  type JWTVerifyResult,
  jwtVerify,
} from 'jose';
import { TollgateError } from './errors.js';
import type { Jwk } from './jwk.js';
import { CREDENTIAL_CLAIM, type CredentialFailure, isCredentialId } from './token-binding.js';
import { DEFAULT_MAX_LIFETIME_SEC, LONGEST_LIFETIME_SEC, livesTooLong } from './token-lifetime.js';

/**
 * How bearer tokens are checked (`options.tokens`). Give exactly one of `secret`, `jwks` or
 * `jwksUrl`.
 *
 * @example
 * createTokenVerifier({ secret: process.env.TOLLGATE_TOKEN_SECRET, issuer: 'https://api.example.com', audience: 'lookup-api' });
 * createTokenVerifier({ jwksUrl: 'https://auth.example.com/.well-known/jwks.json', audience: 'lookup-api' });
 */
export interface TokenOptions {
  /** Shared HMAC secret, at least 32 bytes (48 for HS384, 64 for HS512). A string is taken as UTF-8. */
  secret?: string | Uint8Array | undefined;
  /** Public keys (RSA, EC or OKP JWKs, no private members) to verify signatures with. */
  jwks?: { keys: Jwk[] } | undefined;
  /**
   * Where to fetch the public keys from: `https:` only, except `http:` on a loopback host
   * (127.0.0.1, localhost, [::1]) for tests. Keys are cached for 10 minutes; an unknown `kid`
   * refetches at most every 30 seconds; a fetch gives up after 2 seconds.
   */
  jwksUrl?: string | undefined;
  /** Accepted `alg` values. Default: `['HS256']` with a secret, `['RS256', 'ES256']` with keys. `none` never is. */
  algorithms?: string[] | undefined;
  /**
   * Required `iss` (one of them, for a list). Default: not checked, so any token the secret or
   * keys verify is taken, whoever issued it.
   */
  issuer?: string | string[] | undefined;
  /**
   * Required `aud` (the token must name one of them). Default: not checked, so a token meant
   * for another API that shares the secret or keys is taken too.
   */
  audience?: string | string[] | undefined;
  /** Clock skew allowed on `exp` and `nbf`, in seconds, 0 to 300. Default: 30. */
  clockToleranceSec?: number | undefined;
  /** The claim holding the policy key `id`. Default: `'sub'`. */
  keyClaim?: string | undefined;
  /**
   * Longest lifetime accepted, in seconds, 1 to 86400: a token is refused (`too_long_lived`)
   * when `exp - iat` exceeds it, or when `exp - now` exceeds it plus `clockToleranceSec`
   * (which also covers tokens without `iat`). Default: 3600.
   */
  maxLifetimeSec?: number | undefined;
}

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

/** Internal (shared with issue-token.ts): HMAC algorithms and the shortest secret each takes (RFC 7518 3.2). */
export const HMAC_MIN_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };
/** Internal (shared with issue-token.ts): the public-key signature algorithms accepted. */
export const ASYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);
/** Internal (shared with issue-token.ts): claims whose value means something else, so none can name a key. */
export const REGISTERED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  CREDENTIAL_CLAIM,
]);
// Members that only private or symmetric JWKs carry: such a key must not sit in a verifier's set.
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
const KNOWN = new Set([
  'secret',
  'jwks',
  'jwksUrl',
  'algorithms',
  'issuer',
  'audience',
  'clockToleranceSec',
  'keyClaim',
  'maxLifetimeSec',
]);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// Real tokens are a few hundred bytes; a cap keeps a hostile header from costing parse time.
const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
const MAX_KEY_ID_LENGTH = 256;
const JWKS_TIMEOUT_MS = 2000;
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_MAX_AGE_MS = 600_000;

/** TokenOptions checked, with every default applied. */
interface TokenConfig {
  readonly key: Uint8Array | JWTVerifyGetKey;
  readonly algorithms: readonly string[];
  readonly issuer: string | string[] | undefined;
  readonly audience: string | string[] | undefined;
  readonly clockToleranceSec: number;
  readonly keyClaim: string;
  readonly maxLifetimeSec: number;
}

/**
 * Builds a verifier from `options.tokens`. Bad options throw `ERR_TOLLGATE_INVALID_OPTIONS`
 * naming the field (and never the secret) here, at setup.
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
  const config = parseTokenOptions(options);
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
      payload = (await jwtVerify(token, config.key, options)).payload;
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

function parseTokenOptions(options: unknown): TokenConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid('options.tokens: expected an object with one of secret, jwks or jwksUrl');
  }
  const o = options as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    if (!KNOWN.has(name)) throw invalid(`options.tokens.${name}: unknown option`);
  }
  const sources = (['secret', 'jwks', 'jwksUrl'] as const).filter((name) => o[name] !== undefined);
  if (sources.length !== 1) {
    throw invalid(
      sources.length === 0
        ? 'options.tokens: give one of secret, jwks or jwksUrl'
        : `options.tokens: give only one of secret, jwks or jwksUrl (got ${sources.join(' and ')})`,
    );
  }

  const symmetric = o.secret !== undefined;
  const algorithms = parseAlgorithms(o.algorithms, symmetric);
  let key: Uint8Array | JWTVerifyGetKey;
  if (symmetric) key = parseSecret(o.secret, algorithms);
  else if (o.jwks !== undefined) key = parseJwks(o.jwks);
  else key = remoteKeys(parseJwksUrl(o.jwksUrl));

  const clockToleranceSec = o.clockToleranceSec ?? 30;
  if (
    typeof clockToleranceSec !== 'number' ||
    !Number.isInteger(clockToleranceSec) ||
    clockToleranceSec < 0 ||
    clockToleranceSec > 300
  ) {
    throw invalid('options.tokens.clockToleranceSec: expected a whole number of seconds from 0 to 300');
  }
  const keyClaim = o.keyClaim ?? 'sub';
  if (typeof keyClaim !== 'string' || keyClaim === '') {
    throw invalid('options.tokens.keyClaim: expected a non-empty claim name');
  }
  if (REGISTERED_CLAIMS.has(keyClaim)) {
    throw invalid(`options.tokens.keyClaim: "${keyClaim}" is a reserved claim with another meaning`);
  }
  const maxLifetimeSec = o.maxLifetimeSec ?? DEFAULT_MAX_LIFETIME_SEC;
  if (
    typeof maxLifetimeSec !== 'number' ||
    !Number.isInteger(maxLifetimeSec) ||
    maxLifetimeSec < 1 ||
    maxLifetimeSec > LONGEST_LIFETIME_SEC
  ) {
    throw invalid(
      `options.tokens.maxLifetimeSec: expected a whole number of seconds from 1 to ${LONGEST_LIFETIME_SEC}`,
    );
  }
  return {
    key,
    algorithms,
    issuer: parseNames(o.issuer, 'issuer'),
    audience: parseNames(o.audience, 'audience'),
    clockToleranceSec,
    keyClaim,
    maxLifetimeSec,
  };
}

function parseAlgorithms(value: unknown, symmetric: boolean): string[] {
  if (value === undefined) return symmetric ? ['HS256'] : ['RS256', 'ES256'];
  if (!Array.isArray(value) || value.length === 0 || value.some((a) => typeof a !== 'string')) {
    throw invalid('options.tokens.algorithms: expected a non-empty list of algorithm names');
  }
  for (const alg of value as string[]) {
    const fits = symmetric ? HMAC_MIN_BYTES[alg] !== undefined : ASYMMETRIC_ALGORITHMS.has(alg);
    if (!fits) {
      const expected = symmetric
        ? 'HS256, HS384 or HS512 with a secret'
        : [...ASYMMETRIC_ALGORITHMS].join(', ');
      throw invalid(`options.tokens.algorithms: "${printable(alg)}" is not accepted; expected ${expected}`);
    }
  }
  return [...new Set(value as string[])];
}

function parseSecret(value: unknown, algorithms: readonly string[]): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'string') bytes = new TextEncoder().encode(value);
  else if (value instanceof Uint8Array) bytes = new Uint8Array(value);
  else throw invalid('options.tokens.secret: expected a string or a Uint8Array');
  // RFC 7518 3.2: an HMAC key at least as long as the hash output.
  const needed = Math.max(...algorithms.map((a) => HMAC_MIN_BYTES[a] ?? 32));
  if (bytes.length < needed) {
    throw invalid(`options.tokens.secret: must be at least ${needed} bytes long`);
  }
  return bytes;
}

function parseJwks(value: unknown): JWTVerifyGetKey {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (typeof value !== 'object' || !Array.isArray(keys) || keys.length === 0) {
    throw invalid('options.tokens.jwks: expected { keys: [...] } with at least one public JWK');
  }
  keys.forEach((jwk: unknown, i) => {
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) {
      throw invalid(`options.tokens.jwks.keys[${i}]: expected a JWK object`);
    }
    const kty = (jwk as { kty?: unknown }).kty;
    if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') {
      throw invalid(`options.tokens.jwks.keys[${i}].kty: expected "RSA", "EC" or "OKP"; use secret for HMAC`);
    }
    if (PRIVATE_JWK_MEMBERS.some((m) => m in jwk)) {
      // Not echoed: the member holds private key material.
      throw invalid(`options.tokens.jwks.keys[${i}]: is a private key; give the public key only`);
    }
  });
  try {
    return createLocalJWKSet({ keys: keys as JWK[] }) as JWTVerifyGetKey;
  } catch (cause) {
    throw new TollgateError(
      'ERR_TOLLGATE_INVALID_OPTIONS',
      'options.tokens.jwks: not a valid JSON Web Key Set',
      {
        cause,
      },
    );
  }
}

function parseJwksUrl(value: unknown): URL {
  if (typeof value !== 'string') throw invalid('options.tokens.jwksUrl: expected a URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('options.tokens.jwksUrl: not a valid URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid('options.tokens.jwksUrl: must not carry a user name or password');
  }
  // Keys fetched over plain HTTP could be swapped in transit, and with them every token's worth.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw invalid('options.tokens.jwksUrl: must be https: (http: only on 127.0.0.1, localhost or [::1])');
  }
  return url;
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

function parseNames(value: unknown, field: 'issuer' | 'audience'): string | string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v): v is string => typeof v === 'string' && v !== '')
  ) {
    return [...value];
  }
  throw invalid(`options.tokens.${field}: expected a non-empty string or a non-empty list of them`);
}

/** A configured value shown in an error: short and printable, in case it was pasted from somewhere odd. */
function printable(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}

function invalid(message: string): TollgateError {
  return new TollgateError('ERR_TOLLGATE_INVALID_OPTIONS', message);
}
