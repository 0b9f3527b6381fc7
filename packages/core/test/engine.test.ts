// The decision engine: order of checks, statuses, headers, events and counting.

import { describe, expect, it } from 'vitest';
import type { Decision } from '../src/decision.js';
import { createEngine, type Engine } from '../src/engine.js';
import type { TollgateEvent } from '../src/events.js';
import { createMemoryStore } from '../src/memory-store.js';
import type { Store } from '../src/store.js';
import { BACKEND_KEY, examplePolicy, manualClock, NOON_UTC, OPEN_KEY, WEB_KEY } from './fixtures.js';

function setup(policy = examplePolicy(), start = NOON_UTC) {
  const clock = manualClock(start);
  const events: TollgateEvent[] = [];
  const engine = createEngine({ policy, now: clock.now, onEvent: (e) => events.push(e) });
  return { engine, clock, events };
}

/** Runs a check on the synchronous memory store and insists it stayed synchronous. */
function sync(engine: Engine, input: Parameters<Engine['check']>[0]): Decision {
  const d = engine.check(input);
  if (d instanceof Promise) throw new Error('memory-store checks must be synchronous');
  return d;
}

const WEB = { apiKey: WEB_KEY, origin: 'https://shop.example.com', ip: '203.0.113.9' };

describe('authentication', () => {
  it.each([
    [{}, 'missing_key'],
    [{ apiKey: '' }, 'missing_key'],
    [{ apiKey: 'pk_live_nope_0000000' }, 'unknown_key'],
    [{ apiKey: [WEB_KEY, BACKEND_KEY] }, 'ambiguous_key'],
  ] as const)('%j → 401 %s, with an auth_failure event that holds no key', (input, code) => {
    const { engine, events } = setup();
    const d = sync(engine, { ...input, ip: '198.51.100.1' });
    expect(d).toMatchObject({ allowed: false, status: 401, code, body: { status: 401, code } });
    expect(d.body?.type).toBe(`urn:tollgate:problem:${code}`);
    const keyHash = code === 'unknown_key' ? { keyHash: expect.stringMatching(/^[0-9a-f]{12}$/) } : {};
    expect(events).toEqual([{ type: 'auth_failure', code, status: 401, ...keyHash, at: NOON_UTC }]);
    expect(JSON.stringify([d, events])).not.toContain('pk_live_');
  });

  it('accepts the same key given twice (header and query agree)', () => {
    const { engine } = setup();
    expect(sync(engine, { apiKey: [OPEN_KEY], ip: '198.51.100.1' }).allowed).toBe(true);
  });
});

describe('URL whitelist', () => {
  it('admits a matching Origin, or a matching Referer when Origin does not match', () => {
    const { engine } = setup();
    expect(sync(engine, WEB).allowed).toBe(true);
    expect(
      sync(engine, {
        ...WEB,
        origin: 'https://evil.example.net',
        referer: 'https://app.example.org/checkout/cart',
      }).allowed,
    ).toBe(true);
  });

  it('refuses with neither header: 403 origin_required', () => {
    const { engine, events } = setup();
    const d = sync(engine, { apiKey: WEB_KEY, ip: '203.0.113.9' });
    expect(d).toMatchObject({ status: 403, code: 'origin_required', keyId: 'shop-web' });
    expect(events[0]).toMatchObject({ type: 'refused', code: 'origin_required', keyId: 'shop-web' });
  });

  it.each([
    'https://shop.example.com.evil.net',
    'https://evilexample.org/checkout',
    'https://evil.net/?r=example.org/checkout',
    'null',
  ])('refuses %s: 403 origin_not_allowed, nothing counted', (origin) => {
    const { engine } = setup();
    expect(sync(engine, { ...WEB, origin })).toMatchObject({ status: 403, code: 'origin_not_allowed' });
    expect(sync(engine, WEB).limits.find((l) => l.name === 'daily')?.used).toBe(1);
  });

  it('ignores Origin and Referer for a key without a whitelist', () => {
    const { engine } = setup();
    expect(
      sync(engine, { apiKey: OPEN_KEY, origin: 'https://anything.example', ip: '1.2.3.4' }).allowed,
    ).toBe(true);
    expect(sync(engine, { apiKey: OPEN_KEY }).allowed).toBe(true);
  });
});

