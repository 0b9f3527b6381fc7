// Keys at rest and rotation, disabled keys, HTTPS, reloads, key sources and data minimisation.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../src/decision.js';
import { createEngine, type Engine } from '../src/engine.js';
import type { TollgateEvent } from '../src/events.js';
import { issueToken } from '../src/issue-token.js';
import { keySha256 } from '../src/key-hash.js';
import type { KeyPolicy } from '../src/policy-schema.js';
import type { ConsumeResult, CounterSpec, Store } from '../src/store.js';
import { examplePolicy, NOON_UTC, WEB_KEY } from './fixtures.js';

const OLD_KEY = 'sk_live_old_0123456789';
const NEW_KEY = 'sk_live_new_9876543210';
const HASHED_KEY = 'sk_live_hashed_5555555555';
const DAY = 86_400_000;

function sync(engine: Engine, input: Parameters<Engine['check']>[0]): Decision {
  const d = engine.check(input);
  if (d instanceof Promise) throw new Error('expected a synchronous decision');
  return d;
}

function setup(keys: KeyPolicy[], extra: Partial<Parameters<typeof createEngine>[0]> = {}) {
  let now = NOON_UTC;
  const events: TollgateEvent[] = [];
  const engine = createEngine({
    policy: { keys },
    now: () => now,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { engine, events, setNow: (t: number) => (now = t) };
}

describe('keys at rest', () => {
  it('accepts a key given only by its SHA-256, and never holds the key', () => {
    const { engine } = setup([{ id: 'hashed', keySha256: keySha256(HASHED_KEY), dailyLimit: 5 }]);
    expect(sync(engine, { apiKey: HASHED_KEY, ip: '10.0.0.1' })).toMatchObject({
      allowed: true,
      keyId: 'hashed',
    });
    expect(sync(engine, { apiKey: `${HASHED_KEY}x`, ip: '10.0.0.1' })).toMatchObject({ code: 'unknown_key' });
  });

  it('names an unknown key in events by a short hash prefix only', () => {
    const { engine, events } = setup([{ id: 'a', key: OLD_KEY }]);
    sync(engine, { apiKey: 'sk_live_guess_000000000' });
    expect(events).toEqual([
      {
        type: 'auth_failure',
        code: 'unknown_key',
        status: 401,
        keyHash: keySha256('sk_live_guess_000000000').slice(0, 12),
        at: NOON_UTC,
      },
    ]);
  });

  it('tollgate hash-key prints the same hash, reading the key from stdin', () => {
    const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
    const out = execFileSync(process.execPath, [cli, 'hash-key'], {
      input: `${HASHED_KEY}\n`,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe(keySha256(HASHED_KEY));
    const fromEnv = execFileSync(process.execPath, [cli, 'hash-key', '--env', 'THE_KEY'], {
      env: { ...process.env, THE_KEY: HASHED_KEY },
      encoding: 'utf8',
    });
    expect(fromEnv.trim()).toBe(keySha256(HASHED_KEY));
    // A key given as an argument is refused: arguments leak into shell history and `ps`.
    expect(() => execFileSync(process.execPath, [cli, 'hash-key', HASHED_KEY], { stdio: 'pipe' })).toThrow();
  });
});

describe('rotation', () => {
  const rotated: KeyPolicy = {
    id: 'partner',
    credentials: [
      { key: OLD_KEY, expiresAt: new Date(NOON_UTC + 3_600_000).toISOString() },
      { keySha256: keySha256(NEW_KEY) },
    ],
    dailyLimit: 10,
  };

  it('both credentials work, sharing one key’s counters, until the old one expires', () => {
    const { engine, events, setNow } = setup([rotated]);
    expect(sync(engine, { apiKey: OLD_KEY })).toMatchObject({ allowed: true, limits: [{ used: 1 }] });
    expect(sync(engine, { apiKey: NEW_KEY })).toMatchObject({ allowed: true, limits: [{ used: 2 }] });
    setNow(NOON_UTC + 3_600_000);
    expect(sync(engine, { apiKey: OLD_KEY })).toMatchObject({
      allowed: false,
      status: 401,
      code: 'key_expired',
    });
    expect(sync(engine, { apiKey: NEW_KEY })).toMatchObject({ allowed: true, limits: [{ used: 3 }] });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'auth_failure',
        code: 'key_expired',
        keyId: 'partner',
        keyHash: expect.any(String),
      }),
    );
  });

  it('a disabled key is refused with 403 key_disabled, and its events name it', () => {
    const { engine, events } = setup([{ ...rotated, disabled: true }]);
    expect(sync(engine, { apiKey: NEW_KEY })).toMatchObject({
      status: 403,
      code: 'key_disabled',
      keyId: 'partner',
    });
    expect(events).toEqual([
      { type: 'refused', code: 'key_disabled', status: 403, keyId: 'partner', at: NOON_UTC },
    ]);
  });
});

describe('HTTPS', () => {
  it('with requireHttps, a request not known to be HTTPS is refused with 403 https_required before its key', () => {
    const { engine, events } = setup([{ id: 'a', key: OLD_KEY }], { requireHttps: true });
    expect(sync(engine, { apiKey: OLD_KEY, secure: false })).toMatchObject({
      status: 403,
      code: 'https_required',
    });
    expect(sync(engine, { apiKey: OLD_KEY })).toMatchObject({ status: 403, code: 'https_required' });
    expect(sync(engine, { apiKey: OLD_KEY, secure: true })).toMatchObject({ allowed: true });
    expect(events[0]).toEqual({ type: 'refused', code: 'https_required', status: 403, at: NOON_UTC });
  });

  it('is on by default only when NODE_ENV is production', () => {
    const saved = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'production';
      expect(sync(createEngine({ policy: examplePolicy() }), { apiKey: WEB_KEY }).code).toBe(
        'https_required',
      );
      process.env.NODE_ENV = 'test';
      expect(sync(createEngine({ policy: examplePolicy() }), { apiKey: WEB_KEY }).code).not.toBe(
        'https_required',
      );
    } finally {
      process.env.NODE_ENV = saved;
    }
  });
});

