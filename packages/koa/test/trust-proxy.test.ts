// The permissive trust-proxy warning with real Koa apps. It is once per process, so the cases that must stay silent run first.

import { docsSection } from '@tollgate/testkit/docs';
import { OPEN_KEY } from '@tollgate/testkit/fixtures';
import { watchWarnings } from '@tollgate/testkit/warnings';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, webRequest } from './support/trust-proxy-app.js';

const closers: (() => Promise<void>)[] = [];
const watch = watchWarnings('TOLLGATE_PERMISSIVE_TRUST_PROXY');
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('app.proxy without maxIpsCount', () => {
  it.each([
    [3, {}],
    [3, { proxy: false }],
    [3, { proxy: true, maxIpsCount: 1 }],
    [2, { proxy: true, maxIpsCount: 2 }],
  ] as const)('Koa %s with %j: no warning', async (version, settings) => {
    const app = await startApp(version, settings);
    closers.push(app.close);
    for (const i of [1, 2]) await app.send('/a', webRequest(i));
    expect(await watch.seen()).toEqual([]);
  });

  it('proxy on, no maxIpsCount, and only keys without a per-IP cap: no warning', async () => {
    const app = await startApp(3, { proxy: true });
    closers.push(app.close);
    for (const path of ['/a', '/b']) expect(await app.send(path, [['X-Api-Key', OPEN_KEY]])).toBe(200);
    expect(await watch.seen()).toEqual([]);
  });

  it('proxy on, no maxIpsCount, and a per-IP cap: one warning, with its code and docs link; the bypass it names is real', async () => {
    const app = await startApp(3, { proxy: true });
    closers.push(app.close);
    const statuses = [];
    for (const i of [1, 2, 3, 4]) statuses.push(await app.send(i % 2 ? '/a' : '/b', webRequest(i)));
    expect(statuses).toEqual([200, 200, 200, 200]);
    const warnings = await watch.seen();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      name: 'TollgateWarning',
      message: expect.stringContaining('docs/frameworks/koa.md#behind-a-proxy'),
    });
    expect(warnings[0]?.message).toContain('`app.proxy` is on without `app.maxIpsCount`');
  });

  it('the docs the warning links to describe the setting and the warning, as docs/security.md does', () => {
    const page = docsSection('docs/frameworks/koa.md#behind-a-proxy');
    expect(page).toContain('TOLLGATE_PERMISSIVE_TRUST_PROXY');
    const security = docsSection('docs/security.md#behind-a-proxy');
    expect(security).toContain('TOLLGATE_PERMISSIVE_TRUST_PROXY');
    expect(security).toContain('`app.proxy`');
    expect(security).toContain('`app.maxIpsCount`');
  });
});
