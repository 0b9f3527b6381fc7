// The Express middleware over real sockets, on Express 5 and Express 4.

import * as http from 'node:http';
import type { TollgateEvent } from '@tollgate/core';
import { BACKEND_KEY, examplePolicy, NOON_UTC, OPEN_KEY, WEB_KEY } from '@tollgate/testkit/fixtures';
import { listen, request } from '@tollgate/testkit/http';
import express5 from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { tollgate } from '../src/index.js';

const policy = examplePolicy({ webPerIp: 2, backendDaily: 3 });

type ExpressFactory = typeof express5;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as ExpressFactory],
])('%s', (_name, express) => {
  async function start(setup?: (app: ReturnType<ExpressFactory>) => void) {
    const events: TollgateEvent[] = [];
    const app = express();
    let routeRuns = 0;
    let errorHandlerRuns = 0;
    setup?.(app);
    app.use(tollgate({ policy, now: () => NOON_UTC, onEvent: (e) => events.push(e) }));
    app.get('/lookup', (_req, res) => {
      routeRuns += 1;
      res.json({ ok: true, keyId: res.locals.tollgate.keyId });
    });
    app.use((_err: unknown, _req: unknown, res: { status(n: number): { end(): void } }, _next: unknown) => {
      errorHandlerRuns += 1;
      res.status(500).end();
    });
    const server = http.createServer(app);
    const { base, close } = await listen(server);
    closers.push(close);
    return { base, events, runs: () => ({ routeRuns, errorHandlerRuns }) };
  }

  it('401 for a missing key, as problem+json, without reaching the route', async () => {
    const s = await start();
    const r = await request(s.base, '/lookup');
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.json).toMatchObject({
      status: 401,
      code: 'missing_key',
      type: 'urn:tollgate:problem:missing_key',
    });
    expect(s.events).toMatchObject([{ type: 'auth_failure', code: 'missing_key', ip: '127.0.0.1' }]);
    expect(s.runs()).toEqual({ routeRuns: 0, errorHandlerRuns: 0 });
  });

  it('401 for an unknown key; the event names no key', async () => {
    const s = await start();
    const r = await request(s.base, '/lookup', { headers: [['X-Api-Key', 'pk_live_stolen_999999']] });
    expect(r.json).toMatchObject({ status: 401, code: 'unknown_key' });
    expect(JSON.stringify(s.events)).not.toContain('stolen');
    expect(r.body).not.toContain('stolen');
  });

  it('401 ambiguous_key when header and query carry different keys; a repeated header is no key at all', async () => {
    const s = await start();
    const r = await request(s.base, `/lookup?api_key=${OPEN_KEY}`, { headers: [['X-Api-Key', WEB_KEY]] });
    expect(r.json).toMatchObject({ code: 'ambiguous_key' });
    const twice = await request(s.base, '/lookup', {
      headers: [
        ['X-Api-Key', OPEN_KEY],
        ['X-Api-Key', OPEN_KEY],
      ],
    });
    expect(twice.status).toBe(401);
  });

  it('200 with the key in the api_key query parameter, RateLimit headers set, decision on res.locals', async () => {
    const s = await start();
    const r = await request(s.base, `/lookup?q=1&api_key=${encodeURIComponent(WEB_KEY)}`, {
      headers: [['Origin', 'https://shop.example.com']],
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true, keyId: 'shop-web' });
    expect(r.headers['ratelimit-policy']).toBe('"ip-daily";q=2;w=86400, "daily";q=10;w=86400');
    expect(r.headers.ratelimit).toBe('"ip-daily";r=1;t=43200, "daily";r=9;t=43200');
    expect(r.headers['x-source-ip']).toBe('127.0.0.1');
  });

  it('403 origin_required without Origin or Referer; 403 origin_not_allowed for a lookalike host', async () => {
    const s = await start();
    const none = await request(s.base, '/lookup', { headers: [['X-Api-Key', WEB_KEY]] });
    expect(none.status).toBe(403);
    expect(none.json).toMatchObject({ code: 'origin_required' });
    const evil = await request(s.base, '/lookup', {
      headers: [
        ['X-Api-Key', WEB_KEY],
        ['Origin', 'https://shop.example.com.evil.net'],
        ['Referer', 'https://evilexample.org/checkout'],
      ],
    });
    expect(evil.json).toMatchObject({ status: 403, code: 'origin_not_allowed' });
    expect(s.events.map((e) => e.type === 'refused' && e.code)).toEqual([
      'origin_required',
      'origin_not_allowed',
    ]);
    expect(s.runs().routeRuns).toBe(0);
  });

  it('admits a matching Referer from a subdomain under a schemeless pattern', async () => {
    const s = await start();
    const r = await request(s.base, '/lookup', {
      headers: [
        ['X-Api-Key', WEB_KEY],
        ['Referer', 'https://app.example.org/checkout/step-2?x=1'],
      ],
    });
    expect(r.status).toBe(200);
  });

  it('400 for a malformed forwarded IP; the forwarded IP is limited and echoed', async () => {
    const s = await start();
    const bad = await request(s.base, '/lookup', {
      headers: [
        ['X-Api-Key', BACKEND_KEY],
        ['X-Source-IP', '1.2.3.4, 5.6.7.8'],
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'invalid_source_ip' });
    const twice = await request(s.base, '/lookup', {
      headers: [
        ['X-Api-Key', BACKEND_KEY],
        ['X-Source-IP', '1.2.3.4'],
        ['X-Source-IP', '5.6.7.8'],
      ],
    });
    expect(twice.status).toBe(400);
    const ok = await request(s.base, '/lookup', {
      headers: [
        ['X-Api-Key', BACKEND_KEY],
        ['X-Source-IP', '::ffff:198.51.100.7'],
      ],
    });
    expect(ok.status).toBe(200);
    expect(ok.headers['x-source-ip']).toBe('198.51.100.7');
  });

  it('429 at the per-IP cap with Retry-After; the per-IP refusal does not count against the daily cap', async () => {
    const s = await start();
    const h = (ip: string) => ({
      headers: [
        ['X-Api-Key', BACKEND_KEY],
        ['X-Source-IP', ip],
      ] as [string, string][],
    });
    expect((await request(s.base, '/lookup', h('198.51.100.1'))).status).toBe(200);
    expect((await request(s.base, '/lookup', h('198.51.100.1'))).status).toBe(200);
    const refused = await request(s.base, '/lookup', h('198.51.100.1'));
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ code: 'ip_daily_limit' });
    // New York midnight (05:00Z) is 17 hours after noon UTC.
    expect(refused.headers['retry-after']).toBe(String(17 * 3600));
    expect(refused.headers['x-source-ip']).toBe('198.51.100.1');
    expect(refused.headers.ratelimit).toBe('"ip-daily";r=0;t=61200, "daily";r=1;t=61200');
    // One daily slot is left despite the refusal: the third distinct IP gets it.
    expect((await request(s.base, '/lookup', h('198.51.100.2'))).status).toBe(200);
    const daily = await request(s.base, '/lookup', h('198.51.100.3'));
    expect(daily.status).toBe(429);
    expect(daily.json).toMatchObject({ code: 'daily_limit' });
    expect(
      s.events.filter((e) => e.type === 'threshold').map((e) => e.type === 'threshold' && e.threshold),
    ).toEqual([0.9, 1]);
    expect(s.runs()).toEqual({ routeRuns: 3, errorHandlerRuns: 0 });
  });

  it("respects the app's trust proxy setting for the limited address", async () => {
    const untrusted = await start();
    const spoof = {
      headers: [
        ['X-Api-Key', WEB_KEY],
        ['Origin', 'https://shop.example.com'],
        ['X-Forwarded-For', '203.0.113.50'],
      ] as [string, string][],
    };
    expect((await request(untrusted.base, '/lookup', spoof)).headers['x-source-ip']).toBe('127.0.0.1');
    const trusted = await start((app) => app.set('trust proxy', 'loopback'));
    expect((await request(trusted.base, '/lookup', spoof)).headers['x-source-ip']).toBe('203.0.113.50');
  });

  it('lets keys without caps through with no rate-limit headers', async () => {
    const s = await start();
    const r = await request(s.base, '/lookup', { headers: [['X-Api-Key', OPEN_KEY]] });
    expect(r.status).toBe(200);
    expect(r.headers.ratelimit).toBeUndefined();
  });
});

describe('options', () => {
  it('refuses a bad policy at setup with ERR_TOLLGATE_INVALID_POLICY', () => {
    expect(() => tollgate({ policy: { keys: [{ id: 'x', key: 'short' }] } })).toThrow(
      expect.objectContaining({ code: 'ERR_TOLLGATE_INVALID_POLICY' }),
    );
  });

  it('shares a ready engine, and refuses engine mixed with engine options', () => {
    const a = tollgate({ policy });
    const b = tollgate({ engine: a.engine });
    expect(b.engine).toBe(a.engine);
    expect(() => tollgate({ engine: a.engine, policy } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_TOLLGATE_INVALID_OPTIONS' }),
    );
  });
});
