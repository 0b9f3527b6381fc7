// Binds a bearer token to the credential it was issued from, so rotating, expiring or removing that credential ends the token.

import * as crypto from 'node:crypto';
import type { CompiledKey } from './compile-policy.js';

/**
 * The claim `issueToken` writes the credential id into. Namespaced, because short names such
 * as `cid` already mean something else in other issuers' tokens (Okta's client id).
 */
export const CREDENTIAL_CLAIM = 'tollgate_cred';

// Versioned domain separation: the id can be told from no other hash of the key, and a later
// derivation can change without ever matching an old one.
const DOMAIN = 'tollgate credential id v1\0';
const ID_LENGTH = 22; // base64url characters: 132 bits
const ID_SHAPE = /^[A-Za-z0-9_-]{22}$/;

/**
 * The public id of a credential, from its hex SHA-256 (the policy's `keySha256`): 22 base64url
 * characters of SHA-256 over a fixed prefix and the hash. Tokens are readable by whoever holds
 * them, so the id is neither the key nor its hash: it cannot be used to look a key up in a
 * `keySource`, nor matched against the `keyHash` prefixes in events, and reversing it means
 * reversing SHA-256 twice.
 *
 * @example
 * credentialId(keySha256('sk_live_0123456789')); // 'mZ3…' (22 characters)
 */
export function credentialId(sha256: string): string {
  return crypto.hash('sha256', DOMAIN + sha256, 'base64url').slice(0, ID_LENGTH);
}

/** Whether a claim value has the shape of a credential id (anything else is a malformed token). */
export function isCredentialId(value: unknown): value is string {
  return typeof value === 'string' && ID_SHAPE.test(value);
}

/** Why a bound token no longer opens its key. */
export type CredentialFailure = 'credential_revoked' | 'credential_expired';

/**
 * Checks that the credential a token was issued from is still one of the key's credentials
 * and has not expired at `at` (epoch ms): `undefined` when it is, else the reason.
 *
 * @example
 * credentialFailure(key, verdict.credentialId, Date.now()); // undefined | 'credential_revoked' | 'credential_expired'
 */
export function credentialFailure(key: CompiledKey, id: string, at: number): CredentialFailure | undefined {
  const credential = key.credentials.get(id);
  if (credential === undefined) return 'credential_revoked';
  if (credential.expiresAt !== undefined && at >= credential.expiresAt) return 'credential_expired';
  return undefined;
}
