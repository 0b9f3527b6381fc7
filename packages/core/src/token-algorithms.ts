// The signature algorithms tokens may use, shared by the issuer and the verifier, and the HMAC secret each needs.

import type { OptionReader } from './option-reader.js';

/** HMAC algorithms and the shortest secret each takes, in bytes (RFC 7518 3.2). */
export const HMAC_MIN_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };

/** The public-key signature algorithms accepted. */
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

/**
 * Reads the `secret` option as key bytes (a string is taken as UTF-8; a `Uint8Array` is
 * copied, so a later change to the caller's buffer does not change the key), at least as long
 * as the longest hash among `algorithms` needs. The secret is never quoted, nor its length.
 *
 * @example
 * hmacSecret(o, ['HS256']); // Uint8Array of 32 bytes or more
 */
export function hmacSecret(o: OptionReader<'secret'>, algorithms: readonly string[]): Uint8Array {
  const value = o.value('secret');
  let bytes: Uint8Array;
  if (typeof value === 'string') bytes = new TextEncoder().encode(value);
  else if (value instanceof Uint8Array) bytes = new Uint8Array(value);
  else throw o.fail('secret', 'expected a string or a Uint8Array');
  // RFC 7518 3.2: an HMAC key at least as long as the hash output.
  const needed = Math.max(...algorithms.map((a) => HMAC_MIN_BYTES[a] ?? 32));
  if (bytes.length < needed) throw o.fail('secret', `must be at least ${needed} bytes long`);
  return bytes;
}