describe('events and personal data', () => {
  it('events name no IP address unless eventIps is set', () => {
    const keys: KeyPolicy[] = [{ id: 'a', key: OLD_KEY, perIpDailyLimit: 1 }];
    const plain = setup(keys);
    const opted = setup(keys, { eventIps: true });
    for (const { engine } of [plain, opted]) {
      sync(engine, { apiKey: 'sk_live_nobody_000000', ip: '203.0.113.9' });
      sync(engine, { apiKey: OLD_KEY, ip: '203.0.113.9' });
      sync(engine, { apiKey: OLD_KEY, ip: '203.0.113.9' });
    }
    expect(JSON.stringify(plain.events)).not.toContain('203.0.113.9');
    expect(opted.events.map((e) => (e as { ip?: string }).ip)).toEqual(['203.0.113.9', '203.0.113.9']);
  });

  it('reports a forwarding header sent with a key that may not forward, once a minute, without its value', () => {
    const { engine, events, setNow } = setup([{ id: 'web', key: OLD_KEY, perIpDailyLimit: 100 }]);
    for (let i = 0; i < 3; i++) sync(engine, { apiKey: OLD_KEY, ip: '10.0.0.1', sourceIp: '198.51.100.77' });
    setNow(NOON_UTC + 60_000);
    sync(engine, { apiKey: OLD_KEY, ip: '10.0.0.1', sourceIp: '198.51.100.77' });
    expect(events).toEqual([
      { type: 'forwarding_ignored', keyId: 'web', at: NOON_UTC },
      { type: 'forwarding_ignored', keyId: 'web', at: NOON_UTC + 60_000 },
    ]);
  });

  it('with ipHashSecret, per-IP counter keys hold a keyed hash of the address, the same in every engine', () => {
    const seen: string[] = [];
    const recording: Store = {
      consume(specs: readonly CounterSpec[]): ConsumeResult {
        seen.push(...specs.map((s) => s.key));
        return { allowed: true, refusedBy: -1, counts: specs.map(() => 1) };
      },
    };
    const secret = 'a-secret-of-at-least-thirty-two-characters';
    for (let i = 0; i < 2; i++) {
      const engine = createEngine({
        policy: { keys: [{ id: 'a', key: OLD_KEY, perIpDailyLimit: 5, dailyLimit: 9 }] },
        store: recording,
        ipHashSecret: secret,
        now: () => NOON_UTC,
      });
      expect(sync(engine, { apiKey: OLD_KEY, ip: '203.0.113.9' }).limitedIp).toBe('203.0.113.9');
    }
    expect(seen.join()).not.toContain('203.0.113.9');
    expect(seen[0]).toMatch(/^a:2026-11-23:ip:[A-Za-z0-9_-]{22}$/);
    expect(seen[0]).toBe(seen[2]);
    expect(() => createEngine({ policy: examplePolicy(), ipHashSecret: 'short' })).toThrow(
      /options\.ipHashSecret/,
    );
  });
});

