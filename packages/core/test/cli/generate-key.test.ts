// The key generator: base62 only, the prefix kept, the length fixed, draws uniform and distinct.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASE62, generateKey, KEY_RANDOM_CHARS } from '../../src/cli/generate-key.js';
import { createEngine } from '../../src/engine.js';
import { keySha256 } from '../../src/key-hash.js';

const prefixArb = fc.stringMatching(/^[A-Za-z0-9._-]{0,64}$/);

/** A byte source serving `bytes` in order, then zeros: each call takes the next n bytes. */
function source(bytes: readonly number[]): (n: number) => Uint8Array {
  let at = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let j = 0; j < n; j++) out[j] = bytes[at++] ?? 0;
    return out;
  };
}

describe('generateKey', () => {
  it('keeps the prefix and adds exactly KEY_RANDOM_CHARS base62 characters, at least 128 bits', () => {
    expect(KEY_RANDOM_CHARS * Math.log2(62)).toBeGreaterThanOrEqual(128);
    fc.assert(
      fc.property(prefixArb, (prefix) => {
        const key = generateKey(prefix);
        expect(key.startsWith(prefix)).toBe(true);
        const body = key.slice(prefix.length);
        expect(body).toHaveLength(KEY_RANDOM_CHARS);
        expect(body).toMatch(/^[0-9A-Za-z]+$/);
      }),
    );
  });

  it('makes keys the policy accepts, both as key and as keySha256', () => {
    fc.assert(
      fc.property(prefixArb, (prefix) => {
        const key = generateKey(prefix);
        const engine = createEngine({
          policy: {
            keys: [
              { id: 'a', key },
              { id: 'b', keySha256: keySha256(generateKey(prefix)) },
            ],
          },
        });
        expect(engine.check({ apiKey: key, ip: '203.0.113.7' })).toMatchObject({ allowed: true, keyId: 'a' });
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a prefix outside letters, digits, ".", "_" and "-", or over 64 characters', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ minLength: 1 }).filter((s) => /[^A-Za-z0-9._-]/.test(s)),
          fc.stringMatching(/^[a-z]{65,80}$/),
        ),
        (prefix) => {
          expect(() => generateKey(prefix)).toThrow(RangeError);
        },
      ),
    );
  });

  it('ignores bytes from 248 up wherever they fall (rejection sampling, so no symbol is favoured)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 247 }), { minLength: KEY_RANDOM_CHARS, maxLength: 80 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 248, max: 255 })), { maxLength: 40 }),
        (accepted, noise) => {
          const noisy = [...accepted];
          for (const [pos, byte] of noise) noisy.splice(pos % (noisy.length + 1), 0, byte);
          expect(generateKey('', source(noisy))).toBe(generateKey('', source(accepted)));
        },
      ),
    );
  });

  it('maps exactly four of the 248 accepted byte values to each of the 62 symbols', () => {
    const counts = new Map<string, number>();
    for (let b = 0; b < 248; b++) {
      const body = generateKey('', () => new Uint8Array(KEY_RANDOM_CHARS).fill(b));
      expect(new Set(body).size).toBe(1);
      counts.set(body[0] as string, (counts.get(body[0] as string) ?? 0) + 1);
    }
    expect([...counts.keys()].sort().join('')).toBe([...BASE62].sort().join(''));
    expect(new Set(counts.values())).toEqual(new Set([4]));
  });

  it('draws distinct keys from the CSPRNG, every symbol about equally often', () => {
    const keys = Array.from({ length: 2000 }, () => generateKey());
    expect(new Set(keys).size).toBe(keys.length);
    const counts = new Map<string, number>();
    for (const k of keys) for (const ch of k) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    // 64 000 draws: about 1032 per symbol, standard deviation about 32; ±30% is over 9 of them.
    const expected = (keys.length * KEY_RANDOM_CHARS) / 62;
    expect(counts.size).toBe(62);
    for (const n of counts.values()) expect(Math.abs(n - expected)).toBeLessThan(0.3 * expected);
  });
});