describe('IP forwarding', () => {
  const BACKEND = { apiKey: BACKEND_KEY, ip: '10.0.0.5' };

  it('limits the forwarded address and echoes it in the source-IP header', () => {
    const { engine } = setup();
    const d = sync(engine, { ...BACKEND, sourceIp: '::ffff:198.51.100.7' });
    expect(d).toMatchObject({ allowed: true, limitedIp: '198.51.100.7' });
    expect(d.headers['X-Source-IP']).toBe('198.51.100.7');
  });

  it.each(['not-an-ip', '1.2.3.4, 5.6.7.8', '1.2.3.4:80', '[::1]', '', ' 1.2.3.4'])(
    'refuses a malformed forwarded value %j with 400 invalid_source_ip, counting nothing',
    (sourceIp) => {
      const { engine, events } = setup();
      expect(sync(engine, { ...BACKEND, sourceIp })).toMatchObject({
        status: 400,
        code: 'invalid_source_ip',
      });
      expect(events[0]).toMatchObject({ type: 'refused', code: 'invalid_source_ip', keyId: 'shop-backend' });
      expect(sync(engine, BACKEND).limits.find((l) => l.name === 'daily')?.used).toBe(1);
    },
  );

  it('limits the connecting address when the header is absent', () => {
    const { engine } = setup();
    expect(sync(engine, BACKEND)).toMatchObject({
      limitedIp: '10.0.0.5',
      headers: { 'X-Source-IP': '10.0.0.5' },
    });
  });

  it('a key without forwarding ignores the header entirely, even a malformed one', () => {
    const { engine } = setup();
    const spoof = { ...WEB, sourceIp: 'garbage' };
    expect(sync(engine, spoof)).toMatchObject({ allowed: true, limitedIp: '203.0.113.9' });
    const other = { ...WEB, sourceIp: '192.0.2.77' };
    for (let i = 0; i < 2; i++) sync(engine, other);
    // The per-IP cap of 3 was spent by the connecting address whatever the header said.
    expect(sync(engine, other)).toMatchObject({
      status: 429,
      code: 'ip_daily_limit',
      limitedIp: '203.0.113.9',
    });
  });

  it('groups IPv6 by /64 and counts IPv4-mapped addresses as IPv4', () => {
    const { engine } = setup();
    sync(engine, { ...BACKEND, sourceIp: '2001:db8:1:2::1' });
    const d = sync(engine, { ...BACKEND, sourceIp: '2001:db8:1:2:ffff::9' });
    expect(d.limitedIp).toBe('2001:db8:1:2::/64');
    expect(sync(engine, { ...BACKEND, sourceIp: '2001:db8:1:2::7' })).toMatchObject({
      code: 'ip_daily_limit',
    });
    sync(engine, { ...BACKEND, sourceIp: '192.0.2.1' });
    sync(engine, { ...BACKEND, sourceIp: '::ffff:192.0.2.1' });
    expect(sync(engine, { ...BACKEND, sourceIp: '::FFFF:c000:0201' })).toMatchObject({
      code: 'ip_daily_limit',
    });
  });
});

