// Bearer token verification: real signatures, a real JWKS server over a socket, every refusal reason.

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TollgateError } from '../src/errors.js';
import { issueToken } from '../src/issue-token.js';
import { keySha256 } from '../src/key-hash.js';
import { credentialId } from '../src/token-binding.js';
import {
  createTokenVerifier,
  TOKEN_FAILURES,
  type TokenFailure,
  type TokenVerdict,
  type TokenVerifier,
  wwwAuthenticate,
} from '../src/token-verifier.js';
import { errorOf } from './fixtures.js';

const SECRET = 'tollgate-test-secret-7f3a9c1e5b2d8f4a6c0e';
const OTHER_SECRET = 'another-secret-that-is-long-enough-1234567';
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const SEC = 1000;
const REASONS = Object.keys(TOKEN_FAILURES) as TokenFailure[];
// Any UTF-16 code unit, lone surrogates included (fast-check's 'binary' unit is slow to start).
const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });

const b64 = (v: unknown): string =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A hand-built HS256 token: for claims and headers that SignJWT refuses to produce. */
function hs256(header: object, payload: unknown, secret: string | Buffer = SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = NOW / SEC;
  return { sub: 'shop-web', iat, nbf: iat, exp: iat + 3600, ...extra };
}

/** A verdict, its header and its problem text never hold the token, a part of it, or a secret. */
function expectNoLeak(verdict: TokenVerdict, token: string): void {
  let text = JSON.stringify(verdict);
  if (!verdict.ok) text += wwwAuthenticate(verdict.reason) + JSON.stringify(TOKEN_FAILURES[verdict.reason]);
  const parts = token.split('.').filter((p) => p.length >= 8);
  for (const secretOrPart of [token, ...parts, SECRET, OTHER_SECRET]) {
    if (secretOrPart.length > 0) expect(text).not.toContain(secretOrPart);
  }
}

async function expectReason(verifier: TokenVerifier, token: string, reason: TokenFailure, at = NOW) {
  const verdict = await verifier.verify(token, at);
  expect(verdict).toEqual({ ok: false, reason });
  expectNoLeak(verdict, token);
}

interface TestKeys {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}
let rsa: TestKeys;
let ec: TestKeys;
let ec2: TestKeys;
let stranger: TestKeys;

async function keyPair(alg: 'RS256' | 'ES256'): Promise<TestKeys> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { privateKey, publicKey, publicJwk: await exportJWK(publicKey) };
}

beforeAll(async () => {
  [rsa, ec, ec2, stranger] = await Promise.all([
    keyPair('RS256'),
    keyPair('ES256'),
    keyPair('ES256'),
    keyPair('ES256'),
  ]);
});

function jwksVerifier(extra: Record<string, unknown> = {}): TokenVerifier {
  return createTokenVerifier({
    jwks: {
      keys: [
        { ...rsa.publicJwk, kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...ec.publicJwk, kid: 'ec-1', alg: 'ES256', use: 'sig' },
      ],
    },
    ...extra,
  });
}

