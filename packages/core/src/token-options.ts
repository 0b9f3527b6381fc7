// The `tokens` options: what a verifier is told, read once at setup into a checked configuration.

import { createLocalJWKSet, type JWK, type JWTVerifyGetKey } from 'jose';
import type { Jwk } from './jwk.js';
import type { KnownOptions, OptionReader } from './option-reader.js';
import { ASYMMETRIC_ALGORITHMS, HMAC_MIN_BYTES, hmacSecret } from './token-algorithms.js';
import { keyClaimOf } from './token-claims.js';
import { DEFAULT_MAX_LIFETIME_SEC, LONGEST_LIFETIME_SEC } from './token-lifetime.js';

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

/** Every field of {@link TokenOptions}; the compiler keeps the list in step with the type. */
export const TOKEN_OPTION_KEYS = {
  secret: true,
  jwks: true,
  jwksUrl: true,
  algorithms: true,
  issuer: true,
  audience: true,
  clockToleranceSec: true,
  keyClaim: true,
  maxLifetimeSec: true,
} as const satisfies KnownOptions<keyof TokenOptions>;

/** What the `tokens` object must be, for the message when it is not an object. */
export const TOKEN_OPTIONS_EXPECTED = 'an object with one of secret, jwks or jwksUrl';

/**
 * TokenOptions checked, with every default applied. `key` is the secret's bytes, the local key
 * set, or the URL of the remote one (fetched by the verifier, never here).
 */
export interface TokenConfig {
  readonly key: Uint8Array | JWTVerifyGetKey | URL;
  readonly algorithms: readonly string[];
  readonly issuer: string | string[] | undefined;
  readonly audience: string | string[] | undefined;
  readonly clockToleranceSec: number;
  readonly keyClaim: string;
  readonly maxLifetimeSec: number;
}

// Members that only private or symmetric JWKs carry: such a key must not sit in a verifier's set.
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Reads token options. Throws `ERR_TOLLGATE_INVALID_OPTIONS` naming the field, and never the
 * secret or a private key's members.
 *
 * @example
 * readTokenOptions(readOptions('createTokenVerifier', options, TOKEN_OPTION_KEYS, { expected: TOKEN_OPTIONS_EXPECTED }));
 */
export function readTokenOptions(o: OptionReader<keyof TokenOptions>): TokenConfig {
  const sources = (['secret', 'jwks', 'jwksUrl'] as const).filter((name) => o.given(name));
  if (sources.length !== 1) {
    throw o.fail(
      undefined,
      sources.length === 0
        ? 'give one of secret, jwks or jwksUrl'
        : `give only one of secret, jwks or jwksUrl (got ${sources.join(' and ')})`,
    );
  }

  const symmetric = o.given('secret');
  const algorithms = readAlgorithms(o, symmetric);
  let key: Uint8Array | JWTVerifyGetKey | URL;
  if (symmetric) key = hmacSecret(o, algorithms);
  else if (o.given('jwks')) key = readJwks(o);
  else key = readJwksUrl(o);

  return {
    key,
    algorithms,
    issuer: o.stringOrList('issuer'),
    audience: o.stringOrList('audience'),
    clockToleranceSec: o.integer('clockToleranceSec', { min: 0, max: 300, unit: 'seconds', default: 30 }),
    keyClaim: keyClaimOf(o),
    maxLifetimeSec: o.integer('maxLifetimeSec', {
      min: 1,
      max: LONGEST_LIFETIME_SEC,
      unit: 'seconds',
      default: DEFAULT_MAX_LIFETIME_SEC,
    }),
  };
}

function readAlgorithms(o: OptionReader<'algorithms'>, symmetric: boolean): string[] {
  const value = o.value('algorithms');
  if (value === undefined) return symmetric ? ['HS256'] : ['RS256', 'ES256'];
  if (!Array.isArray(value) || value.length === 0 || value.some((a) => typeof a !== 'string')) {
    throw o.fail('algorithms', 'expected a non-empty list of algorithm names');
  }
  for (const alg of value as string[]) {
    const fits = symmetric ? HMAC_MIN_BYTES[alg] !== undefined : ASYMMETRIC_ALGORITHMS.has(alg);
    if (!fits) {
      const expected = symmetric
        ? 'HS256, HS384 or HS512 with a secret'
        : [...ASYMMETRIC_ALGORITHMS].join(', ');
      throw o.fail('algorithms', `"${printable(alg)}" is not accepted; expected ${expected}`);
    }
  }
  return [...new Set(value as string[])];
}

function readJwks(o: OptionReader<'jwks'>): JWTVerifyGetKey {
  const value = o.value('jwks');
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (typeof value !== 'object' || !Array.isArray(keys) || keys.length === 0) {
    throw o.fail('jwks', 'expected { keys: [...] } with at least one public JWK');
  }
  keys.forEach((jwk: unknown, i) => {
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) {
      throw o.fail(`jwks.keys[${i}]`, 'expected a JWK object');
    }
    const kty = (jwk as { kty?: unknown }).kty;
    if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') {
      throw o.fail(`jwks.keys[${i}].kty`, 'expected "RSA", "EC" or "OKP"; use secret for HMAC');
    }
    if (PRIVATE_JWK_MEMBERS.some((m) => m in jwk)) {
      // Not echoed: the member holds private key material.
      throw o.fail(`jwks.keys[${i}]`, 'is a private key; give the public key only');
    }
  });
  try {
    return createLocalJWKSet({ keys: keys as JWK[] }) as JWTVerifyGetKey;
  } catch (cause) {
    throw o.fail('jwks', 'not a valid JSON Web Key Set', cause);
  }
}

function readJwksUrl(o: OptionReader<'jwksUrl'>): URL {
  const value = o.value('jwksUrl');
  if (typeof value !== 'string') throw o.fail('jwksUrl', 'expected a URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw o.fail('jwksUrl', 'not a valid URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw o.fail('jwksUrl', 'must not carry a user name or password');
  }
  // Keys fetched over plain HTTP could be swapped in transit, and with them every token's worth.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw o.fail('jwksUrl', 'must be https: (http: only on 127.0.0.1, localhost or [::1])');
  }
  return url;
}

/** A configured value shown in an error: short and printable, in case it was pasted from somewhere odd. */
function printable(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}