describe('daily caps', () => {
  it('refuses at the per-IP cap with 429, Retry-After to local midnight, and charges nothing', () => {
    const { engine, events } = setup();
    for (let i = 0; i < 3; i++) expect(sync(engine, WEB).allowed).toBe(true);
    const d = sync(engine, WEB);
    expect(d).toMatchObject({
      status: 429,
      code: 'ip_daily_limit',
      body: { status: 429, code: 'ip_daily_limit' },
    });
    // London is on GMT in November: the next midnight is 12 hours after noon UTC.
    expect(d.headers['Retry-After']).toBe(String(12 * 3600));
    expect(d.limits).toEqual([
      expect.objectContaining({ name: 'ip-daily', used: 3, remaining: 0, limit: 3 }),
      expect.objectContaining({ name: 'daily', used: 3, remaining: 7, limit: 10 }),
    ]);
    expect(events.at(-1)).toEqual({
      type: 'refused',
      code: 'ip_daily_limit',
      status: 429,
      keyId: 'shop-web',
      at: NOON_UTC,
    });
  });

  it('refuses at the daily cap with 429 daily_limit; per-IP counters are not charged by the refusal', () => {
    const { engine } = setup();
    for (let i = 0; i < 10; i++) {
      expect(sync(engine, { ...WEB, ip: `198.51.100.${Math.floor(i / 2)}` }).allowed).toBe(true);
    }
    const d = sync(engine, { ...WEB, ip: '198.51.100.200' });
    expect(d).toMatchObject({ status: 429, code: 'daily_limit' });
    expect(d.limits[0]).toMatchObject({ name: 'ip-daily', used: 0 });
  });

  it('resets at midnight in the key time zone (New York, not UTC)', () => {
    const { engine, clock } = setup();
    const b = { apiKey: BACKEND_KEY, ip: '10.0.0.1' };
    clock.set(Date.UTC(2026, 10, 24, 4, 59)); // 23:59 in New York (EST, UTC-5)
    sync(engine, b);
    sync(engine, b);
    expect(sync(engine, b)).toMatchObject({ code: 'ip_daily_limit', headers: { 'Retry-After': '60' } });
    clock.set(Date.UTC(2026, 10, 24, 5, 0)); // midnight in New York
    expect(sync(engine, b).allowed).toBe(true);
  });

  it('uses 23- and 25-hour windows on DST days', () => {
    const { engine, clock } = setup();
    clock.set(Date.UTC(2026, 2, 29, 0, 30)); // London spring-forward day, 00:30 GMT
    const spring = sync(engine, WEB).limits[1];
    expect(spring).toMatchObject({ windowSeconds: 23 * 3600, resetAt: Date.UTC(2026, 2, 29, 23) });
    clock.set(Date.UTC(2026, 9, 25, 0, 30)); // autumn fall-back day, 01:30 BST
    expect(sync(engine, { ...WEB, ip: '203.0.113.10' }).limits[1]).toMatchObject({
      windowSeconds: 25 * 3600,
    });
  });

  it('sends IETF RateLimit headers for the limits that apply', () => {
    const { engine } = setup();
    const d = sync(engine, WEB);
    expect(d.headers).toEqual({
      'RateLimit-Policy': '"ip-daily";q=3;w=86400, "daily";q=10;w=86400',
      RateLimit: '"ip-daily";r=2;t=43200, "daily";r=9;t=43200',
      'X-Source-IP': '203.0.113.9',
    });
  });

  it('allows everything, with no headers, for a key without caps', () => {
    const { engine } = setup();
    for (let i = 0; i < 50; i++) expect(sync(engine, { apiKey: OPEN_KEY }).headers).toEqual({});
  });

  it('a cap of 0 refuses every request', () => {
    const { engine } = setup({ keys: [{ id: 'off', key: 'pk_off_01234567', dailyLimit: 0 }] });
    expect(sync(engine, { apiKey: 'pk_off_01234567', ip: '1.1.1.1' })).toMatchObject({
      status: 429,
      code: 'daily_limit',
    });
  });
});

describe('threshold events', () => {
  it('fire at ceil(0.9 × cap) and at cap, exactly once per key, threshold and day', () => {
    const { engine, events, clock } = setup();
    const thresholds = () => events.filter((e) => e.type === 'threshold');
    for (let i = 0; i < 15; i++) sync(engine, { ...WEB, ip: `192.0.2.${i}` });
    expect(thresholds()).toEqual([
      {
        type: 'threshold',
        keyId: 'shop-web',
        threshold: 0.9,
        count: 9,
        limit: 10,
        day: '2026-11-23',
        at: NOON_UTC,
      },
      {
        type: 'threshold',
        keyId: 'shop-web',
        threshold: 1,
        count: 10,
        limit: 10,
        day: '2026-11-23',
        at: NOON_UTC,
      },
    ]);
    clock.advance(86_400_000);
    for (let i = 0; i < 15; i++) sync(engine, { ...WEB, ip: `192.0.2.${i}` });
    expect(
      thresholds().map((e) => [e.type === 'threshold' && e.day, e.type === 'threshold' && e.threshold]),
    ).toEqual([
      ['2026-11-23', 0.9],
      ['2026-11-23', 1],
      ['2026-11-24', 0.9],
      ['2026-11-24', 1],
    ]);
  });

  it('fire both at once when 90% rounds up to the cap', () => {
    const { engine, events } = setup({ keys: [{ id: 'tiny', key: 'pk_tiny_01234567', dailyLimit: 5 }] });
    for (let i = 0; i < 6; i++) sync(engine, { apiKey: 'pk_tiny_01234567' });
    expect(
      events.filter((e) => e.type === 'threshold').map((e) => e.type === 'threshold' && e.threshold),
    ).toEqual([0.9, 1]);
  });
});

describe('CORS preflights', () => {
  it('let a preflight through uncharged and unrefused, with no event; a plain OPTIONS needs a key', () => {
    const { engine, events } = setup(examplePolicy({ webPerIp: 1 }));
    const preflight = engine.checkRequest({
      method: 'OPTIONS',
      url: '/lookup',
      ip: '203.0.113.9',
      header: (n) => (n === 'access-control-request-method' ? 'GET' : undefined),
    });
    expect(preflight).toMatchObject({ allowed: true, code: 'preflight', limits: [] });
    const plain = engine.checkRequest({
      method: 'OPTIONS',
      url: '/lookup',
      ip: '203.0.113.9',
      header: () => undefined,
    });
    expect(plain).toMatchObject({ allowed: false, code: 'missing_key' });
    expect(events.map((e) => e.type)).toEqual(['auth_failure']);
    // The preflight charged nothing: the one request of the per-IP cap is still there.
    expect(sync(engine, WEB)).toMatchObject({ allowed: true, limits: [{ used: 1 }, { used: 1 }] });
  });
});