describe('reload', () => {
  it('swaps the policy without losing counters, and keeps the old one when the new one is bad', () => {
    const { engine, events } = setup([{ id: 'a', key: OLD_KEY, dailyLimit: 3 }]);
    sync(engine, { apiKey: OLD_KEY });
    engine.reload({ keys: [{ id: 'a', key: NEW_KEY, dailyLimit: 3, notify: ['ops@example.com'] }] });
    expect(sync(engine, { apiKey: OLD_KEY }).code).toBe('unknown_key');
    expect(sync(engine, { apiKey: NEW_KEY })).toMatchObject({ allowed: true, limits: [{ used: 2 }] });
    expect(engine.notifyTargets('a')).toEqual(['ops@example.com']);
    expect(() => engine.reload({ keys: [{ id: 'a' }] })).toThrow(
      expect.objectContaining({ code: 'ERR_TOLLGATE_INVALID_POLICY' }),
    );
    expect(sync(engine, { apiKey: NEW_KEY })).toMatchObject({ allowed: true, limits: [{ used: 3 }] });
    expect(events.filter((e) => e.type === 'config_reload')).toEqual([
      { type: 'config_reload', ok: true, keys: 1, at: NOON_UTC },
      { type: 'config_reload', ok: false, message: expect.stringContaining('keys[0] (a)'), at: NOON_UTC },
    ]);
  });
});

describe('key source', () => {
  it('looks keys up by hash, caches the answer (found or not), and refuses with 503 when the source fails', async () => {
    const asked: string[] = [];
    let failing = false;
    const { engine, events } = setup([], {
      keySource: {
        byHash: async (sha256) => {
          asked.push(sha256);
          if (failing) throw new Error('database is down');
          return sha256 === keySha256(NEW_KEY)
            ? { id: 'db-key', keySha256: sha256, dailyLimit: 2 }
            : undefined;
        },
      },
      keySourceTtlMs: DAY,
    });
    const [a, b] = await Promise.all([engine.check({ apiKey: NEW_KEY }), engine.check({ apiKey: NEW_KEY })]);
    expect([a, b].map((d) => d.allowed)).toEqual([true, true]);
    expect(await engine.check({ apiKey: NEW_KEY })).toMatchObject({ allowed: false, code: 'daily_limit' });
    expect(await engine.check({ apiKey: OLD_KEY })).toMatchObject({ code: 'unknown_key' });
    expect(await engine.check({ apiKey: OLD_KEY })).toMatchObject({ code: 'unknown_key' });
    // One call per key, found or not: concurrent first requests shared one lookup.
    expect(asked).toEqual([keySha256(NEW_KEY), keySha256(OLD_KEY)]);
    failing = true;
    expect(await engine.check({ apiKey: HASHED_KEY })).toMatchObject({
      status: 503,
      code: 'policy_unavailable',
    });
    expect(events).toContainEqual({ type: 'key_source_error', message: 'database is down', at: NOON_UTC });
    expect(JSON.stringify(events)).not.toMatch(/sk_live/);
  });

  it('a source answer for another key does not open this one', async () => {
    const { engine } = setup([], {
      keySource: { byHash: () => ({ id: 'other', key: OLD_KEY }) },
    });
    expect(await engine.check({ apiKey: NEW_KEY })).toMatchObject({ code: 'unknown_key' });
  });
});

