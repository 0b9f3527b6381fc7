// Bearer tokens through a real Express app: a token minted at /authenticate dies with the credential it came from.

import * as http from 'node:http';
import { issueToken, keySha256 } from '@tollgate/core';
import { NOON_UTC } from '@tollgate/testkit/fixtures';
import { listen, request } from '@tollgate/testkit/http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Internal to core, not exported: the detail each token failure is answered with.
import { TOKEN_FAILURES } from '../../core/src/internal.js';
import { tollgate } from '../src/index.js';

const OLD_KEY = 'sk_live_tokens_old_0123456789';
const NEW_KEY = 'sk_live_tokens_new_9876543210';
const TOKEN_SECRET = 'token-signing-secret-of-at-least-32-bytes';
const policyWith = (key: string) => ({
  keys: [{ id: 'partner', keySha256: keySha256(key), dailyLimit: 100 }],
});

describe('a token from a rotated-out credential, over HTTP', () => {
  let base: string;
  let close: () => Promise<void>;
  const guard = tollgate({
    policy: policyWith(OLD_KEY),
    tokens: { secret: TOKEN_SECRET },
    now: () => NOON_UTC,
  });

  beforeAll(async () => {
    const app = express();
    // The provider's /authenticate: Tollgate checks the presented key, the route binds the token to it.
    app.post('/authenticate', guard, async (req, res) => {
      const presented = req.get('x-api-key');
      if (presented === undefined) return void res.status(400).end(); // a token must not buy a token
      const issued = await issueToken({
        keyId: res.locals.tollgate.keyId,
        keySha256: keySha256(presented),
        secret: TOKEN_SECRET,
        now: NOON_UTC,
      });
      res.json({ access_token: issued.token, token_type: issued.tokenType, expires_in: issued.expiresIn });
    });
    app.get('/lookup', guard, (_req, res) => res.json({ ok: true, keyId: res.locals.tollgate.keyId }));
    ({ base, close } = await listen(http.createServer(app)));
  });
  afterAll(() => close());

  const authenticate = async (key: string) => {
    const r = await request(base, '/authenticate', { method: 'POST', headers: [['X-Api-Key', key]] });
    return { status: r.status, token: (r.json as { access_token?: string }).access_token ?? '' };
  };
  const lookup = (token: string) =>
    request(base, '/lookup', { headers: [['Authorization', `Bearer ${token}`]] });

  it('is refused with 401 invalid_token and reason credential_revoked; one from the current credential works', async () => {
    const before = await authenticate(OLD_KEY);
    expect(before.status).toBe(200);
    expect((await lookup(before.token)).status).toBe(200);

    guard.engine.reload(policyWith(NEW_KEY));

    const refused = await lookup(before.token);
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json).toMatchObject({
      status: 401,
      code: 'invalid_token',
      reason: 'credential_revoked',
      detail: TOKEN_FAILURES.credential_revoked.detail,
    });
    expect(refused.headers['www-authenticate']).toContain(
      `Bearer error="invalid_token", error_description="${TOKEN_FAILURES.credential_revoked.detail}"`,
    );
    expect(refused.body).not.toContain(before.token.split('.')[1]);

    expect((await authenticate(OLD_KEY)).status).toBe(401);
    const after = await authenticate(NEW_KEY);
    expect(after.status).toBe(200);
    const served = await lookup(after.token);
    expect(served.status).toBe(200);
    expect(served.json).toEqual({ ok: true, keyId: 'partner' });
    // The token passes Tollgate at /authenticate, but buys no fresh token there.
    const exchange = await request(base, '/authenticate', {
      method: 'POST',
      headers: [['Authorization', `Bearer ${after.token}`]],
    });
    expect(exchange.status).toBe(400);
  });
});