describe('store faults and event handler faults', () => {
  it('a throwing store yields 503 store_unavailable and a store_error event', () => {
    const store: Store = {
      consume() {
        throw new Error('connection refused');
      },
    };
    const events: TollgateEvent[] = [];
    const engine = createEngine({ policy: examplePolicy(), store, onEvent: (e) => events.push(e) });
    const d = engine.check({ apiKey: OPEN_KEY }) as Decision;
    expect(d.allowed).toBe(true); // no caps: the store is never asked
    const d2 = engine.check({ apiKey: BACKEND_KEY, ip: '10.0.0.1' }) as Decision;
    expect(d2).toMatchObject({ status: 503, code: 'store_unavailable' });
    expect(events.map((e) => e.type)).toEqual(['store_error', 'refused']);
  });

  it('a rejecting async store yields a promise of a 503, never a rejection', async () => {
    const store: Store = { consume: () => Promise.reject(new Error('timeout')) };
    const engine = createEngine({ policy: examplePolicy(), store });
    await expect(engine.check({ apiKey: BACKEND_KEY, ip: '10.0.0.1' })).resolves.toMatchObject({
      status: 503,
    });
  });

  /** A real memory store that can be switched off, as a store whose server goes away and comes back. */
  function flakyStore() {
    const inner = createMemoryStore();
    let down = false;
    const store: Store = {
      consume(specs, now) {
        if (down) return Promise.reject(new Error('connection is closed'));
        return Promise.resolve(inner.consume(specs, now));
      },
    };
    return { store, setDown: (v: boolean) => (down = v) };
  }

  it('failureMode fail-open allows uncounted while the store is down, with a store_error event', async () => {
    const { store, setDown } = flakyStore();
    const events: TollgateEvent[] = [];
    const engine = createEngine({
      policy: examplePolicy({ backendDaily: 2, backendPerIp: 10 }),
      store,
      failureMode: 'fail-open',
      onEvent: (e) => events.push(e),
    });
    const check = () => engine.check({ apiKey: BACKEND_KEY, ip: '10.0.0.1' });
    setDown(true);
    for (let i = 0; i < 4; i++) {
      expect(await check()).toMatchObject({ allowed: true, code: 'ok', degraded: 'fail-open', headers: {} });
    }
    // The first failure is reported at once; the next ones are held for the next event (coalesced).
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'store_error',
      failureMode: 'fail-open',
      keyId: 'shop-backend',
      count: 1,
    });
    setDown(false);
    // Nothing was counted while the store was away: the full cap is still there.
    expect(await check()).toMatchObject({ allowed: true, limits: [{ used: 1 }, { used: 1 }] });
    expect((await check()).allowed).toBe(true);
    expect(await check()).toMatchObject({ allowed: false, code: 'daily_limit' });
  });

  it('failureMode fallback counts locally while the store is down, then goes back to the store', async () => {
    const { store, setDown } = flakyStore();
    const events: TollgateEvent[] = [];
    const engine = createEngine({
      policy: examplePolicy({ backendDaily: 2, backendPerIp: 10 }),
      store,
      failureMode: 'fallback',
      onEvent: (e) => events.push(e),
    });
    const check = () => engine.check({ apiKey: BACKEND_KEY, ip: '10.0.0.1' });
    setDown(true);
    expect(await check()).toMatchObject({
      allowed: true,
      degraded: 'fallback',
      limits: [{ used: 1 }, { used: 1 }],
    });
    expect(await check()).toMatchObject({ allowed: true, degraded: 'fallback' });
    expect(await check()).toMatchObject({ allowed: false, code: 'daily_limit', status: 429 });
    expect(events.filter((e) => e.type === 'store_error')).toHaveLength(1);
    setDown(false);
    const back = await check();
    expect(back).toMatchObject({ allowed: true, limits: [{ used: 1 }, { used: 1 }] });
    expect(back.degraded).toBeUndefined();
  });

  it('rejects an unknown failureMode at setup', () => {
    expect(() => createEngine({ policy: examplePolicy(), failureMode: 'fail-maybe' as 'fail-open' })).toThrow(
      /options\.failureMode: expected one of "fail-closed", "fail-open", "fallback"/,
    );
  });

  it('an onEvent handler that throws does not change the decision', () => {
    const engine = createEngine({
      policy: examplePolicy(),
      onEvent: () => {
        throw new Error('handler bug');
      },
    });
    expect((engine.check({ apiKey: 'nope-nope-nope' }) as Decision).status).toBe(401);
  });
});
