// Tollgate reads every api_key Hono's c.req.query / c.req.queries and URLSearchParams hand the app.

import { apiKeyQuery, tollgateUrlKeys } from '@tollgate/testkit/query-keys';
import fc from 'fast-check';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';

const app = new Hono();
app.all('/lookup', (c) =>
  c.json({
    one: c.req.query('api_key') ?? null,
    all: c.req.queries('api_key') ?? [],
    url: c.req.url,
  }),
);

describe('Hono and URLSearchParams', () => {
  it('every value the app can read as api_key is a key Tollgate counts (or two already are)', async () => {
    await fc.assert(
      fc.asyncProperty(apiKeyQuery, async (q) => {
        const request = new Request(`http://127.0.0.1/lookup?${q}`);
        const r = await app.request(request);
        const { one, all } = (await r.json()) as { one: string | null; all: string[] };
        // The adapter reads request.url, normalised as the app sees it.
        const counted = tollgateUrlKeys(request.url);
        if (counted.length >= 2) return;
        const read = [one, ...all, ...new URL(request.url).searchParams.getAll('api_key')];
        for (const v of read) if (v !== null && v !== '') expect(counted).toContain(v);
      }),
      { numRuns: 2000 },
    );
  });
});
