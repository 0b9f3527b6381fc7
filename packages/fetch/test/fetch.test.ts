// Fetch-adapter behaviour no other framework has: Response plumbing and the connecting address being optional.

import { BACKEND_KEY, examplePolicy, NOON_UTC, OPEN_KEY, WEB_KEY } from '@tollgate/testkit/fixtures';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createHandler, refusal, tollgate, withHeaders } from '../src/index.js';

const policy = examplePolicy({ webPerIp: 1 });
const lookup = (headers: Record<string, string>) =>
  new Request('https://api.example.com/lookup', { headers });
const WEB = { 'X-Api-Key': WEB_KEY, Origin: 'https://shop.example.com' };

describe('createHandler', () => {
  it('answers headers to add for an allowed request and a ready Response for a refusal', async () => {
    const check = createHandler({ policy, now: () => NOON_UTC });
    const ok = await check(lookup(WEB), { ip: '203.0.113.9' });
    expect(ok).toMatchObject({ allowed: true, headers: { 'X-Source-IP': '203.0.113.9' } });
    const refused = await check(lookup(WEB), { ip: '203.0.113.9' });
    if (refused.allowed) throw new Error('expected a refusal');
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.response.headers.get('retry-after')).toBe('43200');
    expect(await refused.response.json()).toMatchObject({ code: 'ip_daily_limit' });
  });

  it('reads the key from the query of an absolute request URL', async () => {
    const check = createHandler({ policy });
    const r = await check(new Request(`https://api.example.com/x?api_key=${OPEN_KEY}`));
    expect(r.allowed).toBe(true);
  });

  it('without a connecting address, requests share one per-IP counter rather than escaping it', async () => {
    const check = createHandler({ policy, now: () => NOON_UTC });
    expect((await check(lookup(WEB))).allowed).toBe(true);
    const second = await check(lookup(WEB));
    expect(second).toMatchObject({
      allowed: false,
      decision: { code: 'ip_daily_limit', limitedIp: 'unknown' },
    });
  });
});

describe('withHeaders and refusal', () => {
  it('adds headers to a mutable response in place', () => {
    const r = new Response('x');
    expect(withHeaders(r, { RateLimit: 'a' })).toBe(r);
    expect(r.headers.get('ratelimit')).toBe('a');
  });

  it('copies a response whose headers are immutable, keeping status and body', async () => {
    const redirect = Response.redirect('https://example.com/next', 302);
    const out = withHeaders(redirect, { RateLimit: 'a' });
    expect(out).not.toBe(redirect);
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('https://example.com/next');
    expect(out.headers.get('ratelimit')).toBe('a');
  });

  it('refusal() builds the problem response of any refused decision', async () => {
    const check = createHandler({ policy });
    const r = await check(lookup({}));
    const response = refusal(r.decision);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'missing_key', status: 401 });
  });
});

describe('Hono middleware', () => {
  it('adds the headers to a Response the route built itself, even one with immutable headers', async () => {
    const app = new Hono();
    app.use(tollgate({ policy, now: () => NOON_UTC, ip: () => '203.0.113.9' }));
    app.get('/raw', () => new Response('raw'));
    app.get('/redirect', () => Response.redirect('https://example.com/next', 302));
    for (const path of ['/raw', '/redirect']) {
      const r = await app.request(path, { headers: { 'X-Api-Key': BACKEND_KEY } });
      expect(r.headers.get('x-source-ip'), path).toBe('203.0.113.9');
      expect(r.headers.get('ratelimit'), path).toMatch(/"ip-daily";r=\d+;t=61200/);
    }
  });

  it('warns once when it cannot tell the client address', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const app = new Hono();
      app.use(tollgate({ policy }));
      app.get('/x', (c) => c.text('x'));
      await app.request('/x', { headers: { 'X-Api-Key': OPEN_KEY } });
      await app.request('/x', { headers: { 'X-Api-Key': OPEN_KEY } });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((m) => m.includes('no client address'))).toHaveLength(1);
  });

  it('refuses a non-function ip option at setup', () => {
    expect(() => tollgate({ policy, ip: '1.2.3.4' as never })).toThrow(
      expect.objectContaining({
        code: 'ERR_TOLLGATE_INVALID_OPTIONS',
        message: expect.stringMatching(/^tollgate: options\.ip:/),
      }),
    );
  });

  it('names the function that was given bad engine options: tollgate, or createHandler', () => {
    expect(() => tollgate({ policy, failureMode: 'maybe' as never })).toThrow(
      expect.objectContaining({
        code: 'ERR_TOLLGATE_INVALID_OPTIONS',
        message: expect.stringMatching(/^tollgate: options\.failureMode:/),
      }),
    );
    expect(() => createHandler({ policy, failureMode: 'maybe' as never })).toThrow(
      expect.objectContaining({
        code: 'ERR_TOLLGATE_INVALID_OPTIONS',
        message: expect.stringMatching(/^createHandler: options\.failureMode:/),
      }),
    );
  });
});