describe('round trip: issueToken → verify', () => {
  it('HS256 with a shared secret', async () => {
    const issued = await issueToken({ keyId: 'shop-web', secret: SECRET, now: NOW });
    const verdict = await createTokenVerifier({ secret: SECRET }).verify(issued.token, NOW);
    expect(verdict).toEqual({ ok: true, keyId: 'shop-web', expiresAt: NOW + 3600 * SEC });
    expect(issued.expiresAt).toBe(NOW + 3600 * SEC);
    expectNoLeak(verdict, issued.token);
  });

  it('HS512 with a 64-byte secret given as bytes', async () => {
    const secret = crypto.randomBytes(64);
    const issued = await issueToken({ keyId: 'k', secret, algorithm: 'HS512', now: NOW });
    const verifier = createTokenVerifier({ secret, algorithms: ['HS512'] });
    expect(await verifier.verify(issued.token, NOW)).toMatchObject({ ok: true, keyId: 'k' });
  });

  it.each(['RS256', 'ES256'] as const)('%s against a local JWKS, picked by kid', async (alg) => {
    const pair = alg === 'RS256' ? rsa : ec;
    const kid = alg === 'RS256' ? 'rsa-1' : 'ec-1';
    const issued = await issueToken({
      keyId: 'shop-backend',
      privateKey: pair.privateKey,
      algorithm: alg,
      kid,
      now: NOW,
    });
    expect(await jwksVerifier().verify(issued.token, NOW)).toEqual({
      ok: true,
      keyId: 'shop-backend',
      expiresAt: NOW + 3600 * SEC,
    });
  });

  it('without a kid, the key type picks the key', async () => {
    const issued = await issueToken({ keyId: 'a', privateKey: ec.privateKey, algorithm: 'ES256', now: NOW });
    expect(await jwksVerifier().verify(issued.token, NOW)).toMatchObject({ ok: true, keyId: 'a' });
  });

  it('without a kid and several fitting keys (a rotation), any one that verifies will do', async () => {
    const verifier = createTokenVerifier({ jwks: { keys: [ec.publicJwk, ec2.publicJwk] } });
    for (const pair of [ec, ec2]) {
      const issued = await issueToken({
        keyId: 'r',
        privateKey: pair.privateKey,
        algorithm: 'ES256',
        now: NOW,
      });
      expect(await verifier.verify(issued.token, NOW)).toMatchObject({ ok: true, keyId: 'r' });
    }
    const foreign = await issueToken({
      keyId: 'r',
      privateKey: stranger.privateKey,
      algorithm: 'ES256',
      now: NOW,
    });
    await expectReason(verifier, foreign.token, 'bad_signature');
  });

  it('a configured key claim names the key instead of sub', async () => {
    const issued = await issueToken({
      keyId: 'shop-web',
      secret: SECRET,
      keyClaim: 'tollgate_key',
      now: NOW,
    });
    const verifier = createTokenVerifier({ secret: SECRET, keyClaim: 'tollgate_key' });
    expect(await verifier.verify(issued.token, NOW)).toMatchObject({ ok: true, keyId: 'shop-web' });
    await expectReason(createTokenVerifier({ secret: SECRET }), issued.token, 'missing_key_claim');
  });

  it('checks iss and aud when configured', async () => {
    const verifier = createTokenVerifier({
      secret: SECRET,
      issuer: 'https://api.example.com',
      audience: ['a', 'b'],
    });
    const good = await issueToken({
      keyId: 'k',
      secret: SECRET,
      issuer: 'https://api.example.com',
      audience: 'b',
      now: NOW,
    });
    expect(await verifier.verify(good.token, NOW)).toMatchObject({ ok: true, keyId: 'k' });
  });
});

