// The claim that names a key in a token, and the registered claims that never can, for the issuer and the verifier alike.

import type { OptionReader } from './option-reader.js';
import { CREDENTIAL_CLAIM } from './token-binding.js';

/** Claims whose value means something else, so none can name a key. */
export const REGISTERED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  CREDENTIAL_CLAIM,
]);

/**
 * Reads the `keyClaim` option: a claim name other than the registered ones. Default: `'sub'`.
 *
 * @example
 * keyClaimOf(o); // 'sub'
 */
export function keyClaimOf(o: OptionReader<'keyClaim'>): string {
  return o.string('keyClaim', {
    default: 'sub',
    test: (claim) => !REGISTERED_CLAIMS.has(claim),
    expected: `a claim name other than ${[...REGISTERED_CLAIMS].join(', ')}`,
  });
}
