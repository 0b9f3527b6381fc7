// Tollgate reads every api_key Express's own query parsers hand the app: qs (Express 4, and 5's 'extended') and node:querystring (Express 5).

import { apiKeyQuery, leaves, tollgateUrlKeys } from '@tollgate/testkit/query-keys';
import express5 from 'express';
import express4 from 'express4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

type QueryParser = (query: string) => Record<string, unknown>;
const parserOf = (app: { get(name: string): unknown }) => app.get('query parser fn') as QueryParser;
const extended5 = express5();
extended5.set('query parser', 'extended');

describe.each([
  ['Express 4 (qs)', parserOf(express4())],
  ['Express 5 (node:querystring)', parserOf(express5())],
  ["Express 5 'extended' (qs)", parserOf(extended5)],
])('%s', (_name, parse) => {
  it('every value req.query.api_key can hold is a key Tollgate counts (or two already are)', () => {
    fc.assert(
      fc.property(apiKeyQuery, (q) => {
        const counted = tollgateUrlKeys(`/lookup?${q}`);
        if (counted.length < 2) for (const v of leaves(parse(q).api_key)) expect(counted).toContain(v);
      }),
      { numRuns: 3000 },
    );
  });
});
