// Properties of the engine: counting is exact for any request sequence, and no input makes it throw.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../src/decision.js';
import { createEngine } from '../src/engine.js';
import { BACKEND_KEY, examplePolicy, manualClock, NOON_UTC, OPEN_KEY, WEB_KEY } from './fixtures.js';

const KEYS = [
  { id: 'a', key: 'pk_prop_a_0123456', dailyLimit: 7, perIpDailyLimit: 3 },
  { id: 'b', key: 'pk_prop_b_0123456', dailyLimit: 4, perIpDailyLimit: 5, ipForwarding: true },
  { id: 'c', key: 'pk_prop_c_0123456', perIpDailyLimit: 2 },
  { id: 'd', key: 'pk_prop_d_0123456', dailyLimit: 3 },
] as const;
const IPS = ['192.0.2.1', '::ffff:192.0.2.1', '192.0.2.2', '2001:db8::1', '2001:db8::2', '2001:db8:0:1::1'];
// What each IP counts as, written out by hand (mapped IPv4 = IPv4; IPv6 per /64).
const IP_GROUP: Record<string, string> = {
  '192.0.2.1': 'v4-1',
  '::ffff:192.0.2.1': 'v4-1',
  '192.0.2.2': 'v4-2',
  '2001:db8::1': 'v6-0',
  '2001:db8::2': 'v6-0',
  '2001:db8:0:1::1': 'v6-1',
};

describe('counting properties', () => {
  it('allowed per key ≤ cap, per key+IP ≤ per-IP cap, and nothing refused while both have room', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            k: fc.nat(KEYS.length - 1),
            ip: fc.constantFrom(...IPS),
            fwd: fc.option(fc.constantFrom(...IPS)),
          }),
          {
            maxLength: 80,
          },
        ),
        (requests) => {
          const engine = createEngine({ policy: { keys: KEYS.map((k) => ({ ...k })) }, now: () => NOON_UTC });
          const perKey = new Map<string, number>();
          const perIp = new Map<string, number>();
          for (const r of requests) {
            const k = KEYS[r.k] as (typeof KEYS)[number];
            const limitedIp = 'ipForwarding' in k && r.fwd !== null ? r.fwd : r.ip;
            const ipId = `${k.id}/${IP_GROUP[limitedIp]}`;
            const usedKey = perKey.get(k.id) ?? 0;
            const usedIp = perIp.get(ipId) ?? 0;
            const ipRoom = !('perIpDailyLimit' in k) || usedIp < k.perIpDailyLimit;
            const keyRoom = !('dailyLimit' in k) || usedKey < k.dailyLimit;
            const d = engine.check({ apiKey: k.key, ip: r.ip, sourceIp: r.fwd ?? undefined }) as Decision;
            expect(d.allowed).toBe(ipRoom && keyRoom);
            if (d.allowed) {
              perKey.set(k.id, usedKey + 1);
              perIp.set(ipId, usedIp + 1);
            } else {
              expect(d.code).toBe(ipRoom ? 'daily_limit' : 'ip_daily_limit');
            }
          }
          for (const k of KEYS) {
            if ('dailyLimit' in k) expect(perKey.get(k.id) ?? 0).toBeLessThanOrEqual(k.dailyLimit);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('threshold events fire exactly once per threshold whatever the order of requests', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...IPS), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 1, max: 30 }),
        (ips, cap) => {
          const events: string[] = [];
          const engine = createEngine({
            policy: { keys: [{ id: 't', key: 'pk_threshold_0123', dailyLimit: cap }] },
            now: () => NOON_UTC,
            onEvent: (e) => {
              if (e.type === 'threshold') events.push(`${e.threshold}@${e.count}`);
            },
          });
          for (const ip of ips) engine.check({ apiKey: 'pk_threshold_0123', ip });
          const expected: string[] = [];
          if (ips.length >= Math.ceil(0.9 * cap)) expected.push(`0.9@${Math.ceil(0.9 * cap)}`);
          if (ips.length >= cap) expected.push(`1@${cap}`);
          expect(events).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('hostile input', () => {
  const anyValue = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.constant(undefined),
    fc.webUrl(),
    fc.constantFrom(
      WEB_KEY,
      BACKEND_KEY,
      OPEN_KEY,
      '',
      'null',
      '::',
      '0.0.0.0',
      '[::1]:80',
      'https://shop.example.com',
    ),
  );

  it('never throws, and always answers a documented status with a body exactly when refused', () => {
    const clock = manualClock(NOON_UTC);
    const engine = createEngine({ policy: examplePolicy(), now: clock.now });
    fc.assert(
      fc.property(
        fc.record({
          apiKey: anyValue,
          origin: anyValue,
          referer: anyValue,
          ip: anyValue,
          sourceIp: anyValue,
        }),
        fc.integer({ min: 0, max: 3 * 86_400_000 }),
        (input, dt) => {
          clock.set(NOON_UTC + dt);
          const d = engine.check(input) as Decision;
          expect([200, 400, 401, 403, 429]).toContain(d.status);
          expect(d.allowed).toBe(d.status === 200);
          expect(d.body === undefined).toBe(d.allowed);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