describe('bearer tokens', () => {
  const secret = 'an-hs256-secret-of-at-least-32-bytes!!';
  const keys: KeyPolicy[] = [{ id: 'partner', key: OLD_KEY, dailyLimit: 5 }];

  it('a token issued for a key is held to that key’s policy, like the key itself', async () => {
    const { engine } = setup(keys, { tokens: { secret } });
    const { token, expiresIn } = await issueToken({ keyId: 'partner', secret, now: NOON_UTC });
    expect(expiresIn).toBe(3600);
    expect(await engine.check({ bearer: token })).toMatchObject({
      allowed: true,
      keyId: 'partner',
      limits: [{ used: 1 }],
    });
    expect(await engine.check({ apiKey: OLD_KEY })).toMatchObject({ allowed: true, limits: [{ used: 2 }] });
  });

  it('an expired, forged or unknown-key token gets 401 invalid_token with WWW-Authenticate and the reason', async () => {
    const { engine, events, setNow } = setup(keys, { tokens: { secret } });
    const { token } = await issueToken({ keyId: 'partner', secret, now: NOON_UTC });
    const forged = (await issueToken({ keyId: 'partner', secret: `${secret}-other`, now: NOON_UTC })).token;
    const stranger = (await issueToken({ keyId: 'nobody', secret, now: NOON_UTC })).token;
    const cases: [string | null, string][] = [
      [forged, 'bad_signature'],
      [stranger, 'unknown_key'],
      [null, 'malformed'],
      ['not.a.jwt', 'malformed'],
    ];
    for (const [bearer, reason] of cases) {
      const d = await engine.check({ bearer });
      expect(d).toMatchObject({ status: 401, code: 'invalid_token', body: { reason } });
      expect(d.headers['WWW-Authenticate']).toMatch(
        /^Bearer error="invalid_token", error_description="[^"]+", ApiKey header="X-Api-Key"$/,
      );
    }
    setNow(NOON_UTC + 3_600_000 + 60_000);
    expect(await engine.check({ bearer: token })).toMatchObject({
      code: 'invalid_token',
      body: { reason: 'expired' },
    });
    const text = JSON.stringify(events);
    for (const t of [token, forged, stranger]) {
      for (const part of t.split('.')) expect(text).not.toContain(part);
    }
    expect(
      events.filter((e) => e.type === 'auth_failure').map((e) => (e as { reason?: string }).reason),
    ).toEqual(['bad_signature', 'unknown_key', 'malformed', 'malformed', 'expired']);
  });

  it('a key and a token together are ambiguous; without the tokens option Authorization is the app’s', async () => {
    const withTokens = setup(keys, { tokens: { secret } });
    const { token } = await issueToken({ keyId: 'partner', secret, now: NOON_UTC });
    expect(await withTokens.engine.check({ apiKey: OLD_KEY, bearer: token })).toMatchObject({
      code: 'ambiguous_key',
    });
    const header = (name: string) => (name === 'authorization' ? `Bearer ${token}` : undefined);
    expect(await withTokens.engine.checkRequest({ header, url: '/x', ip: '10.0.0.1' })).toMatchObject({
      allowed: true,
      keyId: 'partner',
    });
    const without = setup(keys);
    expect(await without.engine.checkRequest({ header, url: '/x', ip: '10.0.0.1' })).toMatchObject({
      code: 'missing_key',
    });
  });
});

