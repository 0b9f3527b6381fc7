// Redis key names: one hash slot per check, distinct keys for distinct counters, literal SCAN patterns.

import type { CounterSpec } from '@tollgate/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashTag, keyPattern, redisKey } from '../src/redis-key.js';

const spec = (scope: string, key: string): CounterSpec => ({ key, scope, limit: 1, expiresAt: 0 });

/** What Redis Cluster hashes: the text between the first `{` and the next `}`, when not empty. */
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

const prefixArb = fc.string({ minLength: 1 }).filter((p) => !/[{}]/.test(p));
const FC = { numRuns: 500 } as const;

describe('redisKey', () => {
  it('reads prefix + {scope} + the rest of the engine’s counter key', () => {
    const scope = 'shop-web:2026-11-23';
    expect(redisKey('tollgate:', spec(scope, `${scope}:daily`))).toBe(
      'tollgate:{shop-web:2026-11-23}:daily@0',
    );
    expect(redisKey('tollgate:', spec(scope, `${scope}:ip:2001:db8::/64`))).toBe(
      'tollgate:{shop-web:2026-11-23}:ip:2001:db8::/64@0',
    );
    expect(redisKey('t:', spec(scope, 'elsewhere'))).toBe('t:{shop-web:2026-11-23}#elsewhere@0');
    expect(redisKey('t:', spec('a{b}', 'k'))).toBe('t:{a%7Bb%7D}#k@0');
    expect(redisKey('t:', spec('', 'k'))).toBe('t:{%}#k@0');
  });

  it('puts every counter of one scope in the same, non-empty hash slot', () => {
    fc.assert(
      fc.property(prefixArb, fc.string(), fc.array(fc.string(), { minLength: 2 }), (prefix, scope, rests) => {
        const tags = rests.map((r) => hashedPart(redisKey(prefix, spec(scope, `${scope}${r}`))));
        expect(new Set(tags).size).toBe(1);
        expect(tags[0]).toBe(hashTag(scope));
        expect(tags[0]).not.toBe('');
      }),
      FC,
    );
  });

  it('gives distinct counters distinct keys', () => {
    const part = fc.string({ unit: fc.constantFrom('a', ':', '#', '{', '}', '%', '7', 'B') });
    fc.assert(
      fc.property(prefixArb, part, part, part, part, (prefix, s1, k1, s2, k2) => {
        fc.pre(s1 !== s2 || k1 !== k2);
        expect(redisKey(prefix, spec(s1, k1))).not.toBe(redisKey(prefix, spec(s2, k2)));
      }),
      FC,
    );
  });
});

describe('keyPattern', () => {
  it('matches the prefix literally', () => {
    expect(keyPattern('app*[1]?\\:')).toBe('app\\*\\[1\\]\\?\\\\:*');
  });
});
