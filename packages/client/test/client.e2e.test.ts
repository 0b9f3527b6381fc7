// The client against a real Tollgate-protected Express server over real sockets, with an injected clock and sleep.

import { afterEach, describe, expect, it } from 'vitest';
import {
  type ClientEvent,
  type ClientOptions,
  createClient,
  InsecureUrlError,
  RateLimitedError,
  TokenRefreshError,
} from '../src/index.js';
import { CONSUMER_KEY, startApiServer, startRecorder } from './support/api-server.js';

/** 2026-11-23T12:00:00Z. */
const NOON = Date.UTC(2026, 10, 23, 12);
const MIDNIGHT = Date.UTC(2026, 10, 24);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** One clock for server and client; sleeping advances it instead of waiting. */
function harness(start = NOON) {
  const clock = { t: start };
  const sleeps: number[] = [];
  const events: ClientEvent[] = [];
  const deps = {
    now: () => clock.t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock.t += ms;
    },
    random: () => 0.5,
    onEvent: (e: ClientEvent) => events.push(e),
    allowInsecureLoopback: true,
  } satisfies Partial<ClientOptions>;
  return { clock, sleeps, events, deps };
}

async function server(options: Omit<Parameters<typeof startApiServer>[0], 'now'>, now: () => number) {
  const s = await startApiServer({ ...options, now });
  closers.push(s.close);
  return s;
}

/** A provider as a consumer would write it: POST /authenticate with the key, return the grant. */
function tokenProvider(): ClientOptions['tokenProvider'] {
  return async ({ fetch }) => {
    const res = await fetch('/authenticate', { method: 'POST', headers: { 'X-Api-Key': CONSUMER_KEY } });
    if (!res.ok) throw new Error(`authenticate answered ${res.status}`);
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number };
    // The JWT form is handed over as the bare string, so its expiry comes from `exp`.
    return body.token ?? { access_token: body.access_token, expires_in: body.expires_in };
  };
}

