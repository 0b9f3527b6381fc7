// issueToken: the claims and header it writes, the keys it signs with, and the options it refuses.

import * as crypto from 'node:crypto';
import fc from 'fast-check';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { TollgateError } from '../src/errors.js';
import { type IssueTokenOptions, issueToken } from '../src/issue-token.js';
import { keyHashPrefix, keySha256 } from '../src/key-hash.js';
import { credentialId } from '../src/token-binding.js';
import { createTokenVerifier } from '../src/token-verifier.js';

const SECRET = 'issue-token-test-secret-5e8b1d7c3a9f0e2b4d6a';
const NOW = Date.UTC(2025, 5, 1, 8, 30, 0) + 456; // not on a whole second, on purpose
const NOW_SEC = Math.floor(NOW / 1000);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the token', () => {
  it('by default: HS256, one hour, iat = nbf = now in whole seconds, a random jti, the key in sub', async () => {
    const issued = await issueToken({ keyId: 'shop-web', secret: SECRET, now: NOW });
    expect(issued).toEqual({
      token: expect.any(String),
      expiresAt: (NOW_SEC + 3600) * 1000,
      expiresIn: 3600,
      tokenType: 'Bearer',
    });
    expect(decodeProtectedHeader(issued.token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const payload = decodeJwt(issued.token);
    expect(payload).toEqual({
      sub: 'shop-web',
      iat: NOW_SEC,
      nbf: NOW_SEC,
      exp: NOW_SEC + 3600,
      jti: expect.stringMatching(UUID),
    });
    const { payload: verified } = await jwtVerify(issued.token, new TextEncoder().encode(SECRET), {
      currentDate: new Date(NOW),
    });
    expect(verified.sub).toBe('shop-web');
  });

  it('gives every token its own jti', async () => {
    const a = decodeJwt((await issueToken({ keyId: 'k', secret: SECRET, now: NOW })).token);
    const b = decodeJwt((await issueToken({ keyId: 'k', secret: SECRET, now: NOW })).token);
    expect(a.jti).not.toBe(b.jti);
  });

  it('writes expiresInSec, iss, aud, kid and a custom key claim', async () => {
    const issued = await issueToken({
      keyId: 'shop-backend',
      secret: SECRET,
      expiresInSec: 300,
      issuer: 'https://api.example.com',
      audience: ['lookup-api', 'billing-api'],
      kid: 'hmac-2025',
      keyClaim: 'tollgate_key',
      now: NOW,
    });
    expect(issued.expiresIn).toBe(300);
    expect(issued.expiresAt).toBe((NOW_SEC + 300) * 1000);
    expect(decodeProtectedHeader(issued.token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'hmac-2025' });
    const payload = decodeJwt(issued.token);
    expect(payload).toMatchObject({
      tollgate_key: 'shop-backend',
      iss: 'https://api.example.com',
      aud: ['lookup-api', 'billing-api'],
      exp: NOW_SEC + 300,
    });
    expect(payload.sub).toBeUndefined();
  });

  it('with keySha256: bound to that credential by its id, and holding neither the key nor its hash', async () => {
    const key = 'sk_live_partner_0123456789';
    const sha256 = keySha256(key);
    const issued = await issueToken({ keyId: 'partner', keySha256: sha256, secret: SECRET, now: NOW });
    const payload = decodeJwt(issued.token);
    expect(payload).toEqual({
      sub: 'partner',
      tollgate_cred: credentialId(sha256),
      iat: NOW_SEC,
      nbf: NOW_SEC,
      exp: NOW_SEC + 3600,
      jti: expect.stringMatching(UUID),
    });
    const text = JSON.stringify(payload) + JSON.stringify(decodeProtectedHeader(issued.token));
    for (const secret of [
      key,
      sha256,
      keyHashPrefix(sha256),
      Buffer.from(sha256, 'hex').toString('base64url'),
    ]) {
      expect(text).not.toContain(secret);
      expect(issued.token).not.toContain(secret);
    }
  });

  it('defaults now to the current time', async () => {
    const before = Math.floor(Date.now() / 1000);
    const payload = decodeJwt((await issueToken({ keyId: 'k', secret: SECRET })).token);
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
});

describe('signing keys', () => {
  it.each(['RS256', 'PS256', 'ES256', 'ES384'] as const)('%s with a CryptoKey', async (alg) => {
    const { privateKey, publicKey } = await generateKeyPair(alg);
    const issued = await issueToken({ keyId: 'k', privateKey, algorithm: alg, kid: 'k1', now: NOW });
    expect(decodeProtectedHeader(issued.token)).toEqual({ alg, typ: 'JWT', kid: 'k1' });
    const verifier = createTokenVerifier({
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] },
      algorithms: [alg],
    });
    expect(await verifier.verify(issued.token, NOW)).toMatchObject({ ok: true, keyId: 'k' });
  });

  it('a private JWK that carries its alg needs no algorithm option', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256' };
    const issued = await issueToken({ keyId: 'k', privateKey: jwk, now: NOW });
    expect(decodeProtectedHeader(issued.token).alg).toBe('ES256');
    await expect(jwtVerify(issued.token, publicKey, { currentDate: new Date(NOW) })).resolves.toBeDefined();
  });

  it('a node:crypto KeyObject', async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issued = await issueToken({ keyId: 'k', privateKey, algorithm: 'ES256', now: NOW });
    await expect(jwtVerify(issued.token, publicKey, { currentDate: new Date(NOW) })).resolves.toBeDefined();
  });

  it('HS384 and HS512 with secrets long enough for them', async () => {
    for (const [alg, bytes] of [
      ['HS384', 48],
      ['HS512', 64],
    ] as const) {
      const secret = crypto.randomBytes(bytes);
      const issued = await issueToken({ keyId: 'k', secret, algorithm: alg, now: NOW });
      expect(decodeProtectedHeader(issued.token).alg).toBe(alg);
      await expect(jwtVerify(issued.token, secret, { currentDate: new Date(NOW) })).resolves.toBeDefined();
    }
  });
});

