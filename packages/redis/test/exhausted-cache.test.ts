// The exhausted-counter cache: refuses only counters known full, until their reset instant, within its bound.

import type { CounterSpec } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { ExhaustedCache } from '../src/exhausted-cache.js';

const spec = (key: string, limit: number, expiresAt = 1_000): CounterSpec => ({
  key,
  limit,
  expiresAt,
  scope: 's',
});

describe('ExhaustedCache', () => {
  it('refuses a counter Redis reported at its limit, with the last counts of the others', () => {
    const cache = new ExhaustedCache(10);
    cache.remember(spec('ip', 5), 3);
    cache.remember(spec('daily', 10), 10);
    expect(cache.refusal([spec('ip', 5), spec('daily', 10)], 0)).toEqual({
      allowed: false,
      refusedBy: 1,
      counts: [3, 10],
    });
    expect(cache.refusal([spec('other-ip', 5), spec('daily', 10)], 0)?.counts).toEqual([0, 10]);
  });

  it('asks Redis while no counter is known full, and when the limit was raised', () => {
    const cache = new ExhaustedCache(10);
    cache.remember(spec('daily', 10), 9);
    expect(cache.refusal([spec('daily', 10)], 0)).toBeUndefined();
    cache.remember(spec('daily', 10), 10);
    expect(cache.refusal([spec('daily', 11)], 0)).toBeUndefined();
  });

  it('refuses a limit of 0 without having seen the counter', () => {
    expect(new ExhaustedCache(10).refusal([spec('x', 0)], 0)).toEqual({
      allowed: false,
      refusedBy: 0,
      counts: [0],
    });
  });

  it('forgets a counter at its reset instant', () => {
    const cache = new ExhaustedCache(10);
    cache.remember(spec('daily', 1, 1_000), 1);
    expect(cache.refusal([spec('daily', 1, 1_000)], 999)).toBeDefined();
    expect(cache.refusal([spec('daily', 1, 2_000)], 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the oldest but keeping a full counter that keeps refusing', () => {
    const cache = new ExhaustedCache(3);
    cache.remember(spec('full', 1), 1);
    for (let i = 0; i < 10; i++) {
      cache.remember(spec(`ip${i}`, 5), 1);
      expect(cache.refusal([spec('full', 1)], 0)).toBeDefined();
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    cache.remember(spec('a', 5), 1);
    cache.remember(spec('b', 5), 1);
    cache.remember(spec('c', 5), 1);
    expect(cache.refusal([spec('full', 1)], 0)).toBeUndefined();
  });

  it('remembers nothing with maxEntries 0', () => {
    const cache = new ExhaustedCache(0);
    cache.remember(spec('daily', 1), 1);
    expect(cache.size).toBe(0);
    expect(cache.refusal([spec('daily', 1)], 0)).toBeUndefined();
  });
});
