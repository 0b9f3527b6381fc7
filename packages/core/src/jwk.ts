// The key shapes of the token options (JSON Web Keys, private key objects), declared here rather
// than taken from jose: jose is ESM-only, so CommonJS published types that import its types fail
// to compile (TS1479). jose's own types fit these (test/peer-types.test.ts pins that).

/**
 * A JSON Web Key (RFC 7517) as a plain object: `kty` and the members of its key type (RSA: `n`,
 * `e`; EC: `crv`, `x`, `y`; OKP: `crv`, `x`), plus `d` and the other private members in a private
 * key.
 *
 * @example
 * const jwk: Jwk = await crypto.subtle.exportKey('jwk', publicKey);
 */
export interface Jwk {
  /** Key type: `RSA`, `EC`, `OKP` or `oct`. */
  kty?: string;
  /** The algorithm the key is meant for (`RS256`, `ES256`, `EdDSA`, ...). */
  alg?: string;
  /** Key id: the `kid` a token header names to pick this key. */
  kid?: string;
  /** `sig` or `enc`. */
  use?: string;
  key_ops?: string[];
  ext?: boolean;
  /** EC and OKP curve (`P-256`, `Ed25519`, ...). */
  crv?: string;
  x?: string;
  y?: string;
  /** RSA modulus and exponent. */
  n?: string;
  e?: string;
  /** The private exponent or key (private keys only). */
  d?: string;
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
  oth?: { r?: string; d?: string; t?: string }[];
  /** Symmetric key bytes (`oct` keys only). */
  k?: string;
  x5c?: string[];
  x5t?: string;
  'x5t#S256'?: string;
  x5u?: string;
}

/**
 * A private key held as an object: a Node `KeyObject` (`crypto.createPrivateKey(pem)`) or a
 * WebCrypto `CryptoKey`. Tollgate reads its `type` (it must be `'private'`); the signer does the rest.
 */
export interface PrivateKeyObject {
  readonly type: string;
}
