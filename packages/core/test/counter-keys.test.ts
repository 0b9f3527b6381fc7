// Counter specs per key and day: how often an address's label (the ipHashSecret HMAC) is computed, on the request path.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CounterKeys } from '../src/counter-keys.js';
import { createDayClock } from '../src/day-window.js';
import { ipHasher } from '../src/key-hash.js';
import { NOON_UTC } from './fixtures.js';

const DAY = 86_400_000;
const clock = createDayClock('UTC');

/** A real ipHasher that counts its calls: what docs/security.md promises about the HMAC's cost. */
function countingHasher() {
  const hmac = ipHasher('a test secret of at least thirty-two characters');
  const calls: string[] = [];
  return {
    calls,
    label: (ip: string) => {
      calls.push(ip);
      return hmac(ip);
    },
  };
}

describe('CounterKeys and the address HMAC', () => {
  it('hashes an address on its first request of the key’s day, again the next day and for each key', () => {
    const h = countingHasher();
    const a = new CounterKeys('a', 5, 100, h.label);
    const b = new CounterKeys('b', 5, 100, h.label);
    const today = clock.window(NOON_UTC);
    for (let i = 0; i < 3; i++) a.specs(today, '203.0.113.7');
    expect(h.calls).toEqual(['203.0.113.7']);
    b.specs(today, '203.0.113.7');
    expect(h.calls).toHaveLength(2);
    a.specs(clock.window(NOON_UTC + DAY), '203.0.113.7');
    expect(h.calls).toHaveLength(3);
    // The counter key holds the label, never the address.
    const [perIp] = a.specs(today, '203.0.113.7');
    expect(perIp?.key).toBe(`a:${today.day}:ip:${h.label('203.0.113.7')}`);
    expect(perIp?.key).not.toContain('203.0.113.7');
  });

  it('hashes nothing for a key without a per-IP cap', () => {
    const h = countingHasher();
    const keys = new CounterKeys('a', undefined, 100, h.label);
    keys.specs(clock.window(NOON_UTC), '203.0.113.7');
    expect(h.calls).toEqual([]);
  });

  it('computes one HMAC per distinct address in a day, whatever the order of requests (property)', () => {
    const address = fc.integer({ min: 0, max: 300 }).map((n) => `198.51.${n >> 8}.${n & 255}`);
    fc.assert(
      fc.property(fc.array(address, { maxLength: 400 }), (ips) => {
        const h = countingHasher();
        const keys = new CounterKeys('a', 5, undefined, h.label);
        const today = clock.window(NOON_UTC);
        for (const ip of ips) keys.specs(today, ip);
        expect(h.calls.length).toBe(new Set(ips).size);
      }),
      { verbose: true },
    );
  });
});
