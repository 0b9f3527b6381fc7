// The Bearer side of the Authorization header: which values carry a token, and the challenge each refusal gets.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bearerToken, TOKEN_FAILURES, type TokenFailure, wwwAuthenticate } from '../src/bearer-header.js';

const REASONS = Object.keys(TOKEN_FAILURES) as TokenFailure[];
// Any UTF-16 code unit, lone surrogates included (fast-check's 'binary' unit is slow to start).
const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });

describe('bearerToken', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['   ', undefined],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearerabc', undefined],
    ['Token abc', undefined],
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER   abc', 'abc'],
    ['  Bearer abc  ', 'abc'],
    ['Bearer a-b_c.d~e+f/g==', 'a-b_c.d~e+f/g=='],
    ['Bearer', null],
    ['Bearer ', null],
    ['Bearer    ', null],
    ['Bearer\tabc', null],
    ['Bearer abc def', null],
    ['Bearer abc,def', null],
    ['Bearer "abc"', null],
    ['Bearer ab=c', null],
    ['Bearer =abc', null],
    ['Bearer ébc', null],
  ] as const)('%j → %j', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });

  const b64token = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,60}={0,2}$/);
  const bearerWord = fc
    .array(fc.boolean(), { minLength: 6, maxLength: 6 })
    .map((upper) => [...'bearer'].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));

  it('any string: never throws, and a token it returns is a b64token', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), anyText), (header) => {
        const t = bearerToken(header);
        expect(t === undefined || t === null || /^[A-Za-z0-9\-._~+/]+=*$/.test(t)).toBe(true);
      }),
    );
  });

  it('"Bearer" in any case, one space or more, then a b64token: gives the token back', () => {
    fc.assert(
      fc.property(bearerWord, fc.integer({ min: 1, max: 5 }), b64token, (word, spaces, token) => {
        expect(bearerToken(`${word}${' '.repeat(spaces)}${token}`)).toBe(token);
      }),
    );
  });

  it('"Bearer" followed by anything that is not a b64token: null', () => {
    const after = fc.tuple(fc.constantFrom(' ', '  ', '\t', ' \t'), fc.string()).map(([sep, s]) => sep + s);
    fc.assert(
      fc.property(bearerWord, after, (word, rest) => {
        fc.pre(!/^ +[A-Za-z0-9\-._~+/]+=*[ \t]*$/.test(rest));
        expect(bearerToken(`${word}${rest}`)).toBeNull();
      }),
    );
  });

  it('any other scheme: undefined', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/), fc.string(), (scheme, rest) => {
        fc.pre(scheme.toLowerCase() !== 'bearer');
        expect(bearerToken(`${scheme} ${rest}`)).toBeUndefined();
      }),
    );
  });
});

describe('wwwAuthenticate and the failure texts', () => {
  it.each(REASONS)('%s: an RFC 6750 invalid_token challenge with a fixed description', (reason) => {
    const value = wwwAuthenticate(reason);
    expect(value).toMatch(
      /^Bearer error="invalid_token", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]+"$/,
    );
    expect(value).toContain(TOKEN_FAILURES[reason].detail);
    expect(TOKEN_FAILURES[reason].status).toBe(reason === 'jwks_unavailable' ? 503 : 401);
  });

  it('every reason has its own description', () => {
    expect(new Set(REASONS.map((r) => TOKEN_FAILURES[r].detail)).size).toBe(REASONS.length);
  });
});
