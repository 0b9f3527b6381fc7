// Policy validation: every bad file is refused at setup with a code and a message naming key and field.

import { describe, expect, it } from 'vitest';
import type { Decision } from '../src/decision.js';
import { createEngine } from '../src/engine.js';
import { keySha256 } from '../src/key-hash.js';
import type { Store } from '../src/store.js';
import { BACKEND_KEY, errorOf, examplePolicy, WEB_KEY } from './fixtures.js';

function withKey(patch: Record<string, unknown>, index = 0): unknown {
  const policy = examplePolicy() as unknown as { keys: Record<string, unknown>[] };
  policy.keys[index] = { ...policy.keys[index], ...patch };
  return policy;
}

describe('policy validation', () => {
  it('accepts the example policy and a minimal one', () => {
    expect(() => createEngine({ policy: examplePolicy() })).not.toThrow();
    expect(() => createEngine({ policy: { keys: [{ id: 'x', key: 'pk_minimal_01' }] } })).not.toThrow();
  });

  it.each([
    ['unknown field', withKey({ dailyCap: 5 }), 'keys[0] (shop-web).dailyCap: unknown field'],
    ['unknown top-level field', { ...examplePolicy(), extra: true }, 'extra: unknown field'],
    [
      'wrong type',
      withKey({ dailyLimit: '1000' }),
      'keys[0] (shop-web).dailyLimit: expected number, got string',
    ],
    [
      'negative cap',
      withKey({ perIpDailyLimit: -1 }),
      'keys[0] (shop-web).perIpDailyLimit: must not be negative',
    ],
    ['fractional cap', withKey({ dailyLimit: 1.5 }), 'keys[0] (shop-web).dailyLimit:'],
    [
      'invalid time zone',
      withKey({ timeZone: 'Europe/Londn' }),
      'keys[0] (shop-web).timeZone: unknown time zone "Europe/Londn"',
    ],
    ['duplicate id', withKey({ id: 'shop-web' }, 1), 'keys[1] (shop-web).id: duplicate id "shop-web"'],
    [
      'duplicate key',
      withKey({ key: WEB_KEY }, 1),
      'keys[1] (shop-backend).key: the same key is already used by "shop-web"',
    ],
    ['whitelist with forwarding', withKey({ ipForwarding: true }), 'keys[0] (shop-web).ipForwarding:'],
    [
      'bad URL pattern',
      withKey({ allowedUrls: ['https://ok.example', 'foo*.com'] }),
      'keys[0] (shop-web).allowedUrls[1]:',
    ],
    ['empty whitelist', withKey({ allowedUrls: [] }), 'keys[0] (shop-web).allowedUrls: an empty whitelist'],
    [
      'missing key',
      { keys: [{ id: 'x' }] },
      'keys[0] (x): give exactly one of key, keySha256 or credentials',
    ],
    [
      'key and keySha256',
      { keys: [{ id: 'x', key: 'pk_live_01234567', keySha256: 'a'.repeat(64) }] },
      'keys[0] (x): give exactly one of key, keySha256 or credentials (several given)',
    ],
    [
      'bad keySha256',
      { keys: [{ id: 'x', keySha256: 'ABC' }] },
      'keys[0] (x).keySha256: expected 64 lower-case hex',
    ],
    [
      'credential with both forms',
      { keys: [{ id: 'x', credentials: [{ key: 'pk_live_01234567', keySha256: 'a'.repeat(64) }] }] },
      'keys[0] (x).credentials[0]: give exactly one of key or keySha256',
    ],
    [
      'credential expiry without a zone',
      { keys: [{ id: 'x', credentials: [{ key: 'pk_live_01234567', expiresAt: '2026-12-31 12:00' }] }] },
      'keys[0] (x).credentials[0].expiresAt: expected an ISO 8601 date-time',
    ],
    [
      'same key twice, once hashed',
      {
        keys: [
          { id: 'a', key: 'pk_live_01234567' },
          { id: 'b', keySha256: keySha256('pk_live_01234567') },
        ],
      },
      'keys[1] (b).keySha256: the same key is already used by "a"',
    ],
    [
      'bad notify target',
      { keys: [{ id: 'x', key: 'pk_live_01234567', notify: ['ftp://x'] }] },
      'keys[0] (x).notify[0]: expected an email address or an https:// URL',
    ],
    ['missing keys', {}, 'keys: is required'],
    [
      'bad header name',
      { ...examplePolicy(), sourceIpHeader: 'X Source' },
      'sourceIpHeader: must be a valid HTTP header name',
    ],
    ['bad ipv6Prefix', { ...examplePolicy(), ipv6Prefix: 129 }, 'ipv6Prefix:'],
    ['not an object', 'keys', 'policy: expected object, got string'],
  ])('%s → ERR_TOLLGATE_INVALID_POLICY naming the key and field', (_name, policy, message) => {
    const e = errorOf(() => createEngine({ policy: policy as never }));
    expect(e.code).toBe('ERR_TOLLGATE_INVALID_POLICY');
    expect(e.issues.some((i) => i.startsWith(message))).toBe(true);
  });

  it('reports every problem at once and never echoes key material', () => {
    const policy = withKey({ key: 'pk_has space_0123', timeZone: 'Mars/Base' });
    const e = errorOf(() => createEngine({ policy: policy as never }));
    expect(e.issues.length).toBeGreaterThanOrEqual(1);
    expect(e.message).not.toContain('pk_has space');
    const dup = errorOf(() => createEngine({ policy: withKey({ key: WEB_KEY }, 1) as never }));
    expect(dup.message).not.toContain(WEB_KEY);
  });
});