describe('refusals, each with its reason', () => {
  const verifier = (extra: Record<string, unknown> = {}) => createTokenVerifier({ secret: SECRET, ...extra });

  it('expired: past exp plus the clock skew', async () => {
    const { token } = await issueToken({ keyId: 'k', secret: SECRET, expiresInSec: 60, now: NOW });
    await expectReason(verifier(), token, 'expired', NOW + 60 * SEC + 31 * SEC);
    await expectReason(verifier({ clockToleranceSec: 0 }), token, 'expired', NOW + 60 * SEC);
  });

  it('within the clock skew: accepted just after exp and just before nbf', async () => {
    const { token } = await issueToken({ keyId: 'k', secret: SECRET, expiresInSec: 60, now: NOW });
    expect(await verifier().verify(token, NOW + 60 * SEC + 29 * SEC)).toMatchObject({ ok: true });
    expect(await verifier().verify(token, NOW - 29 * SEC)).toMatchObject({ ok: true });
  });

  it('not_yet_valid: nbf beyond the clock skew', async () => {
    const { token } = await issueToken({ keyId: 'k', secret: SECRET, now: NOW + 120 * SEC });
    await expectReason(verifier(), token, 'not_yet_valid');
    const soon = await issueToken({ keyId: 'k', secret: SECRET, now: NOW + 2 * SEC });
    await expectReason(verifier({ clockToleranceSec: 0 }), soon.token, 'not_yet_valid');
  });

  it('wrong_audience: another audience, or none', async () => {
    const v = verifier({ audience: 'lookup-api' });
    const other = await issueToken({ keyId: 'k', secret: SECRET, audience: 'billing-api', now: NOW });
    const none = await issueToken({ keyId: 'k', secret: SECRET, now: NOW });
    await expectReason(v, other.token, 'wrong_audience');
    await expectReason(v, none.token, 'wrong_audience');
  });

  it('wrong_issuer: another issuer, or none', async () => {
    const v = verifier({ issuer: ['https://a.example', 'https://b.example'] });
    const other = await issueToken({ keyId: 'k', secret: SECRET, issuer: 'https://evil.example', now: NOW });
    const none = await issueToken({ keyId: 'k', secret: SECRET, now: NOW });
    await expectReason(v, other.token, 'wrong_issuer');
    await expectReason(v, none.token, 'wrong_issuer');
  });

  it('bad_signature: another secret, a tampered payload, a tampered signature', async () => {
    const { token } = await issueToken({ keyId: 'shop-web', secret: OTHER_SECRET, now: NOW });
    await expectReason(verifier(), token, 'bad_signature');

    const good = (await issueToken({ keyId: 'shop-web', secret: SECRET, now: NOW })).token;
    const [header, , signature] = good.split('.');
    const forged = `${header}.${b64(claims({ sub: 'shop-backend' }))}.${signature}`;
    await expectReason(verifier(), forged, 'bad_signature');

    const sig = signature ?? '';
    const flipped = `${good.slice(0, good.length - sig.length)}${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    await expectReason(verifier(), flipped, 'bad_signature');
  });

  it('bad_signature: a JWKS token signed by a key outside the set, or with an unknown kid', async () => {
    const foreign = await issueToken({
      keyId: 'k',
      privateKey: stranger.privateKey,
      algorithm: 'ES256',
      now: NOW,
    });
    await expectReason(jwksVerifier(), foreign.token, 'bad_signature');
    const unknownKid = await issueToken({
      keyId: 'k',
      privateKey: ec.privateKey,
      algorithm: 'ES256',
      kid: 'ec-9',
      now: NOW,
    });
    await expectReason(jwksVerifier(), unknownKid.token, 'bad_signature');
  });

  it.each(['none', 'None', 'NONE'])('unsupported_alg: alg "%s", with or without a signature', async (alg) => {
    const input = `${b64({ alg, typ: 'JWT' })}.${b64(claims())}`;
    await expectReason(verifier(), `${input}.`, 'unsupported_alg');
    await expectReason(verifier(), `${input}.${b64('x')}`, 'unsupported_alg');
    await expectReason(jwksVerifier(), `${input}.`, 'unsupported_alg');
  });

  it('unsupported_alg: an HS256 token to an RS256/ES256 verifier, even one keyed with the public key', async () => {
    const hs = await issueToken({ keyId: 'k', secret: SECRET, now: NOW });
    await expectReason(jwksVerifier(), hs.token, 'unsupported_alg');
    // The classic confusion: the attacker signs with the (public) RSA key as an HMAC secret.
    const pem = await exportSPKI(rsa.publicKey);
    const confused = hs256({ alg: 'HS256', typ: 'JWT', kid: 'rsa-1' }, claims(), pem);
    await expectReason(jwksVerifier(), confused, 'unsupported_alg');
  });

  it('unsupported_alg: an RS256 or ES256 token to an HS256 verifier', async () => {
    for (const [pair, alg] of [
      [rsa, 'RS256'],
      [ec, 'ES256'],
    ] as const) {
      const { token } = await issueToken({
        keyId: 'k',
        privateKey: pair.privateKey,
        algorithm: alg,
        now: NOW,
      });
      await expectReason(verifier(), token, 'unsupported_alg');
    }
  });

  it('unsupported_alg: an allowed-family algorithm that was not configured', async () => {
    const { token } = await issueToken({
      keyId: 'k',
      privateKey: rsa.privateKey,
      algorithm: 'RS256',
      now: NOW,
    });
    await expectReason(jwksVerifier({ algorithms: ['ES256'] }), token, 'unsupported_alg');
    const hs384 = await issueToken({ keyId: 'k', secret: 'x'.repeat(48), algorithm: 'HS384', now: NOW });
    await expectReason(createTokenVerifier({ secret: 'x'.repeat(48) }), hs384.token, 'unsupported_alg');
  });

  it('missing_key_claim: no sub, an empty one, or one that is not a string', async () => {
    const noSub = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(NOW / SEC)
      .setExpirationTime(NOW / SEC + 60)
      .sign(new TextEncoder().encode(SECRET));
    await expectReason(verifier(), noSub, 'missing_key_claim');
    await expectReason(verifier(), hs256({ alg: 'HS256' }, claims({ sub: '' })), 'missing_key_claim');
    await expectReason(verifier(), hs256({ alg: 'HS256' }, claims({ sub: 42 })), 'missing_key_claim');
    await expectReason(
      verifier(),
      hs256({ alg: 'HS256' }, claims({ sub: 'x'.repeat(257) })),
      'missing_key_claim',
    );
  });

  it('missing_expiry: a token without exp', async () => {
    const { exp: _, ...noExp } = claims();
    await expectReason(verifier(), hs256({ alg: 'HS256' }, noExp), 'missing_expiry');
  });

  it('too_long_lived: exp - iat, or exp - now, beyond maxLifetimeSec', async () => {
    const v = verifier({ maxLifetimeSec: 3600 });
    const hour = await issueToken({ keyId: 'k', secret: SECRET, now: NOW });
    expect(await v.verify(hour.token, NOW)).toMatchObject({ ok: true });
    const twoHours = await issueToken({ keyId: 'k', secret: SECRET, expiresInSec: 7200, now: NOW });
    await expectReason(v, twoHours.token, 'too_long_lived');
    // iat moved forward to look short-lived, or left out: exp - now still gives it away.
    const iat = NOW / SEC;
    await expectReason(
      v,
      hs256({ alg: 'HS256' }, claims({ iat: iat + 7000, exp: iat + 7200 })),
      'too_long_lived',
    );
    const { iat: _, ...noIat } = claims({ exp: iat + 7200 });
    await expectReason(v, hs256({ alg: 'HS256' }, noIat), 'too_long_lived');
  });

  it('too_long_lived by default: tokens over one hour, such as a 24-hour token from issueToken', async () => {
    const day = await issueToken({ keyId: 'k', secret: SECRET, expiresInSec: 86_400, now: NOW });
    await expectReason(verifier(), day.token, 'too_long_lived');
    const justOver = await issueToken({ keyId: 'k', secret: SECRET, expiresInSec: 3601, now: NOW });
    await expectReason(verifier(), justOver.token, 'too_long_lived');
    const hour = await issueToken({ keyId: 'k', secret: SECRET, expiresInSec: 3600, now: NOW });
    expect(await verifier().verify(hour.token, NOW)).toMatchObject({ ok: true, keyId: 'k' });
    // Raised to match the issuer, the day-long token is taken again.
    expect(await verifier({ maxLifetimeSec: 86_400 }).verify(day.token, NOW)).toMatchObject({ ok: true });
    // From another issuer, without iat: judged by what is left of it.
    const { iat: _, ...noIat } = claims({ exp: NOW / SEC + 86_400 });
    await expectReason(verifier(), hs256({ alg: 'HS256' }, noIat), 'too_long_lived');
    expect(await verifier().verify(hs256({ alg: 'HS256' }, noIat), NOW + 83_000 * SEC)).toMatchObject({
      ok: true,
    });
  });

  it('a bound token names its credential id; one whose credential claim is not an id is malformed', async () => {
    const sha256 = keySha256('sk_live_partner_0123456789');
    const bound = await issueToken({ keyId: 'k', secret: SECRET, keySha256: sha256, now: NOW });
    expect(await verifier().verify(bound.token, NOW)).toEqual({
      ok: true,
      keyId: 'k',
      expiresAt: bound.expiresAt,
      credentialId: credentialId(sha256),
    });
    const unbound = await issueToken({ keyId: 'k', secret: SECRET, now: NOW });
    expect(await verifier().verify(unbound.token, NOW)).not.toHaveProperty('credentialId');
    for (const value of [42, '', 'x'.repeat(21), 'x'.repeat(23), sha256, null, ['a'.repeat(22)]]) {
      await expectReason(verifier(), hs256({ alg: 'HS256' }, claims({ tollgate_cred: value })), 'malformed');
    }
  });

  it.each([
    ['empty', ''],
    ['one segment', 'abc'],
    ['two segments', 'abc.def'],
    ['four segments', 'a.b.c.d'],
    ['five segments (a JWE)', 'a.b.c.d.e'],
    ['only dots', '..'],
    ['not base64url', 'ey J.ab+c.d/ef'],
    ['header not JSON', `${b64('not json')}.${b64(claims())}.sig`],
    ['header without alg', `${b64({ typ: 'JWT' })}.${b64(claims())}.sig`],
    ['header alg not a string', `${b64({ alg: 256 })}.${b64(claims())}.sig`],
    ['far too long', `${b64({ alg: 'HS256' })}.${'a'.repeat(9000)}.sig`],
  ])('malformed: %s', async (_, token) => {
    await expectReason(verifier(), token, 'malformed');
  });

  it('malformed: correctly signed, but the payload is not a JSON object or a date is not a number', async () => {
    await expectReason(verifier(), hs256({ alg: 'HS256' }, 'not json'), 'malformed');
    await expectReason(verifier(), hs256({ alg: 'HS256' }, [1, 2]), 'malformed');
    await expectReason(verifier(), hs256({ alg: 'HS256' }, claims({ exp: 'tomorrow' })), 'malformed');
    await expectReason(verifier(), hs256({ alg: 'HS256' }, claims({ nbf: null })), 'malformed');
  });

  it('malformed: an unknown critical header', async () => {
    await expectReason(
      verifier(),
      hs256({ alg: 'HS256', crit: ['x-tollgate'], 'x-tollgate': 1 }, claims()),
      'malformed',
    );
  });

  it('checks the signature before the claims: a forged expired token is a bad signature', async () => {
    const forged = hs256({ alg: 'HS256' }, claims({ exp: NOW / SEC - 3600 }), OTHER_SECRET);
    await expectReason(verifier(), forged, 'bad_signature');
  });
});

describe('remote JWKS over a real socket', () => {
  type Mode = 'ok' | 'error' | 'garbage' | 'hang' | 'redirect';
  let server: http.Server;
  let base: string;
  let mode: Mode = 'ok';
  let requests = 0;

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      requests++;
      if (mode === 'hang') return; // never answers: the verifier's timeout must end it
      if (mode === 'error') return void res.writeHead(500).end('boom');
      if (mode === 'redirect') return void res.writeHead(302, { location: 'https://example.com/' }).end();
      if (mode === 'garbage')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{nope');
      const keys = [
        { ...rsa.publicJwk, kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...ec.publicJwk, kid: 'ec-1', alg: 'ES256', use: 'sig' },
      ];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const remote = () => createTokenVerifier({ jwksUrl: `${base}/.well-known/jwks.json` });
  const rsToken = () =>
    issueToken({
      keyId: 'shop-backend',
      privateKey: rsa.privateKey,
      algorithm: 'RS256',
      kid: 'rsa-1',
      now: NOW,
    });

  it('fetches the key set once, then verifies from its cache', async () => {
    mode = 'ok';
    requests = 0;
    const verifier = remote();
    const rs = await rsToken();
    const es = await issueToken({
      keyId: 'shop-web',
      privateKey: ec.privateKey,
      algorithm: 'ES256',
      kid: 'ec-1',
      now: NOW,
    });
    expect(await verifier.verify(rs.token, NOW)).toEqual({
      ok: true,
      keyId: 'shop-backend',
      expiresAt: rs.expiresAt,
    });
    expect(await verifier.verify(es.token, NOW)).toMatchObject({ ok: true, keyId: 'shop-web' });
    expect(requests).toBe(1);
  });

  it('an unknown kid is a bad signature, and does not refetch during the cooldown', async () => {
    mode = 'ok';
    requests = 0;
    const verifier = remote();
    expect(await verifier.verify((await rsToken()).token, NOW)).toMatchObject({ ok: true });
    for (let i = 0; i < 5; i++) {
      const t = await issueToken({
        keyId: 'k',
        privateKey: ec.privateKey,
        algorithm: 'ES256',
        kid: `nope-${i}`,
        now: NOW,
      });
      await expectReason(verifier, t.token, 'bad_signature');
    }
    expect(requests).toBe(1);
  });

  it.each(['error', 'garbage', 'redirect'] as const)(
    'jwks_unavailable when the server answers with %s',
    async (m) => {
      mode = m;
      await expectReason(remote(), (await rsToken()).token, 'jwks_unavailable');
    },
  );

  it('jwks_unavailable when the server never answers (after the short timeout)', async () => {
    mode = 'hang';
    const started = Date.now();
    await expectReason(remote(), (await rsToken()).token, 'jwks_unavailable');
    expect(Date.now() - started).toBeLessThan(5000);
    server.closeAllConnections();
  });

  it('jwks_unavailable when nothing listens, and recovers once the keys are back', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const token = (await rsToken()).token;
    await expectReason(
      createTokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/jwks` }),
      token,
      'jwks_unavailable',
    );

    mode = 'error';
    const verifier = remote();
    await expectReason(verifier, token, 'jwks_unavailable');
    mode = 'ok';
    expect(await verifier.verify(token, NOW)).toMatchObject({ ok: true, keyId: 'shop-backend' });
  });

  it('an HS256 token never reaches the key set', async () => {
    mode = 'ok';
    requests = 0;
    await expectReason(
      remote(),
      (await issueToken({ keyId: 'k', secret: SECRET, now: NOW })).token,
      'unsupported_alg',
    );
    expect(requests).toBe(0);
  });
});

