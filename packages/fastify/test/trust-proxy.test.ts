// The permissive trust-proxy warning with real Fastify apps. It is once per process, so the cases that must stay silent run first.

import { docsSection } from '@tollgate/testkit/docs';
import { examplePolicy, NOON_UTC, OPEN_KEY, WEB_KEY } from '@tollgate/testkit/fixtures';
import { request } from '@tollgate/testkit/http';
import { watchWarnings } from '@tollgate/testkit/warnings';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import tollgate from '../src/index.js';

const closers: (() => Promise<unknown>)[] = [];
const watch = watchWarnings('TOLLGATE_PERMISSIVE_TRUST_PROXY');
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const webRequest = (i: number): [string, string][] => [
  ['X-Api-Key', WEB_KEY],
  ['Origin', 'https://shop.example.com'],
  ['X-Forwarded-For', `203.0.113.${i}`],
];

/** An app whose web key has a per-IP cap of 1, checked by the plugin and, on `/b`, by a route engine of its own. */
async function startApp(trustProxy: NonNullable<FastifyServerOptions['trustProxy']>) {
  const app = Fastify({ trustProxy });
  const options = { policy: examplePolicy({ webPerIp: 1 }), now: () => NOON_UTC };
  await app.register(tollgate, options);
  app.get('/a', () => 'a');
  app.get('/b', { config: { tollgate: options } }, () => 'b');
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => app.close());
  return async (path: string, headers: [string, string][]) => (await request(base, path, { headers })).status;
}

describe('trustProxy that believes every peer', () => {
  it.each([
    ['false', false],
    ['loopback', 'loopback'],
    ['a hop count', 1],
    ['a list of proxies', ['127.0.0.1', '10.0.0.0/8']],
    ['a function trusting only loopback', (address: string) => address === '127.0.0.1'],
  ] as const)('trustProxy %s: no warning', async (_name, trustProxy) => {
    const send = await startApp(trustProxy as NonNullable<FastifyServerOptions['trustProxy']>);
    for (const i of [1, 2]) await send('/a', webRequest(i));
    expect(await watch.seen()).toEqual([]);
  });

  it('trustProxy true and only keys without a per-IP cap: no warning', async () => {
    const send = await startApp(true);
    for (const path of ['/a', '/b']) expect(await send(path, [['X-Api-Key', OPEN_KEY]])).toBe(200);
    expect(await watch.seen()).toEqual([]);
  });

  it('trustProxy true and a per-IP cap: one warning, with its code and docs link; the bypass it names is real', async () => {
    const send = await startApp(true);
    const statuses = [];
    for (const i of [1, 2, 3, 4]) statuses.push(await send(i % 2 ? '/a' : '/b', webRequest(i)));
    expect(statuses).toEqual([200, 200, 200, 200]);
    const warnings = await watch.seen();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      name: 'TollgateWarning',
      message: expect.stringContaining('docs/frameworks/fastify.md#behind-a-proxy'),
    });
    expect(warnings[0]?.message).toContain('`trustProxy` option trusts every peer');
  });

  it('the docs the warning links to describe the setting and the warning, as docs/security.md does', () => {
    const page = docsSection('docs/frameworks/fastify.md#behind-a-proxy');
    expect(page).toContain('TOLLGATE_PERMISSIVE_TRUST_PROXY');
    const security = docsSection('docs/security.md#behind-a-proxy');
    expect(security).toContain('TOLLGATE_PERMISSIVE_TRUST_PROXY');
    expect(security).toContain('`trustProxy: true`');
  });
});
