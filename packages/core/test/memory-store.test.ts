// The memory store: the shared store contract, plus its own bounds.

import { storeContract } from '@tollgate/testkit/store-contract';
import { describe, expect, it } from 'vitest';
import { TollgateError } from '../src/errors.js';
import { createMemoryStore } from '../src/memory-store.js';

storeContract('memory', { create: () => createMemoryStore() });

describe('memory store bounds', () => {
  it('keeps at most maxEntries counters, evicting the least recently used', () => {
    const store = createMemoryStore({ maxEntries: 2 });
    const far = Date.now() + 86_400_000;
    const c = (key: string) => store.consume([{ key, limit: 10, expiresAt: far, scope: 's' }], Date.now());
    c('a');
    c('b');
    c('a'); // a is now the most recent
    c('c'); // evicts b
    expect(c('a').counts).toEqual([3]);
    expect(c('b').counts).toEqual([1]);
  });

  it('follows the injected clock for expiry', () => {
    const store = createMemoryStore();
    const spec = [{ key: 'k', limit: 1, expiresAt: 1_000, scope: 's' }];
    expect(store.consume(spec, 0)).toMatchObject({ allowed: true });
    expect(store.consume(spec, 999)).toMatchObject({ allowed: false });
    expect(store.consume([{ key: 'k', limit: 1, expiresAt: 2_000, scope: 's' }], 1_000)).toMatchObject({
      allowed: true,
      counts: [1],
    });
  });

  it.each([0, -1, 1.5, Number.NaN])(
    'refuses maxEntries %s with ERR_TOLLGATE_INVALID_OPTIONS',
    (maxEntries) => {
      expect(() => createMemoryStore({ maxEntries })).toThrow(TollgateError);
      try {
        createMemoryStore({ maxEntries });
      } catch (e) {
        expect((e as TollgateError).code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
      }
    },
  );
});