describe('bearer tokens die with the credential they were issued from', () => {
  const secret = 'an-hs256-secret-of-at-least-32-bytes!!';
  const HOUR = 3_600_000;
  const bound = async (key: string, now = NOON_UTC, keyId = 'partner') =>
    (await issueToken({ keyId, keySha256: keySha256(key), secret, now })).token;
  const refusal = (reason: string) => ({
    allowed: false,
    status: 401,
    code: 'invalid_token',
    keyId: 'partner',
    body: { reason },
    headers: {
      'WWW-Authenticate': expect.stringMatching(/^Bearer error="invalid_token", error_description="/),
    },
  });

  it('rotation: once the credential is gone from the policy (engine.reload), its tokens are refused', async () => {
    const { engine, events } = setup([{ id: 'partner', key: OLD_KEY, dailyLimit: 10 }], {
      tokens: { secret },
    });
    const before = await bound(OLD_KEY);
    expect(await engine.check({ bearer: before })).toMatchObject({ allowed: true, keyId: 'partner' });

    engine.reload({ keys: [{ id: 'partner', key: NEW_KEY, dailyLimit: 10 }] });
    expect(await engine.check({ bearer: before })).toMatchObject(refusal('credential_revoked'));
    expect(events).toContainEqual({
      type: 'auth_failure',
      code: 'invalid_token',
      status: 401,
      keyId: 'partner',
      reason: 'credential_revoked',
      at: NOON_UTC,
    });
    // A token minted after the rotation from the current credential works, on the same counters.
    const after = await bound(NEW_KEY);
    expect(await engine.check({ bearer: after })).toMatchObject({ allowed: true, limits: [{ used: 2 }] });
    expect(await engine.check({ apiKey: NEW_KEY })).toMatchObject({ allowed: true, limits: [{ used: 3 }] });
    // A token bound to another key's credential opens neither key.
    engine.reload({
      keys: [
        { id: 'partner', key: NEW_KEY },
        { id: 'other', key: OLD_KEY },
      ],
    });
    expect(await engine.check({ bearer: before })).toMatchObject(refusal('credential_revoked'));
    expect(JSON.stringify(events)).not.toContain(before.split('.')[1]);
  });

  it('expiry: a token from a credential whose expiresAt passed is refused, even before its own exp', async () => {
    const { engine, setNow } = setup(
      [
        {
          id: 'partner',
          credentials: [
            { key: OLD_KEY, expiresAt: new Date(NOON_UTC + HOUR).toISOString() },
            { keySha256: keySha256(NEW_KEY) },
          ],
        },
      ],
      { tokens: { secret } },
    );
    const old = await bound(OLD_KEY, NOON_UTC + HOUR / 2);
    const current = await bound(NEW_KEY, NOON_UTC + HOUR / 2);
    setNow(NOON_UTC + HOUR / 2);
    expect(await engine.check({ bearer: old })).toMatchObject({ allowed: true });
    setNow(NOON_UTC + HOUR);
    expect(await engine.check({ bearer: old })).toMatchObject(refusal('credential_expired'));
    expect(await engine.check({ bearer: current })).toMatchObject({ allowed: true, keyId: 'partner' });
  });

  it('removal: a bound token for a key that is gone is refused like any token for an unknown key', async () => {
    const { engine } = setup([{ id: 'partner', key: OLD_KEY }], { tokens: { secret } });
    const token = await bound(OLD_KEY);
    engine.reload({ keys: [{ id: 'someone-else', key: NEW_KEY }] });
    expect(await engine.check({ bearer: token })).toMatchObject({
      status: 401,
      code: 'invalid_token',
      body: { reason: 'unknown_key' },
    });
  });

  it('keys from a keySource: rotated there, the token is refused once the cached answer goes (TTL or reload)', async () => {
    let entry: KeyPolicy = { id: 'partner', keySha256: keySha256(OLD_KEY), dailyLimit: 10 };
    const keySource = {
      byHash: (sha256: string) => (entry.keySha256 === sha256 ? entry : undefined),
      byId: (id: string) => (entry.id === id ? entry : undefined),
    };
    const cached = setup([], { tokens: { secret }, keySource, keySourceTtlMs: DAY });
    const short = setup([], { tokens: { secret }, keySource, keySourceTtlMs: 20 });
    const before = await bound(OLD_KEY);
    for (const { engine } of [cached, short]) {
      expect(await engine.check({ bearer: before })).toMatchObject({ allowed: true, keyId: 'partner' });
    }

    entry = { id: 'partner', keySha256: keySha256(NEW_KEY), dailyLimit: 10 };
    // Within its TTL the source's old answer still stands: the documented bound on how long.
    expect(await cached.engine.check({ bearer: before })).toMatchObject({ allowed: true });
    cached.engine.reload({ keys: [] });
    expect(await cached.engine.check({ bearer: before })).toMatchObject(refusal('credential_revoked'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await short.engine.check({ bearer: before })).toMatchObject(refusal('credential_revoked'));

    const after = await bound(NEW_KEY);
    for (const { engine } of [cached, short]) {
      expect(await engine.check({ bearer: after })).toMatchObject({ allowed: true, keyId: 'partner' });
    }
  });

  it('a 24-hour token is refused by default (too_long_lived), and taken once maxLifetimeSec allows it', async () => {
    const keys: KeyPolicy[] = [{ id: 'partner', key: OLD_KEY }];
    const day = (await issueToken({ keyId: 'partner', secret, expiresInSec: 86_400, now: NOON_UTC })).token;
    const byDefault = setup(keys, { tokens: { secret } });
    expect(await byDefault.engine.check({ bearer: day })).toMatchObject({
      status: 401,
      code: 'invalid_token',
      body: { reason: 'too_long_lived' },
    });
    const raised = setup(keys, { tokens: { secret, maxLifetimeSec: 86_400 } });
    expect(await raised.engine.check({ bearer: day })).toMatchObject({ allowed: true, keyId: 'partner' });
  });

  it('an unbound token (no keySha256, or another issuer) is bound to its key only: it outlives a rotation', async () => {
    const { engine } = setup([{ id: 'partner', key: OLD_KEY }], { tokens: { secret } });
    const { token } = await issueToken({ keyId: 'partner', secret, now: NOON_UTC });
    engine.reload({ keys: [{ id: 'partner', key: NEW_KEY }] });
    expect(await engine.check({ bearer: token })).toMatchObject({ allowed: true });
    engine.reload({ keys: [{ id: 'partner', key: NEW_KEY, disabled: true }] });
    expect(await engine.check({ bearer: token })).toMatchObject({ status: 403, code: 'key_disabled' });
  });
});
