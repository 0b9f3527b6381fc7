// Every 401 carries a WWW-Authenticate challenge (RFC 9110 §11.6.1): the key header, and Bearer with tokens.

import { describe, expect, it } from 'vitest';
import type { Decision } from '../src/decision.js';
import { createEngine } from '../src/engine.js';
import { examplePolicy, NOON_UTC, WEB_KEY } from './fixtures.js';

const SECRET = 'challenge-test-secret-of-32-bytes-or-more';
const EXPIRED_KEY = 'sk_live_rotated_out_0123456789';
const KEY = 'ApiKey header="X-Api-Key"';

function engineWith(tokens: boolean) {
  const policy = examplePolicy();
  return createEngine({
    policy: {
      ...policy,
      keys: [
        ...policy.keys,
        {
          id: 'rotated',
          credentials: [{ key: EXPIRED_KEY, expiresAt: new Date(NOON_UTC - 1000).toISOString() }],
        },
      ],
    },
    now: () => NOON_UTC,
    ...(tokens ? { tokens: { secret: SECRET } } : {}),
  });
}

const KEY_FAILURES = [
  ['missing_key', {}],
  ['unknown_key', { apiKey: 'pk_live_nope_0000000' }],
  ['ambiguous_key', { apiKey: [WEB_KEY, 'pk_live_other_000000'] }],
  ['key_expired', { apiKey: EXPIRED_KEY }],
] as const;

describe('WWW-Authenticate', () => {
  it.each(KEY_FAILURES)('without tokens, %s names the key header', async (code, input) => {
    const d: Decision = await engineWith(false).check(input);
    expect(d).toMatchObject({ status: 401, code });
    expect(d.headers['WWW-Authenticate']).toBe(KEY);
  });

  it.each(KEY_FAILURES)('with tokens, %s names the key header and Bearer', async (code, input) => {
    const d: Decision = await engineWith(true).check(input);
    expect(d).toMatchObject({ status: 401, code });
    expect(d.headers['WWW-Authenticate']).toBe(`${KEY}, Bearer`);
  });

  it('invalid_token keeps its Bearer error and description first, then names the key header', async () => {
    const engine = engineWith(true);
    for (const bearer of [null, 'not.a.jwt']) {
      const d = await engine.check({ bearer });
      expect(d).toMatchObject({ status: 401, code: 'invalid_token', body: { reason: 'malformed' } });
      expect(d.headers['WWW-Authenticate']).toBe(
        `Bearer error="invalid_token", error_description="The access token is not a well-formed signed JWT.", ${KEY}`,
      );
    }
    expect((await engine.check({ apiKey: WEB_KEY, bearer: 'x.y.z' })).headers['WWW-Authenticate']).toBe(
      `${KEY}, Bearer`,
    );
  });

  it('no other status carries a challenge', async () => {
    const engine = engineWith(true);
    const refusals = [
      await engine.check({ apiKey: WEB_KEY }), // 403 origin_required
      await engine.check({ apiKey: WEB_KEY, origin: 'https://evil.example.net' }), // 403
    ];
    for (const d of refusals) {
      expect(d.status).toBe(403);
      expect(d.headers).not.toHaveProperty('WWW-Authenticate');
    }
    const ok = await engine.check({ apiKey: WEB_KEY, origin: 'https://shop.example.com', ip: '192.0.2.1' });
    expect(ok.allowed).toBe(true);
    expect(ok.headers).not.toHaveProperty('WWW-Authenticate');
  });
});