describe('every problem at once', () => {
  it('lists schema problems and the rules checked after the schema together (a bad cap no longer hides a time zone)', () => {
    const e = errorOf(() =>
      createEngine({
        policy: {
          keys: [
            { id: 'web', key: 'pk_live_0123456789', dailyLimit: -5, timeZone: 'Europe/Londn' },
            { id: 'api', key: 'short', allowedUrls: ['foo*.com'] },
            { id: 'web', key: 'pk_live_9876543210' },
          ],
        } as never,
      }),
    );
    expect(e.code).toBe('ERR_TOLLGATE_INVALID_POLICY');
    expect(e.issues).toEqual([
      'keys[0] (web).dailyLimit: must not be negative',
      'keys[1] (api).key: at least 8 characters',
      'keys[0] (web).timeZone: unknown time zone "Europe/Londn"',
      expect.stringMatching(/^keys\[1\] \(api\)\.allowedUrls\[0\]: /),
      'keys[2] (web).id: duplicate id "web"',
    ]);
    expect(e.message).toMatch(/^invalid policy \(5 problems\): keys\[0\] \(web\)\.dailyLimit/);
    expect(e.message).not.toContain('short');
  });

  it('counts a key form that failed the schema as given, so it is not also called missing', () => {
    const one = errorOf(() => createEngine({ policy: { keys: [{ id: 'x', keySha256: 'ABC' }] } }));
    expect(one.issues).toEqual([
      expect.stringMatching(/^keys\[0\] \(x\)\.keySha256: expected 64 lower-case hex/),
    ]);
    const two = errorOf(() =>
      createEngine({ policy: { keys: [{ id: 'x', key: 'short', keySha256: 'a'.repeat(64) }] } }),
    );
    expect(two.issues).toEqual([
      'keys[0] (x).key: at least 8 characters',
      'keys[0] (x): give exactly one of key, keySha256 or credentials (several given)',
    ]);
  });

  it('still checks the other keys when an entry is not an object, and names a duplicate of a key whose id is bad', () => {
    const e = errorOf(() =>
      createEngine({
        policy: {
          keys: [
            'oops',
            { id: 'bad id', key: 'pk_live_0123456789' },
            { id: 'b', key: 'pk_live_0123456789', timeZone: 'Mars/Base' },
          ],
        } as never,
      }),
    );
    expect(e.issues).toEqual([
      'keys[0]: expected object, got string',
      expect.stringMatching(/^keys\[1\]\.id: letters, digits/),
      'keys[2] (b).timeZone: unknown time zone "Mars/Base"',
      'keys[2] (b).key: the same key is already used by keys[1]',
    ]);
  });
});