describe('with an API key', () => {
  it('sends the key in X-Api-Key and returns the server Response as fetch would', async () => {
    const h = harness();
    const api = await server({}, h.deps.now);
    const client = createClient({ baseUrl: `${api.base}/v1`, apiKey: CONSUMER_KEY, ...h.deps });
    const res = await client('/lookup');
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
    expect(res.headers.get('ratelimit')).toBe('"ip-daily";r=49;t=43200, "daily";r=99;t=43200');
    expect(api.apiHits()).toMatchObject([{ path: '/v1/lookup', apiKey: CONSUMER_KEY }]);
  });

  it('a per-IP daily cap fails fast with RateLimitedError saying when it resets, without retrying', async () => {
    const h = harness();
    const api = await server({ perIpDailyLimit: 3 }, h.deps.now);
    const client = createClient({ baseUrl: api.base, apiKey: CONSUMER_KEY, ...h.deps });
    for (let i = 0; i < 3; i++) expect((await client('/v1/lookup')).status).toBe(200);

    const error = await client('/v1/lookup').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({
      code: 'ERR_TOLLGATE_CLIENT_RATE_LIMITED',
      status: 429,
      problemCode: 'ip_daily_limit',
      retryAfterMs: 12 * 3600 * 1000,
      resetAt: new Date(MIDNIGHT),
    });
    expect((error as Error).message).toContain(new Date(MIDNIGHT).toISOString());
    expect(api.apiHits()).toHaveLength(4);
    expect(h.sleeps).toEqual([]);
    expect(h.events.filter((e) => e.type === 'rate_limited')).toMatchObject([
      { status: 429, problemCode: 'ip_daily_limit', waitMs: 43_200_000, url: `${api.base}/v1/lookup` },
    ]);
  });

  it('waits out a short Retry-After (a cap resetting at midnight) and then succeeds', async () => {
    const h = harness(MIDNIGHT - 30_000);
    const api = await server({ dailyLimit: 2 }, h.deps.now);
    const client = createClient({ baseUrl: api.base, apiKey: CONSUMER_KEY, ...h.deps });
    await client('/v1/lookup');
    await client('/v1/lookup');

    const res = await client('/v1/lookup');
    expect(res.status).toBe(200);
    expect(h.sleeps).toEqual([30_000]);
    expect(api.apiHits().map((x) => x.status)).toEqual([200, 200, 429, 200]);
    expect(h.events.filter((e) => e.type === 'backoff')).toMatchObject([
      { attempt: 1, reason: 'rate_limited', delayMs: 30_000, source: 'server' },
    ]);
  });

  it('backs off with full jitter on 503 store_unavailable, doubling the cap each time', async () => {
    const h = harness();
    const api = await server({}, h.deps.now);
    api.storeFailures = 3;
    const client = createClient({
      baseUrl: api.base,
      apiKey: CONSUMER_KEY,
      ...h.deps,
      retry: { baseDelayMs: 100, maxDelayMs: 1000 },
    });
    const res = await client('/v1/lookup');
    expect(res.status).toBe(200);
    // random() is 0.5: half of each cap (100, 200, 400).
    expect(h.sleeps).toEqual([50, 100, 200]);
    expect(h.events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.attempt)).toEqual([
      2, 3, 4,
    ]);
  });

  it('gives the last 503 back once maxAttempts is used up', async () => {
    const h = harness();
    const api = await server({}, h.deps.now);
    api.storeFailures = 10;
    const client = createClient({
      baseUrl: api.base,
      apiKey: CONSUMER_KEY,
      ...h.deps,
      retry: { maxAttempts: 3 },
    });
    const res = await client('/v1/lookup');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'store_unavailable' });
    expect(api.apiHits()).toHaveLength(3);
    expect(h.events.at(-1)).toMatchObject({ type: 'retry_exhausted', attempts: 3, limit: 'attempts' });
  });

  it('stops when the next wait would pass maxElapsedMs', async () => {
    const h = harness();
    const api = await server({}, h.deps.now);
    api.storeFailures = 10;
    const client = createClient({
      baseUrl: api.base,
      apiKey: CONSUMER_KEY,
      ...h.deps,
      retry: { maxAttempts: 10, baseDelayMs: 1000, maxElapsedMs: 2000 },
    });
    expect((await client('/v1/lookup')).status).toBe(503);
    expect(h.sleeps).toEqual([500, 1000]); // a third wait of 2000 would end past 2000 ms
    expect(h.events.at(-1)).toMatchObject({ type: 'retry_exhausted', attempts: 3, limit: 'time' });
  });

  it('never retries a POST, unless it carries an Idempotency-Key or retryNonIdempotent is set', async () => {
    const h = harness();
    const api = await server({}, h.deps.now);
    const client = createClient({ baseUrl: api.base, apiKey: CONSUMER_KEY, ...h.deps });
    api.storeFailures = 1;
    expect((await client('/v1/orders', { method: 'POST', body: '{}' })).status).toBe(503);
    expect(api.apiHits()).toHaveLength(1);

    api.storeFailures = 1;
    const keyed = await client('/v1/orders', {
      method: 'POST',
      body: '{}',
      headers: { 'Idempotency-Key': 'order-7' },
    });
    expect(keyed.status).toBe(201);

    const optedIn = createClient({
      baseUrl: api.base,
      apiKey: CONSUMER_KEY,
      ...h.deps,
      retry: { retryNonIdempotent: true },
    });
    api.storeFailures = 1;
    expect((await optedIn('/v1/orders', { method: 'POST', body: '{}' })).status).toBe(201);
    expect(api.apiHits('/v1/orders').map((x) => x.status)).toEqual([503, 503, 201, 503, 201]);
  });

  it('retries network errors for GET, not for POST, and rejects as fetch does', async () => {
    const h = harness();
    const api = await server({}, h.deps.now);
    const base = api.base;
    await api.close();
    let calls = 0;
    const client = createClient({
      baseUrl: base,
      apiKey: CONSUMER_KEY,
      ...h.deps,
      retry: { maxAttempts: 3 },
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    await expect(client('/v1/lookup')).rejects.toBeInstanceOf(TypeError);
    expect(calls).toBe(3);
    calls = 0;
    await expect(client('/v1/orders', { method: 'POST' })).rejects.toBeInstanceOf(TypeError);
    expect(calls).toBe(1);
    expect(h.events.filter((e) => e.type === 'backoff').map((e) => e.type === 'backoff' && e.reason)).toEqual(
      ['network_error', 'network_error'],
    );
  });

  it('stops waiting when the caller aborts during a backoff', async () => {
    const h = harness();
    const api = await server({}, h.deps.now);
    api.storeFailures = 10;
    const controller = new AbortController();
    const client = createClient({
      baseUrl: api.base,
      apiKey: CONSUMER_KEY,
      ...h.deps,
      sleep: async () => controller.abort(new Error('caller gave up')),
    });
    await expect(client('/v1/lookup', { signal: controller.signal })).rejects.toThrow('caller gave up');
    expect(api.apiHits()).toHaveLength(1);
  });
});

