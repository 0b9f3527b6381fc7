// No key, token or raw forwarded value ever reaches an event, a log line or a problem body, on any path.

import * as http from 'node:http';
import { issueToken, keySha256, type TollgateEvent } from '@tollgate/core';
import { NOON_UTC } from '@tollgate/testkit/fixtures';
import { listen, request } from '@tollgate/testkit/http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tollgate } from '../src/index.js';

const KEYS = {
  plain: 'pk_live_secret_plain_0123456789',
  hashed: 'sk_live_secret_hashed_0123456789',
  old: 'sk_live_secret_old_0123456789',
  current: 'sk_live_secret_current_0123456789',
  disabled: 'sk_live_secret_disabled_0123456789',
  unknown: 'sk_live_secret_unknown_0123456789',
};
const TOKEN_SECRET = 'token-signing-secret-of-at-least-32-bytes';
const FORWARDED = ['198.51.100.201', 'bad-forwarded-value-7f3a', '203.0.113.77, 10.9.8.7'];

describe('secrets stay out of events, logs and bodies', () => {
  const lines: string[] = [];
  const bodies: string[] = [];
  const secrets: string[] = [...Object.values(KEYS), TOKEN_SECRET, ...FORWARDED];
  let base: string;
  let close: () => Promise<void>;
  const onWarning = (w: Error) => lines.push(w.message);

  beforeAll(async () => {
    process.on('warning', onWarning);
    const app = express();
    app.use(
      tollgate({
        policy: {
          sourceIpHeader: 'X-Source-IP',
          keys: [
            { id: 'browser', key: KEYS.plain, allowedUrls: ['https://shop.example.com'], perIpDailyLimit: 2 },
            { id: 'backend', keySha256: keySha256(KEYS.hashed), ipForwarding: true, dailyLimit: 3 },
            {
              id: 'rotated',
              credentials: [
                { key: KEYS.old, expiresAt: new Date(NOON_UTC - 1000).toISOString() },
                { keySha256: keySha256(KEYS.current) },
              ],
            },
            { id: 'off', key: KEYS.disabled, disabled: true },
          ],
        },
        tokens: { secret: TOKEN_SECRET },
        now: () => NOON_UTC,
        // A log pipeline, as an operator would write it.
        onEvent: (e: TollgateEvent) => lines.push(JSON.stringify(e)),
        unusualActivity: { authFailuresPerMinute: 2, refusalsPerMinute: 2 },
      }),
    );
    app.get('/x', (_req, res) => res.json({ ok: true }));
    ({ base, close } = await listen(http.createServer(app)));
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await close();
  });

  it('on every path', async () => {
    const valid = (await issueToken({ keyId: 'backend', secret: TOKEN_SECRET, now: NOON_UTC })).token;
    const expired = (await issueToken({ keyId: 'backend', secret: TOKEN_SECRET, now: NOON_UTC - 7_200_000 }))
      .token;
    const forged = (await issueToken({ keyId: 'backend', secret: `${TOKEN_SECRET}-forged`, now: NOON_UTC }))
      .token;
    // Bound to a credential: the current one, and the one rotated out (expiresAt passed).
    const bind = async (key: string) =>
      (await issueToken({ keyId: 'rotated', keySha256: keySha256(key), secret: TOKEN_SECRET, now: NOON_UTC }))
        .token;
    const boundCurrent = await bind(KEYS.current);
    const boundOld = await bind(KEYS.old);
    const tokens = [valid, expired, forged, boundCurrent, boundOld];
    secrets.push(...tokens, ...tokens.map((t) => t.split('.')[2] as string));

    const send = async (path: string, headers: [string, string][]) => {
      const r = await request(base, path, { headers });
      bodies.push(r.body);
      return r.status;
    };
    const origin: [string, string] = ['Origin', 'https://shop.example.com'];
    const statuses = [
      await send('/x', [['X-Api-Key', KEYS.plain], origin]),
      await send(`/x?api_key=${KEYS.plain}`, [origin, ['X-Source-IP', FORWARDED[0] as string]]),
      await send('/x', [['X-Api-Key', KEYS.plain], origin]),
      await send('/x', [
        ['X-Api-Key', KEYS.plain],
        ['Origin', 'https://evil.example.net'],
      ]),
      await send('/x', [
        ['X-Api-Key', KEYS.hashed],
        ['X-Source-IP', FORWARDED[0] as string],
      ]),
      await send('/x', [
        ['X-Api-Key', KEYS.hashed],
        ['X-Source-IP', FORWARDED[1] as string],
      ]),
      await send('/x', [
        ['X-Api-Key', KEYS.hashed],
        ['X-Source-IP', FORWARDED[2] as string],
      ]),
      await send('/x', [['X-Api-Key', KEYS.old]]),
      await send('/x', [['X-Api-Key', KEYS.current]]),
      await send('/x', [['X-Api-Key', KEYS.disabled]]),
      await send('/x', [['X-Api-Key', KEYS.unknown]]),
      await send('/x', [['X-Api-Key', KEYS.unknown]]),
      await send('/x', [['X-Api-Key', KEYS.unknown]]),
      await send(`/x?api_key=${KEYS.unknown}`, [['X-Api-Key', KEYS.plain]]),
      await send('/x', [
        ['Authorization', `Bearer ${valid}`],
        ['X-Source-IP', FORWARDED[0] as string],
      ]),
      await send('/x', [['Authorization', `Bearer ${expired}`]]),
      await send('/x', [['Authorization', `Bearer ${forged}`]]),
      await send('/x', [['Authorization', 'Bearer not a token']]),
      await send('/x', [['Authorization', `Bearer ${boundCurrent}`]]),
      await send('/x', [['Authorization', `Bearer ${boundOld}`]]),
      await send('/x', [
        ['Authorization', `Bearer ${valid}`],
        ['X-Api-Key', KEYS.hashed],
      ]),
      await send('/x', [
        ['X-Api-Key', KEYS.hashed],
        ['X-Source-IP', '198.51.100.202'],
      ]),
    ];
    // Every path was taken: allowed, 400, 401 of each kind, 403 of each kind, 429.
    expect(new Set(statuses)).toEqual(new Set([200, 400, 401, 403, 429]));
    const types = new Set(lines.map((l) => (l.startsWith('{') ? JSON.parse(l).type : 'warning')));
    for (const t of ['auth_failure', 'refused', 'forwarding_ignored', 'threshold', 'unusual_activity']) {
      expect(types, t).toContain(t);
    }

    expect(lines.some((l) => l.includes('"reason":"credential_expired"'))).toBe(true);
    const everything = [...lines, ...bodies].join('\n');
    for (const secret of secrets) expect(everything, secret.slice(0, 12)).not.toContain(secret);
    // Not even a long piece of one.
    for (const key of Object.values(KEYS)) expect(everything).not.toContain(key.slice(-16));
  });
});
