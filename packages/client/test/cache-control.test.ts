// Freshness from Cache-Control, Age and Vary, read as a private cache does.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freshnessMs, varyNames } from '../src/cache-control.js';

describe('freshnessMs', () => {
  it.each([
    ['max-age=60', null, null, 60_000],
    ['public, max-age="30"', null, null, 30_000],
    ['private, max-age=60', '15', null, 45_000],
    ['max-age=60', '90', null, 0],
    ['max-age=60, max-age=10', null, null, 10_000],
    ['max-age=60, no-store', null, null, 0],
    ['no-cache, max-age=60', null, null, 0],
    ['public', null, null, 0],
    ['max-age=abc', null, null, 0],
    [null, null, null, 0],
    ['max-age=60', null, 'Accept, *', 0],
  ])('%s (Age %s, Vary %s) → %d ms', (cc, age, vary, expected) => {
    expect(freshnessMs(cc, age, vary)).toBe(expected);
  });

  it('never throws and is always a finite number ≥ 0', () => {
    const s = fc.option(fc.string({ unit: 'binary', maxLength: 80 }));
    fc.assert(
      fc.property(s, s, s, (cc, age, vary) => {
        const ms = freshnessMs(cc, age, vary);
        expect(Number.isFinite(ms) && ms >= 0).toBe(true);
      }),
    );
  });
});

describe('varyNames', () => {
  it('lower-cases the names and leaves out Accept-Encoding, which fetch decodes itself', () => {
    expect(varyNames('Accept-Language, Accept-Encoding,Origin')).toEqual(['accept-language', 'origin']);
    expect(varyNames(null)).toEqual([]);
  });
});