describe.each(['jwt', 'opaque'] as const)('with a token provider (%s tokens)', (tokenForm) => {
  async function setup(lifetimeSeconds = 600, margin = 120_000) {
    const h = harness();
    const api = await server({ tokenForm, tokenLifetimeSeconds: lifetimeSeconds }, h.deps.now);
    const client = createClient({
      baseUrl: api.base,
      tokenProvider: tokenProvider(),
      tokenRefreshMarginMs: margin,
      ...h.deps,
    });
    return { h, api, client };
  }

  it('fetches a token from /authenticate and sends it as a bearer token, never the key', async () => {
    const { api, client } = await setup();
    expect((await client('/v1/lookup')).status).toBe(200);
    expect(api.authenticateCalls()).toBe(1);
    expect(api.apiHits()).toEqual([
      expect.objectContaining({ apiKey: undefined, authorization: `Bearer ${api.issued[0]}` }),
    ]);
  });

  it('runs one refresh however many requests wait for it', async () => {
    const { api, client } = await setup();
    const all = await Promise.all(Array.from({ length: 12 }, () => client('/v1/lookup')));
    expect(all.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(api.authenticateCalls()).toBe(1);
  });

  it('refreshes ahead of expiry, before the server ever refuses the token', async () => {
    const { h, api, client } = await setup(600, 120_000);
    await client('/v1/lookup');
    h.clock.t += 400_000; // 200 s left: outside the 120 s margin
    await client('/v1/lookup');
    expect(api.authenticateCalls()).toBe(1);
    h.clock.t += 100_000; // 100 s left: inside it
    await client('/v1/lookup');
    expect(api.authenticateCalls()).toBe(2);
    expect(api.apiHits().map((x) => x.status)).toEqual([200, 200, 200]);
    expect(api.apiHits()[2]?.authorization).toBe(`Bearer ${api.issued[1]}`);
    expect(h.events.filter((e) => e.type === 'token_refreshed')).toMatchObject([
      { reason: 'initial', expiresAt: NOON + 600_000, refreshAt: NOON + 480_000 },
      { reason: 'expiring' },
    ]);
  });

  it('refreshes a 2-minute token after 1 minute with the default 5-minute margin', async () => {
    const h = harness();
    const api = await server({ tokenForm, tokenLifetimeSeconds: 120 }, h.deps.now);
    const client = createClient({ baseUrl: api.base, tokenProvider: tokenProvider(), ...h.deps });
    await client('/v1/lookup');
    h.clock.t += 59_000;
    await client('/v1/lookup');
    h.clock.t += 1000;
    await client('/v1/lookup');
    expect(api.authenticateCalls()).toBe(2);
    expect(api.apiHits().map((x) => x.status)).toEqual([200, 200, 200]);
  });

  it('after a 401 invalid_token refreshes once and retries once', async () => {
    const { h, api, client } = await setup();
    await client('/v1/lookup');
    api.revokeTokens();
    const res = await client('/v1/lookup');
    expect(res.status).toBe(200);
    expect(api.authenticateCalls()).toBe(2);
    expect(api.apiHits().map((x) => x.status)).toEqual([200, 401, 200]);
    expect(h.events.filter((e) => e.type === 'retry')).toMatchObject([
      { reason: 'invalid_token', attempt: 1 },
    ]);
  });

  it('gives back a second 401 instead of looping', async () => {
    const { api, client } = await setup();
    api.rejectAllTokens = true;
    const res = await client('/v1/lookup');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(api.apiHits()).toHaveLength(2);
    expect(api.authenticateCalls()).toBe(2);
  });

  it('reports refresh failures: fails the request without a token, keeps a still-valid one', async () => {
    const { h, api, client } = await setup(600, 120_000);
    api.authenticateFailure = 503;
    const error = await client('/v1/lookup').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect(error).toMatchObject({ code: 'ERR_TOLLGATE_CLIENT_TOKEN_REFRESH_FAILED', reason: 'initial' });
    expect(api.apiHits()).toHaveLength(0);

    api.authenticateFailure = undefined;
    await client('/v1/lookup');
    h.clock.t += 500_000; // inside the margin, still valid
    api.authenticateFailure = 503;
    expect((await client('/v1/lookup')).status).toBe(200);
    expect(h.events.filter((e) => e.type === 'token_refresh_failed')).toMatchObject([
      { reason: 'initial', error: { name: 'Error' }, failures: 1 },
      { reason: 'expiring', failures: 1 },
    ]);
  });
});

describe('response cache', () => {
  it('answers a repeated GET from the cache without a request, until max-age runs out', async () => {
    const h = harness();
    const api = await server({}, h.deps.now);
    const client = createClient({ baseUrl: api.base, apiKey: CONSUMER_KEY, cache: true, ...h.deps });
    const first = await (await client('/v1/cached')).json();
    h.clock.t += 30_000;
    const again = await client('/v1/cached');
    expect(await again.json()).toEqual(first);
    expect(again.headers.get('age')).toBe('30');
    expect(again.url).toBe(`${api.base}/v1/cached`);
    expect(api.apiHits()).toHaveLength(1);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'cache_hit', ageMs: 30_000 }));

    h.clock.t += 31_000;
    await client('/v1/cached');
    expect(api.apiHits()).toHaveLength(2);
  });

  it("skips the cache for responses without max-age and for cache: 'no-store' requests", async () => {
    const h = harness();
    const api = await server({}, h.deps.now);
    const client = createClient({ baseUrl: api.base, apiKey: CONSUMER_KEY, cache: true, ...h.deps });
    await client('/v1/lookup');
    await client('/v1/lookup');
    await client('/v1/cached');
    await client('/v1/cached', { cache: 'no-store' } as RequestInit);
    expect(api.apiHits()).toHaveLength(4);
  });
});