describe('hostile input never rejects and is never accepted', () => {
  const verifier = createTokenVerifier({ secret: SECRET });

  it('any string', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), anyText, fc.base64String()), async (token) => {
        const verdict = await verifier.verify(token, NOW);
        expect(verdict.ok).toBe(false);
        if (!verdict.ok) expect(REASONS).toContain(verdict.reason);
      }),
    );
  });

  it('any three base64url segments, including JSON headers with any alg', async () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/);
    const header = fc
      .record({ alg: fc.oneof(fc.string(), fc.constantFrom('none', 'HS256', 'RS256')) })
      .map(b64);
    await fc.assert(
      fc.asyncProperty(fc.oneof(segment, header), segment, segment, async (h, p, s) => {
        const token = `${h}.${p}.${s}`;
        const verdict = await verifier.verify(token, NOW);
        expect(verdict.ok).toBe(false);
      }),
    );
  });

  it('any change to the signed part of a valid token', async () => {
    const { token } = await issueToken({ keyId: 'shop-web', secret: SECRET, now: NOW });
    const signedLength = token.lastIndexOf('.');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: signedLength - 1 }),
        fc.constantFrom(...'ABCabc012-_.=+/ '),
        fc.constantFrom('replace', 'insert', 'delete'),
        async (at, ch, op) => {
          const head = token.slice(0, at);
          const tail = token.slice(op === 'insert' ? at : at + 1);
          const mutated = op === 'delete' ? head + tail : head + ch + tail;
          fc.pre(mutated !== token);
          const verdict = await verifier.verify(mutated, NOW);
          expect(verdict.ok).toBe(false);
          expectNoLeak(verdict, mutated);
        },
      ),
    );
  });

  it('a bad clock value is a refusal, not a rejection', async () => {
    const { token } = await issueToken({ keyId: 'k', secret: SECRET, now: NOW });
    expect(await verifier.verify(token, Number.NaN)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('options', () => {
  const publicJwk = (): JWK => ({ ...ec.publicJwk });

  it.each([
    ['not an object', 'x', /^createTokenVerifier: options:/],
    ['no source', {}, /^createTokenVerifier: options:/],
    ['two sources', { secret: SECRET, jwksUrl: 'https://a.example/jwks' }, /^createTokenVerifier: options:/],
    ['an unknown option', { secret: SECRET, leeway: 5 }, /^createTokenVerifier: options\.leeway:/],
    ['a short secret', { secret: 'short-secret-value' }, /^createTokenVerifier: options\.secret:/],
    [
      'a 32-byte secret for HS512',
      { secret: SECRET, algorithms: ['HS512'] },
      /^createTokenVerifier: options\.secret:/,
    ],
    ['a secret that is a number', { secret: 12345 }, /^createTokenVerifier: options\.secret:/],
    ['alg none', { secret: SECRET, algorithms: ['none'] }, /^createTokenVerifier: options\.algorithms:/],
    ['no algorithms', { secret: SECRET, algorithms: [] }, /^createTokenVerifier: options\.algorithms:/],
    [
      'RS256 with a secret',
      { secret: SECRET, algorithms: ['RS256'] },
      /^createTokenVerifier: options\.algorithms:/,
    ],
    [
      'HS256 with a JWKS URL',
      { jwksUrl: 'https://a.example/j', algorithms: ['HS256'] },
      /^createTokenVerifier: options\.algorithms:/,
    ],
    [
      'plain http to another host',
      { jwksUrl: 'http://auth.example.com/jwks' },
      /^createTokenVerifier: options\.jwksUrl:/,
    ],
    ['not a URL', { jwksUrl: 'not a url' }, /^createTokenVerifier: options\.jwksUrl:/],
    [
      'a URL with a password',
      { jwksUrl: 'https://u:p@a.example/jwks' },
      /^createTokenVerifier: options\.jwksUrl:/,
    ],
    ['an empty key set', { jwks: { keys: [] } }, /^createTokenVerifier: options\.jwks:/],
    [
      'a symmetric JWK',
      { jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
      /^createTokenVerifier: options\.jwks\.keys\[0\]\.kty:/,
    ],
    [
      'clockToleranceSec -1',
      { secret: SECRET, clockToleranceSec: -1 },
      /^createTokenVerifier: options\.clockToleranceSec:/,
    ],
    [
      'clockToleranceSec 301',
      { secret: SECRET, clockToleranceSec: 301 },
      /^createTokenVerifier: options\.clockToleranceSec:/,
    ],
    [
      'clockToleranceSec 1.5',
      { secret: SECRET, clockToleranceSec: 1.5 },
      /^createTokenVerifier: options\.clockToleranceSec:/,
    ],
    ['keyClaim exp', { secret: SECRET, keyClaim: 'exp' }, /^createTokenVerifier: options\.keyClaim:/],
    ['keyClaim empty', { secret: SECRET, keyClaim: '' }, /^createTokenVerifier: options\.keyClaim:/],
    [
      'maxLifetimeSec 0',
      { secret: SECRET, maxLifetimeSec: 0 },
      /^createTokenVerifier: options\.maxLifetimeSec:/,
    ],
    [
      'maxLifetimeSec 1.5',
      { secret: SECRET, maxLifetimeSec: 1.5 },
      /^createTokenVerifier: options\.maxLifetimeSec:/,
    ],
    [
      'maxLifetimeSec over a day',
      { secret: SECRET, maxLifetimeSec: 86_401 },
      /^createTokenVerifier: options\.maxLifetimeSec:/,
    ],
    [
      'maxLifetimeSec as a string',
      { secret: SECRET, maxLifetimeSec: '3600' },
      /^createTokenVerifier: options\.maxLifetimeSec:/,
    ],
    [
      'keyClaim tollgate_cred',
      { secret: SECRET, keyClaim: 'tollgate_cred' },
      /^createTokenVerifier: options\.keyClaim:/,
    ],
    ['an empty issuer', { secret: SECRET, issuer: '' }, /^createTokenVerifier: options\.issuer:/],
    ['an empty audience list', { secret: SECRET, audience: [] }, /^createTokenVerifier: options\.audience:/],
  ])('refuses %s, naming the field', (_, options, field) => {
    const error = errorOf(() => createTokenVerifier(options));
    expect(error).toBeInstanceOf(TollgateError);
    expect(error.code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
    expect(error.message).toMatch(field);
    expect(error.message).not.toContain('short-secret-value');
    expect(error.message).not.toContain(SECRET);
  });

  it('refuses a private key in the set without echoing it', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(pair.privateKey);
    const error = errorOf(() => createTokenVerifier({ jwks: { keys: [publicJwk(), privateJwk] } }));
    expect(error.code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
    expect(error.message).toMatch(/^createTokenVerifier: options\.jwks\.keys\[1\]:/);
    expect(error.message).not.toContain(privateJwk.d);
  });

  it.each([
    'https://auth.example.com/.well-known/jwks.json',
    'http://127.0.0.1:8080/jwks',
    'http://localhost/jwks',
    'http://[::1]:9000/jwks',
  ])('accepts jwksUrl %s', (jwksUrl) => {
    expect(() => createTokenVerifier({ jwksUrl })).not.toThrow();
  });

  it('treats undefined as not given', () => {
    expect(() =>
      createTokenVerifier({
        secret: SECRET,
        jwks: undefined,
        algorithms: undefined,
        clockToleranceSec: undefined,
      }),
    ).not.toThrow();
  });
});