describe('notify targets', () => {
  // The same parser as @tollgate/notify (packages/core/src/notify-target.ts): what the policy
  // accepts, the notifier takes; packages/notify/test/targets.test.ts checks both sides together.
  const notifyPolicy = (notify: string[]) => ({ keys: [{ id: 'web', key: 'pk_live_01234567', notify }] });

  it('refuses what the notifier would drop, and accepts plain http to any loopback address', () => {
    const e = errorOf(() =>
      createEngine({
        policy: notifyPolicy([
          'ops@example.com',
          'a..b@example.com',
          '.ops@example.com',
          'http://localhost:9000/hook',
          'http://127.0.0.2/hook',
          'https://hooks.example.com/T0K3N',
        ]),
      }),
    );
    expect(e.code).toBe('ERR_TOLLGATE_INVALID_POLICY');
    expect(e.issues).toEqual([
      expect.stringMatching(/^keys\[0\] \(web\)\.notify\[1\]: expected an email address .*before the @/),
      expect.stringMatching(/^keys\[0\] \(web\)\.notify\[2\]: expected an email address .*before the @/),
    ]);
    const engine = createEngine({
      policy: notifyPolicy(['http://localhost:9000/hook', 'http://127.0.0.2/hook', 'http://[::1]/x']),
    });
    expect(engine.notifyTargets('web')).toHaveLength(3);
  });

  it('says why without echoing the target', () => {
    const e = errorOf(() =>
      createEngine({
        policy: notifyPolicy(['http://hooks.example.com/T0K3N', 'https://u:PASSW0RD@hooks.example.com/x']),
      }),
    );
    expect(e.issues).toEqual([
      expect.stringMatching(/^keys\[0\] \(web\)\.notify\[0\]: .*only to a loopback address/),
      expect.stringMatching(/^keys\[0\] \(web\)\.notify\[1\]: .*user name or password/),
    ]);
    expect(e.message).not.toMatch(/T0K3N|PASSW0RD/);
  });
});

describe('engine options', () => {
  it.each([
    [{ policy: examplePolicy(), stroe: {} }, 'createEngine: options.stroe: unknown option'],
    [{}, 'createEngine: options.policy: is required'],
    [{ policy: examplePolicy(), now: 5 }, 'createEngine: options.now:'],
    [{ policy: examplePolicy(), store: {} }, 'createEngine: options.store:'],
    [{ policy: examplePolicy(), onEvent: 'log' }, 'createEngine: options.onEvent:'],
    [
      { policy: examplePolicy(), tokens: { secret: 'x'.repeat(32), maxLifetimeSec: 0 } },
      'createEngine: options.tokens.maxLifetimeSec:',
    ],
    [
      { policy: examplePolicy(), tokens: { secret: 'x'.repeat(32), leeway: 5 } },
      'createEngine: options.tokens.leeway: unknown option',
    ],
    [{ policy: examplePolicy(), tokens: 'secret' }, 'createEngine: options.tokens:'],
    [
      { policy: examplePolicy(), unusualActivity: { refusalsPerMinute: 0 } },
      'createEngine: options.unusualActivity.refusalsPerMinute:',
    ],
    [{ policy: examplePolicy(), unusualActivity: [] }, 'createEngine: options.unusualActivity:'],
    [{ policy: examplePolicy(), keySourceTtlMs: 0 }, 'createEngine: options.keySourceTtlMs:'],
    [{ policy: examplePolicy(), requireHttps: 'yes' }, 'createEngine: options.requireHttps:'],
    [undefined, 'createEngine: options:'],
  ])('%j → ERR_TOLLGATE_INVALID_OPTIONS', (options, message) => {
    const e = errorOf(() => createEngine(options as never));
    expect(e.code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
    expect(e.message.startsWith(message)).toBe(true);
  });

  it('treats undefined as not given', () => {
    expect(() =>
      createEngine({ policy: examplePolicy(), store: undefined, now: undefined, onEvent: undefined }),
    ).not.toThrow();
  });

  it('reads own options only: a polluted Object.prototype cannot switch a store outage to fail-open', () => {
    const down: Store = {
      consume() {
        throw new Error('connection refused');
      },
    };
    // Not enumerable: the policy schema refuses a policy that inherits enumerable fields, and
    // this is about the options.
    Object.defineProperty(Object.prototype, 'failureMode', { value: 'fail-open', configurable: true });
    let decision: Decision;
    try {
      const engine = createEngine({ policy: examplePolicy(), store: down });
      decision = engine.check({ apiKey: BACKEND_KEY, ip: '10.0.0.1' }) as Decision;
    } finally {
      delete (Object.prototype as Record<string, unknown>).failureMode;
    }
    expect(decision).toMatchObject({ allowed: false, status: 503, code: 'store_unavailable' });
  });
});