describe('HTTPS only', () => {
  it('refuses a plain-HTTP base URL, loopback included unless allowed', async () => {
    expect(() => createClient({ baseUrl: 'http://api.example.com', apiKey: CONSUMER_KEY })).toThrow(
      InsecureUrlError,
    );
    expect(() => createClient({ baseUrl: 'http://127.0.0.1:8080', apiKey: CONSUMER_KEY })).toThrow(
      expect.objectContaining({ code: 'ERR_TOLLGATE_CLIENT_INSECURE_URL' }),
    );
    expect(() =>
      createClient({ baseUrl: 'http://api.example.com', apiKey: CONSUMER_KEY, allowInsecureLoopback: true }),
    ).toThrow(InsecureUrlError);
  });

  it('refuses a redirect to plain HTTP without sending anything there', async () => {
    const h = harness();
    const api = await server({}, h.deps.now);
    const sent: string[] = [];
    const client = createClient({
      baseUrl: api.base,
      apiKey: CONSUMER_KEY,
      ...h.deps,
      fetch: (input, init) => {
        sent.push(String(input));
        return fetch(input, init);
      },
    });
    await expect(client('/v1/go-insecure')).rejects.toMatchObject({
      code: 'ERR_TOLLGATE_CLIENT_INSECURE_URL',
    });
    expect(sent).toEqual([`${api.base}/v1/go-insecure`]);
  });

  it('follows a same-origin redirect with credentials and a cross-origin one without', async () => {
    const h = harness();
    const other = await startRecorder();
    closers.push(other.close);
    const api = await server({ elsewhere: other.base }, h.deps.now);
    const client = createClient({ baseUrl: api.base, apiKey: CONSUMER_KEY, ...h.deps });

    const same = await client('/v1/go-same');
    expect(await same.json()).toMatchObject({ ok: true });
    expect(api.apiHits().map((x) => [x.path, x.apiKey])).toEqual([
      ['/v1/go-same', CONSUMER_KEY],
      ['/v1/lookup', CONSUMER_KEY],
    ]);

    const away = await client('/v1/go-elsewhere', { headers: { Cookie: 'session=s3cr3t' } });
    expect(await away.json()).toEqual({ landed: true });
    expect(other.seen).toHaveLength(1);
    expect(other.seen[0]).not.toHaveProperty('x-api-key');
    expect(other.seen[0]).not.toHaveProperty('cookie');
    expect(api.apiHits('/v1/go-elsewhere')).toMatchObject([{ apiKey: CONSUMER_KEY }]);
  });
});
