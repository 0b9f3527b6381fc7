// How a framework reads a multi-valued X-Forwarded-Proto from its trusted proxy: why docs/security.md says a proxy must overwrite it.

import type { EngineOptions } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { OPEN_KEY } from './fixtures.js';
import { request } from './http.js';

/**
 * Which comma-separated value of `X-Forwarded-Proto` the framework believes, or `whole` for an
 * app that compares the whole header with `https` (the fetch adapter's documented recipe).
 */
export type ProtoRead = 'first' | 'last' | 'whole';

/**
 * Starts an app that trusts a loopback peer as its proxy (and only that), with the adapter
 * given `tollgate` in front of `GET /lookup` answering 200.
 */
export type StartProtoApp = (tollgate: EngineOptions) => Promise<{ base: string; close(): Promise<void> }>;

/**
 * Requests arrive from 127.0.0.1, the trusted proxy, as a proxy would pass them on. A proxy that
 * overwrites the header says the truth; one that appends its own value after the client's leaves
 * the framework to pick one, and Express and Koa pick the client's.
 */
export function forwardedProtoSuite(name: string, reads: ProtoRead, start: StartProtoApp): void {
  describe(`${name}: X-Forwarded-Proto from a trusted proxy, under requireHttps`, () => {
    const cases: [string, (readonly [string, string])[], number][] = [
      ['a proxy that overwrote it after TLS', [['X-Forwarded-Proto', 'https']], 200],
      ['a proxy that overwrote it for plain HTTP', [['X-Forwarded-Proto', 'http']], 403],
      [
        'a plain-HTTP client that wrote https, its proxy appending http',
        [['X-Forwarded-Proto', 'https, http']],
        reads === 'first' ? 200 : 403,
      ],
      [
        'the same as two header lines (Node joins them with a comma)',
        [
          ['X-Forwarded-Proto', 'https'],
          ['X-Forwarded-Proto', 'http'],
        ],
        reads === 'first' ? 200 : 403,
      ],
      [
        'an HTTPS client that wrote http, its proxy appending https',
        [['X-Forwarded-Proto', 'http, https']],
        reads === 'last' ? 200 : 403,
      ],
    ];

    it.each(cases)('%s', async (_case, proto, status) => {
      const app = await start({ policy: { keys: [{ id: 'open', key: OPEN_KEY }] }, requireHttps: true });
      try {
        const res = await request(app.base, '/lookup', { headers: [['X-Api-Key', OPEN_KEY], ...proto] });
        expect(res.status).toBe(status);
        if (status === 403) expect((res.json as { code?: string }).code).toBe('https_required');
      } finally {
        await app.close();
      }
    });
  });
}
