// The token lifetime rule: exp - iat, and exp - now for tokens without (or with a doctored) iat.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_LIFETIME_SEC, livesTooLong } from '../src/token-lifetime.js';

const now = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) });
const max = fc.integer({ min: 1, max: 86_400 });
const tolerance = fc.integer({ min: 0, max: 300 });
const seconds = fc.integer({ min: 1, max: 1_000_000 });

describe('livesTooLong', () => {
  it('the default is one hour', () => {
    expect(DEFAULT_MAX_LIFETIME_SEC).toBe(3600);
  });

  it.each([
    ['one hour, issued now', { exp: 3600, iat: 0, now: 0 }, false],
    ['an hour and a second', { exp: 3601, iat: 0, now: 0 }, true],
    ['a day', { exp: 86_400, iat: 0, now: 0 }, true],
    ['a day, in its last hour', { exp: 86_400, iat: 0, now: 83_000_000 }, true],
    ['no iat, an hour left', { exp: 3600, iat: undefined, now: 0 }, false],
    ['no iat, a day left', { exp: 86_400, iat: undefined, now: 0 }, true],
    ['no iat, a day once, an hour left now', { exp: 86_400, iat: undefined, now: 82_800_000 }, false],
    ['iat in the future to look short', { exp: 7200, iat: 6000, now: 0 }, true],
    ['iat within the clock tolerance ahead', { exp: 3620, iat: 20, now: 0 }, false],
  ])('%s', (_, t, expected) => {
    expect(livesTooLong({ ...t, maxLifetimeSec: 3600, clockToleranceSec: 30 })).toBe(expected);
  });

  it('a token issued now for L seconds is refused exactly when L exceeds the maximum', () => {
    fc.assert(
      fc.property(now, seconds, max, tolerance, (at, lifetime, maxLifetimeSec, clockToleranceSec) => {
        const iat = Math.floor(at / 1000);
        const t = { exp: iat + lifetime, iat, now: at, maxLifetimeSec, clockToleranceSec };
        expect(livesTooLong(t)).toBe(lifetime > maxLifetimeSec);
      }),
    );
  });

  it('without iat, a token is accepted exactly when at most the maximum (plus tolerance) remains', () => {
    fc.assert(
      fc.property(now, seconds, max, tolerance, (at, remaining, maxLifetimeSec, clockToleranceSec) => {
        const exp = Math.floor(at / 1000) + remaining;
        const t = { exp, iat: undefined, now: at, maxLifetimeSec, clockToleranceSec };
        expect(livesTooLong(t)).toBe(exp * 1000 - at > (maxLifetimeSec + clockToleranceSec) * 1000);
      }),
    );
  });

  it('moving iat, or leaving it out, never saves a token with too much left', () => {
    fc.assert(
      fc.property(
        now,
        seconds,
        fc.option(fc.integer({ min: -2_000_000, max: 2_000_000 }), { nil: undefined }),
        max,
        tolerance,
        (at, remaining, iatOffset, maxLifetimeSec, clockToleranceSec) => {
          fc.pre(remaining > maxLifetimeSec + clockToleranceSec);
          const nowSec = Math.floor(at / 1000);
          const iat = iatOffset === undefined ? undefined : nowSec + iatOffset;
          const t = { exp: nowSec + remaining, iat, now: at, maxLifetimeSec, clockToleranceSec };
          expect(livesTooLong(t)).toBe(true);
        },
      ),
    );
  });

  it('a token refused under one maximum is refused under every smaller one', () => {
    fc.assert(
      fc.property(
        now,
        seconds,
        fc.option(fc.integer({ min: -2_000_000, max: 2_000_000 }), { nil: undefined }),
        max,
        max,
        tolerance,
        (at, remaining, iatOffset, a, b, clockToleranceSec) => {
          const nowSec = Math.floor(at / 1000);
          const iat = iatOffset === undefined ? undefined : nowSec + iatOffset;
          const t = { exp: nowSec + remaining, iat, now: at, clockToleranceSec };
          const [small, large] = a <= b ? [a, b] : [b, a];
          if (livesTooLong({ ...t, maxLifetimeSec: large })) {
            expect(livesTooLong({ ...t, maxLifetimeSec: small })).toBe(true);
          }
        },
      ),
    );
  });
});
