// Tollgate reads every api_key Fastify's router and query parser hand the app, over a real socket (`#` included).

import { request } from '@tollgate/testkit/http';
import { apiKeyQuery, leaves, tollgateUrlKeys } from '@tollgate/testkit/query-keys';
import fc from 'fast-check';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const app = Fastify();
app.all('/lookup', (req) => ({ url: req.url, apiKey: (req.query as { api_key?: unknown }).api_key ?? null }));
let base: string;
beforeAll(async () => {
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => app.close());

// What Node's HTTP client sends as it is in a request target.
const SENDABLE = /^[\u0021-\u007e]*$/;

describe('Fastify', () => {
  it('every value request.query.api_key can hold is a key Tollgate counts (or two already are)', async () => {
    await fc.assert(
      fc.asyncProperty(apiKeyQuery, fc.constantFrom('?', '#', '?x=1#&', ';'), async (q, lead) => {
        const target = `/lookup${lead}${q}`;
        if (!SENDABLE.test(target)) return;
        const r = await request(base, target);
        if (r.status !== 200) return;
        const seen = r.json as { url: string; apiKey: unknown };
        expect(seen.url).toBe(target);
        const counted = tollgateUrlKeys(seen.url);
        if (counted.length < 2) for (const v of leaves(seen.apiKey)) expect(counted).toContain(v);
      }),
      { numRuns: 800 },
    );
  });
});
