// Every query value a parser could hand the app as api_key is one Tollgate counts, checked against URLSearchParams and node:querystring.

import * as querystring from 'node:querystring';
import { apiKeyQuery as query } from '@tollgate/testkit/query-keys';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addQueryKeys } from '../src/query-key.js';
import { inputFromRequest } from '../src/request-input.js';

const read = (query: string, header?: string): string[] => {
  const into = header === undefined ? [] : [header];
  addQueryKeys(into, query);
  return into;
};

/** What URLSearchParams and node:querystring (Express 5, Koa) hand an app as api_key. */
function parserValues(query: string): string[] {
  const out = new URLSearchParams(query).getAll('api_key');
  const qs = querystring.parse(query).api_key;
  if (typeof qs === 'string') out.push(qs);
  else if (Array.isArray(qs)) out.push(...qs);
  return [...new Set(out.filter((v) => v !== ''))];
}

describe('addQueryKeys', () => {
  it.each([
    ['api_key=B', ['B']],
    ['api%5Fkey=B', ['B']],
    ['api%5fkey=B', ['B']],
    ['%61pi_key=B', ['B']],
    ['q=1&api%5Fkey=B&z=2', ['B']],
    ['api_key%3DB', []],
    ['api_key[]=B', ['B']],
    ['api_key[0]=B', ['B']],
    ['api_key[x]=B', ['B']],
    ['api_key%5B%5D=B', ['B']],
    ['[api_key]=B', ['B']],
    ['api_key[a=b]=C', ['C']],
    ['API_KEY=B', []],
    ['api+key=B', []],
    ['api_key=a+b%20c', ['a b c']],
    ['api_key=%E2%82%AC', ['€']],
    // Escapes that do not decode: read differently by different parsers, so two values.
    ['api_key=%E0', ['\uFFFD', '%E0']],
    ['api_key=A%41%zz', ['AA%zz', 'A%41%zz']],
    // An escape that is not one at all is read alike everywhere.
    ['api_key=A%zz', ['A%zz']],
    ['api_key=', []],
    ['q=%20&x=y', []],
  ])('%s', (q, want) => {
    expect(read(q)).toEqual(want);
  });

  it('adds to what the header gave, and a different query value makes two', () => {
    expect(read('api%5Fkey=B', 'A')).toEqual(['A', 'B']);
    expect(read('api%5Fkey=A', 'A')).toEqual(['A']);
  });

  it('stops at two values however many names a query sprays', () => {
    const spray = Array.from({ length: 5000 }, (_, i) => `api_key[${i}]=v${i}`).join('&');
    expect(read(spray)).toEqual(['v0', 'v1']);
  });

  it('every value URLSearchParams or node:querystring reads as api_key is counted (or two already are)', () => {
    fc.assert(
      fc.property(query, (q) => {
        const got = read(q);
        if (got.length < 2) for (const v of parserValues(q)) expect(got).toContain(v);
      }),
      { numRuns: 3000 },
    );
  });

  it('for names without brackets and escapes that decode, exactly what URLSearchParams reads', () => {
    const plain = query.filter(
      (q) =>
        !/[[\]]|%5[bd]/i.test(q) &&
        q.split('&').every((part) => {
          try {
            decodeURIComponent(part);
            return true;
          } catch {
            return false;
          }
        }),
    );
    fc.assert(
      fc.property(plain, (q) => {
        const want = [...new Set(new URLSearchParams(q).getAll('api_key').filter((v) => v !== ''))];
        expect(read(q)).toEqual(want.slice(0, 2));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('inputFromRequest reads the query wherever a framework finds it', () => {
  const keysOf = (url: string, header?: string) =>
    inputFromRequest(
      { url, ip: '192.0.2.1', header: (n) => (n === 'x-api-key' ? header : undefined) },
      'x-source-ip',
    ).apiKey;

  it.each([
    ['/lookup', undefined],
    ['/lookup?q=1', undefined],
    ['/lookup?api%5Fkey=B', 'B'],
    // Fastify's router starts the query at `#` too, and keeps what follows one.
    ['/lookup#api_key=B', 'B'],
    ['/lookup?x=1#&api_key=B', 'B'],
    ['/lookup;api_key=B', 'B'],
    ['/lookup#x?api_key=B', undefined],
  ])('%s', (url, want) => {
    expect(keysOf(url)).toEqual(want);
  });

  it('a header key and a differently read query key are both kept, so the engine refuses them', () => {
    expect(keysOf('/lookup?api%5Fkey=B', 'A')).toEqual(['A', 'B']);
    expect(keysOf('/lookup?api_key=A#B', 'A')).toEqual(['A', 'A#B']);
  });
});
