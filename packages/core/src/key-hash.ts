// Keys are looked up by their SHA-256: the policy may hold only the hash, and no secret is ever compared.

import * as crypto from 'node:crypto';

/**
 * Hex SHA-256 of an API key, as the policy's `keySha256` holds it (and `tollgate hash-key`
 * prints it). Lookups go through this digest, so a presented key is never compared with a
 * stored one character by character: a Map lookup on a digest the caller cannot steer leaks
 * nothing about how close a guess was.
 *
 * @example
 * keySha256('pk_live_0123456789'); // '5c0f…' (64 hex digits)
 */
export function keySha256(key: string): string {
  return crypto.hash('sha256', key, 'hex');
}

/** How an unknown key is named in events: a short prefix of its hash, never the key. */
export function keyHashPrefix(sha256: string): string {
  return sha256.slice(0, 12);
}

/**
 * A keyed hash of a normalised address for counter keys: 22 base64url characters (132 bits) of
 * HMAC-SHA256, so a shared store holds no address, and equal addresses still share a counter.
 *
 * @example
 * const label = ipHasher('a secret of at least 32 characters');
 * label('203.0.113.7'); // 'q1Jx…'
 */
export function ipHasher(secret: string): (ip: string) => string {
  return (ip) => crypto.createHmac('sha256', secret).update(ip).digest('base64url').slice(0, 22);
}
