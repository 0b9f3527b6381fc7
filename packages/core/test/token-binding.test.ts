// Credential ids and the check that a bound token's credential is still current.

import * as crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../src/compile-policy.js';
import { keyHashPrefix, keySha256 } from '../src/key-hash.js';
import { credentialFailure, credentialId, isCredentialId } from '../src/token-binding.js';
import { NOON_UTC } from './fixtures.js';

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const HOUR = 3_600_000;

describe('credentialId', () => {
  it('is the documented derivation, so it cannot drift while tokens carrying it are in flight', () => {
    const sha256 = keySha256('sk_live_0123456789');
    const documented = crypto
      .createHash('sha256')
      .update('tollgate credential id v1\0')
      .update(sha256)
      .digest('base64url')
      .slice(0, 22);
    expect(credentialId(sha256)).toBe(documented);
  });

  it('any hash: 22 base64url characters, the same every time, with the shape the verifier accepts', () => {
    fc.assert(
      fc.property(hex64, (sha256) => {
        const id = credentialId(sha256);
        expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(credentialId(sha256)).toBe(id);
        expect(isCredentialId(id)).toBe(true);
      }),
    );
  });

  it('distinct hashes get distinct ids', () => {
    fc.assert(
      fc.property(fc.uniqueArray(hex64, { minLength: 2, maxLength: 50 }), (hashes) => {
        expect(new Set(hashes.map(credentialId)).size).toBe(hashes.length);
      }),
    );
  });

  it('reveals neither the key nor its hash: no piece of either, and not the hash in another encoding', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[!-~]{8,64}$/), (key) => {
        const sha256 = keySha256(key);
        const id = credentialId(sha256);
        expect(id).not.toContain(key);
        expect(sha256).not.toContain(id);
        expect(id).not.toContain(keyHashPrefix(sha256));
        // A truncated hash would be a lookup handle for keySource and a match for events' keyHash.
        expect(id).not.toBe(Buffer.from(sha256, 'hex').toString('base64url').slice(0, 22));
        expect(id).not.toBe(Buffer.from(key).toString('base64url').slice(0, 22));
      }),
    );
  });
});

describe('isCredentialId', () => {
  it('refuses anything that is not 22 base64url characters', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (value) => {
        fc.pre(!(typeof value === 'string' && /^[A-Za-z0-9_-]{22}$/.test(value)));
        expect(isCredentialId(value)).toBe(false);
      }),
    );
    for (const v of ['', 'a'.repeat(21), 'a'.repeat(23), `${'a'.repeat(21)}=`, `${'a'.repeat(21)}+`]) {
      expect(isCredentialId(v)).toBe(false);
    }
  });
});

describe('credentialFailure', () => {
  const OLD = 'sk_live_old_0123456789';
  const NEW = 'sk_live_new_9876543210';
  const key = () =>
    compilePolicy({
      keys: [
        {
          id: 'partner',
          credentials: [
            { key: OLD, expiresAt: new Date(NOON_UTC + HOUR).toISOString() },
            { keySha256: keySha256(NEW) },
          ],
        },
        { id: 'other', key: 'sk_live_other_000000000' },
      ],
    }).byId.get('partner');

  it('a current credential passes; an expired one, a removed one or another key’s does not', () => {
    const partner = key();
    if (partner === undefined) throw new Error('no key');
    const oldId = credentialId(keySha256(OLD));
    expect(credentialFailure(partner, oldId, NOON_UTC)).toBeUndefined();
    expect(credentialFailure(partner, oldId, NOON_UTC + HOUR - 1)).toBeUndefined();
    expect(credentialFailure(partner, oldId, NOON_UTC + HOUR)).toBe('credential_expired');
    expect(credentialFailure(partner, credentialId(keySha256(NEW)), NOON_UTC + 10 * HOUR)).toBeUndefined();
    expect(credentialFailure(partner, credentialId(keySha256('sk_live_other_000000000')), NOON_UTC)).toBe(
      'credential_revoked',
    );
    const rotated = compilePolicy({ keys: [{ id: 'partner', key: NEW }] }).byId.get('partner');
    if (rotated === undefined) throw new Error('no key');
    expect(credentialFailure(rotated, oldId, NOON_UTC)).toBe('credential_revoked');
  });

  it('any set of credentials and any instant: passes exactly for a listed credential before its end', () => {
    const credential = fc.record({
      sha256: hex64,
      endsIn: fc.option(fc.integer({ min: -10 * HOUR, max: 10 * HOUR }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(credential, { minLength: 1, maxLength: 5, selector: (c) => c.sha256 }),
        hex64,
        fc.integer({ min: -20 * HOUR, max: 20 * HOUR }),
        (credentials, stranger, offset) => {
          fc.pre(!credentials.some((c) => c.sha256 === stranger));
          // Whole seconds: the policy takes ISO dates, and those are compared as epoch ms.
          const endOf = (c: { endsIn: number | undefined }) =>
            c.endsIn === undefined ? undefined : NOON_UTC + Math.floor(c.endsIn / 1000) * 1000;
          const compiled = compilePolicy({
            keys: [
              {
                id: 'k',
                credentials: credentials.map((c) => {
                  const end = endOf(c);
                  return end === undefined
                    ? { keySha256: c.sha256 }
                    : { keySha256: c.sha256, expiresAt: new Date(end).toISOString() };
                }),
              },
            ],
          }).byId.get('k');
          if (compiled === undefined) throw new Error('no key');
          const at = NOON_UTC + offset;
          for (const c of credentials) {
            const end = endOf(c);
            const expected = end !== undefined && at >= end ? 'credential_expired' : undefined;
            expect(credentialFailure(compiled, credentialId(c.sha256), at)).toBe(expected);
          }
          expect(credentialFailure(compiled, credentialId(stranger), at)).toBe('credential_revoked');
        },
      ),
      { numRuns: 200 },
    );
  });
});
