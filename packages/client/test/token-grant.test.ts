// Reading a token provider's answer: the token, and its expiry from a JWT `exp`, `expires_in` or `expiresAt`.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jwtExpiry, readGrant } from '../src/token-grant.js';

const NOW = Date.UTC(2026, 10, 23, 12);
const HOUR = 3_600_000;

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe('readGrant', () => {
  it('a JWT string expires at its exp claim', () => {
    const token = jwt({ sub: 'a', exp: NOW / 1000 + 600 });
    expect(readGrant(token, NOW, HOUR)).toEqual({ value: token, expiresAt: NOW + 600_000 });
  });

  it('an OAuth-style object expires after expires_in seconds (a numeric string too)', () => {
    expect(readGrant({ access_token: 'opaque-1', expires_in: 90 }, NOW, HOUR)).toEqual({
      value: 'opaque-1',
      expiresAt: NOW + 90_000,
    });
    expect(readGrant({ access_token: 'opaque-1', expires_in: '90' }, NOW, HOUR).expiresAt).toBe(NOW + 90_000);
    expect(readGrant({ token: 'opaque-2', expiresAt: new Date(NOW + 5000) }, NOW, HOUR).expiresAt).toBe(
      NOW + 5000,
    );
  });

  it('with both, the earlier expiry wins; with neither, the default lifetime applies', () => {
    const token = jwt({ exp: NOW / 1000 + 600 });
    expect(readGrant({ access_token: token, expires_in: 60 }, NOW, HOUR).expiresAt).toBe(NOW + 60_000);
    expect(readGrant({ access_token: token, expires_in: 6000 }, NOW, HOUR).expiresAt).toBe(NOW + 600_000);
    expect(readGrant('opaque-3', NOW, HOUR).expiresAt).toBe(NOW + HOUR);
  });

  it('refuses missing, malformed and already-expired tokens without quoting them', () => {
    const secret = 'tok_s3cr3t_value';
    for (const grant of [
      {},
      { access_token: '' },
      { access_token: `${secret}\n` },
      { access_token: secret, expires_in: 'soon' },
      { access_token: secret, expires_in: 0 },
      jwt({ exp: NOW / 1000 - 1 }),
      null as never,
    ]) {
      expect(() => readGrant(grant, NOW, HOUR)).toThrow();
      try {
        readGrant(grant, NOW, HOUR);
      } catch (e) {
        expect((e as Error).message).not.toContain(secret);
      }
    }
  });
});

describe('jwtExpiry', () => {
  it('is undefined for anything but a JWT with a numeric exp', () => {
    expect(jwtExpiry('a.b')).toBeUndefined();
    expect(jwtExpiry('a..c')).toBeUndefined();
    expect(jwtExpiry(jwt({ exp: 'tomorrow' }))).toBeUndefined();
    expect(jwtExpiry(jwt({ sub: 'x' }))).toBeUndefined();
    expect(jwtExpiry('x.!!!.y')).toBeUndefined();
  });

  it('never throws, whatever the string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ maxLength: 40 }), (s, t) => {
        const e1 = jwtExpiry(s);
        const e2 = jwtExpiry(`${t}.${s}.${t}`);
        for (const e of [e1, e2]) if (e !== undefined) expect(Number.isFinite(e)).toBe(true);
      }),
    );
  });
});