describe('issued tokens verify, and expire when they say', () => {
  // Raised to issueToken's own limit: this is about exp, not about the default maximum.
  const verifier = createTokenVerifier({ secret: SECRET, clockToleranceSec: 0, maxLifetimeSec: 86_400 });
  const byDefault = createTokenVerifier({ secret: SECRET });

  it('a default verifier takes exactly the tokens of an hour or less', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }),
        async (expiresInSec, now) => {
          const issued = await issueToken({ keyId: 'k', secret: SECRET, expiresInSec, now });
          const verdict = await byDefault.verify(issued.token, now);
          if (expiresInSec <= 3600) expect(verdict).toMatchObject({ ok: true });
          else expect(verdict).toEqual({ ok: false, reason: 'too_long_lived' });
        },
      ),
      { numRuns: 50 },
    );
  });

  it('any key id, lifetime and instant', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }),
        async (keyId, expiresInSec, now) => {
          const issued = await issueToken({ keyId, secret: SECRET, expiresInSec, now });
          expect(issued.expiresAt - now).toBeLessThanOrEqual(expiresInSec * 1000);
          expect(issued.expiresAt - now).toBeGreaterThan(expiresInSec * 1000 - 1000);
          expect(await verifier.verify(issued.token, now)).toEqual({
            ok: true,
            keyId,
            expiresAt: issued.expiresAt,
          });
          expect(await verifier.verify(issued.token, issued.expiresAt - 1)).toMatchObject({ ok: true });
          expect(await verifier.verify(issued.token, issued.expiresAt)).toEqual({
            ok: false,
            reason: 'expired',
          });
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('options', () => {
  const publicKey = async () => (await generateKeyPair('ES256')).publicKey;
  const privateKey = async () => (await generateKeyPair('ES256')).privateKey;

  it.each<[string, () => Promise<Partial<IssueTokenOptions> & Record<string, unknown>>, RegExp]>([
    ['no keyId', async () => ({ secret: SECRET }), /options\.keyId:/],
    ['an empty keyId', async () => ({ keyId: '', secret: SECRET }), /options\.keyId:/],
    ['a keyId that is too long', async () => ({ keyId: 'k'.repeat(257), secret: SECRET }), /options\.keyId:/],
    ['neither secret nor privateKey', async () => ({ keyId: 'k' }), /options:/],
    [
      'both secret and privateKey',
      async () => ({ keyId: 'k', secret: SECRET, privateKey: await privateKey() }),
      /options:/,
    ],
    ['a short secret', async () => ({ keyId: 'k', secret: 'short-secret-value' }), /options\.secret:/],
    [
      'a 32-byte secret for HS512',
      async () => ({ keyId: 'k', secret: SECRET, algorithm: 'HS512' }),
      /options\.secret:/,
    ],
    ['a secret that is a number', async () => ({ keyId: 'k', secret: 1234 }), /options\.secret:/],
    [
      'alg none with a secret',
      async () => ({ keyId: 'k', secret: SECRET, algorithm: 'none' }),
      /options\.algorithm:/,
    ],
    [
      'RS256 with a secret',
      async () => ({ keyId: 'k', secret: SECRET, algorithm: 'RS256' }),
      /options\.algorithm:/,
    ],
    [
      'HS256 with a private key',
      async () => ({ keyId: 'k', privateKey: await privateKey(), algorithm: 'HS256' }),
      /options\.algorithm:/,
    ],
    [
      'a private key without an algorithm',
      async () => ({ keyId: 'k', privateKey: await privateKey() }),
      /options\.algorithm:/,
    ],
    [
      'a public key',
      async () => ({ keyId: 'k', privateKey: await publicKey(), algorithm: 'ES256' }),
      /options\.privateKey:/,
    ],
    [
      'an oct JWK',
      async () => ({ keyId: 'k', privateKey: { kty: 'oct', k: 'c2VjcmV0' }, algorithm: 'ES256' }),
      /options\.privateKey:/,
    ],
    [
      'a key that does not suit the algorithm',
      async () => ({ keyId: 'k', privateKey: await privateKey(), algorithm: 'RS256' }),
      /options\.privateKey:/,
    ],
    [
      'expiresInSec 0',
      async () => ({ keyId: 'k', secret: SECRET, expiresInSec: 0 }),
      /options\.expiresInSec:/,
    ],
    [
      'expiresInSec 1.5',
      async () => ({ keyId: 'k', secret: SECRET, expiresInSec: 1.5 }),
      /options\.expiresInSec:/,
    ],
    [
      'expiresInSec over a day',
      async () => ({ keyId: 'k', secret: SECRET, expiresInSec: 86_401 }),
      /options\.expiresInSec:/,
    ],
    ['now NaN', async () => ({ keyId: 'k', secret: SECRET, now: Number.NaN }), /options\.now:/],
    ['keyClaim exp', async () => ({ keyId: 'k', secret: SECRET, keyClaim: 'exp' }), /options\.keyClaim:/],
    ['an empty kid', async () => ({ keyId: 'k', secret: SECRET, kid: '' }), /options\.kid:/],
    ['an empty issuer', async () => ({ keyId: 'k', secret: SECRET, issuer: '' }), /options\.issuer:/],
    [
      'an empty audience list',
      async () => ({ keyId: 'k', secret: SECRET, audience: [] }),
      /options\.audience:/,
    ],
    ['an unknown option', async () => ({ keyId: 'k', secret: SECRET, ttl: 60 }), /options\.ttl:/],
    [
      'keySha256 in upper case',
      async () => ({ keyId: 'k', secret: SECRET, keySha256: keySha256('short-secret-value').toUpperCase() }),
      /options\.keySha256:/,
    ],
    [
      'keySha256 one digit short',
      async () => ({ keyId: 'k', secret: SECRET, keySha256: keySha256('short-secret-value').slice(1) }),
      /options\.keySha256:/,
    ],
    [
      'the key itself as keySha256',
      async () => ({ keyId: 'k', secret: SECRET, keySha256: 'short-secret-value' }),
      /options\.keySha256:/,
    ],
    [
      'keySha256 a number',
      async () => ({ keyId: 'k', secret: SECRET, keySha256: 42 }),
      /options\.keySha256:/,
    ],
    [
      'keyClaim tollgate_cred',
      async () => ({ keyId: 'k', secret: SECRET, keyClaim: 'tollgate_cred' }),
      /options\.keyClaim:/,
    ],
  ])('refuses %s, naming the field and never the secret', async (_, make, field) => {
    const options = (await make()) as IssueTokenOptions;
    const error = await issueToken(options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TollgateError);
    expect((error as TollgateError).code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
    expect((error as TollgateError).message).toMatch(field);
    expect((error as TollgateError).message).toMatch(/^issueToken: options[.:]/);
    expect((error as TollgateError).message).not.toContain(SECRET);
    expect((error as TollgateError).message).not.toContain('short-secret-value');
    expect((error as TollgateError).message).not.toContain(keySha256('short-secret-value').slice(1, 20));
  });

  it('treats undefined as not given', async () => {
    const issued = await issueToken({
      keyId: 'k',
      secret: SECRET,
      privateKey: undefined,
      keySha256: undefined,
      expiresInSec: undefined,
      audience: undefined,
      now: NOW,
    });
    expect(issued.expiresIn).toBe(3600);
  });
});
