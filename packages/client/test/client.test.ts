// createClient's composition against a scripted fetch: what is retried, how long it waits, what is handed back.

import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ClientEvent,
  type ClientOptions,
  createClient,
  type FetchLike,
  InsecureUrlError,
  RateLimitedError,
  type TokenGrant,
  TokenRefreshError,
} from '../src/index.js';

const BASE = 'https://api.example.com';
const KEY = 'pk_test_client_1a2b3c';
const NOW = Date.UTC(2026, 10, 23, 12);

interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
}

/** A fetch that answers from a script, one response per call (the last one repeats). */
function scripted(...answers: (() => Response | Promise<Response>)[]) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (input, init) => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: init?.body == null ? null : await new Response(init.body).text(),
    });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    return (answer as () => Response)();
  };
  return { calls, fetch };
}

function harness(fetch: FetchLike, extra: Partial<ClientOptions> = {}) {
  const clock = { t: NOW };
  const sleeps: number[] = [];
  const events: ClientEvent[] = [];
  const client = createClient({
    baseUrl: BASE,
    apiKey: KEY,
    fetch,
    now: () => clock.t,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.t += ms;
    },
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...extra,
  } as ClientOptions);
  return { client, clock, sleeps, events };
}

const status =
  (code: number, headers: Record<string, string> = {}, body: string | null = null) =>
  () =>
    new Response(body, { status: code, headers });
const problem = (code: number, problemCode: string, headers: Record<string, string> = {}) =>
  status(
    code,
    { 'Content-Type': 'application/problem+json', ...headers },
    JSON.stringify({ type: `urn:tollgate:problem:${problemCode}`, status: code, code: problemCode }),
  );

afterEach(() => {
  vi.restoreAllMocks();
});

describe('what comes back', () => {
  it('is the very Response fetch returned', async () => {
    const response = new Response('hi');
    const { client } = harness(async () => response);
    expect(await client('/x')).toBe(response);
  });

  it('accepts a Request, and replays its body on a retry', async () => {
    const net = scripted(status(503), status(200));
    const { client } = harness(net.fetch);
    const res = await client(new Request(`${BASE}/items/1`, { method: 'PUT', body: 'v=1' }));
    expect(res.status).toBe(200);
    expect(net.calls.map((c) => [c.method, c.body])).toEqual([
      ['PUT', 'v=1'],
      ['PUT', 'v=1'],
    ]);
  });

  it('sends a streamed body once and never retries it', async () => {
    const net = scripted(status(503), status(200));
    const { client } = harness(net.fetch);
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('x'));
        c.close();
      },
    });
    const res = await client('/items/1', { method: 'PUT', body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(503);
    expect(net.calls).toHaveLength(1);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const net = scripted(status(200));
    const { client } = harness(net.fetch);
    const signal = AbortSignal.abort(new Error('aborted early'));
    await expect(client('/x', { signal })).rejects.toThrow();
  });
});

describe('how long it waits', () => {
  it('honours Retry-After as an HTTP date', async () => {
    const net = scripted(status(429, { 'Retry-After': 'Mon, 23 Nov 2026 12:00:42 GMT' }), status(200));
    const { client, sleeps } = harness(net.fetch);
    expect((await client('/x')).status).toBe(200);
    expect(sleeps).toEqual([42_000]);
  });

  it('honours the RateLimit reset of the exhausted limit when there is no Retry-After', async () => {
    const net = scripted(status(429, { RateLimit: '"ip-daily";r=0;t=7, "daily";r=40;t=7000' }), status(200));
    const { client, sleeps, events } = harness(net.fetch);
    await client('/x');
    expect(sleeps).toEqual([7000]);
    expect(events[0]).toMatchObject({
      type: 'rate_limited',
      waitMs: 7000,
      limits: [
        { name: 'ip-daily', remaining: 0, resetSeconds: 7 },
        { name: 'daily', remaining: 40, resetSeconds: 7000 },
      ],
    });
  });

  it('waits exactly maxRetryWaitMs, and fails fast one second beyond it', async () => {
    const atLimit = scripted(status(429, { 'Retry-After': '60' }), status(200));
    expect((await harness(atLimit.fetch).client('/x')).status).toBe(200);

    const beyond = scripted(problem(429, 'daily_limit', { 'Retry-After': '61' }));
    const h = harness(beyond.fetch);
    const error = await h.client('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({
      problemCode: 'daily_limit',
      retryAfterMs: 61_000,
      resetAt: new Date(NOW + 61_000),
    });
    expect(h.sleeps).toEqual([]);
  });

  it('fails fast on a long 429 even for a request it would never retry', async () => {
    const net = scripted(problem(429, 'daily_limit', { 'Retry-After': '3600' }));
    const { client } = harness(net.fetch, { retry: false });
    await expect(client('/orders', { method: 'POST' })).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('hands back a 503 whose Retry-After is too long, without waiting or throwing', async () => {
    const net = scripted(status(503, { 'Retry-After': '3600' }));
    const { client, sleeps } = harness(net.fetch);
    expect((await client('/x')).status).toBe(503);
    expect(sleeps).toEqual([]);
  });

  it('gives other statuses back untouched, without retrying', async () => {
    for (const code of [400, 401, 403, 404, 500, 502]) {
      const net = scripted(status(code));
      const { client } = harness(net.fetch);
      expect((await client('/x')).status).toBe(code);
      expect(net.calls).toHaveLength(1);
    }
  });
});

describe('tokens', () => {
  it('refreshes on a problem body with code invalid_token, but not on another 401', async () => {
    let n = 0;
    const tokenProvider = () => `tok_${++n}_abcdefgh`;
    const refused = scripted(problem(401, 'invalid_token'), status(200));
    const h = harness(refused.fetch, { apiKey: undefined, tokenProvider });
    expect((await h.client('/x')).status).toBe(200);
    expect(refused.calls.map((c) => c.headers.get('authorization'))).toEqual([
      'Bearer tok_1_abcdefgh',
      'Bearer tok_2_abcdefgh',
    ]);

    const unknown = scripted(problem(401, 'unknown_key'));
    const h2 = harness(unknown.fetch, { apiKey: undefined, tokenProvider });
    expect((await h2.client('/x')).status).toBe(401);
    expect(unknown.calls).toHaveLength(1);
  });

  it('gives the provider a fetch bound to the base URL, without credentials, held to HTTPS', async () => {
    const net = scripted(() => Response.json({ access_token: 'tok_from_auth', expires_in: 60 }), status(200));
    const h = harness(net.fetch, {
      apiKey: undefined,
      tokenProvider: async ({ fetch }) =>
        (await fetch('/authenticate', { method: 'POST' })).json() as Promise<TokenGrant>,
    });
    await h.client('/x');
    expect(net.calls.map((c) => [c.url, c.headers.get('authorization')])).toEqual([
      [`${BASE}/authenticate`, null],
      [`${BASE}/x`, 'Bearer tok_from_auth'],
    ]);

    const insecure = harness(net.fetch, {
      apiKey: undefined,
      tokenProvider: async ({ fetch }) => (await fetch('http://auth.example.com/token')).text(),
    });
    const error = await insecure.client('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect((error as Error).cause).toBeInstanceOf(InsecureUrlError);
  });
});

describe('events', () => {
  it('a throwing onEvent handler is reported as a warning and changes nothing', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const net = scripted(status(503), status(200));
    const { client } = harness(net.fetch, {
      onEvent: () => {
        throw new Error('handler bug');
      },
    });
    expect((await client('/x')).status).toBe(200);
    expect(warn).toHaveBeenCalledWith('@tollgate/client: onEvent handler threw: Error');
  });

  it('events carry the origin and path, never the query', async () => {
    const net = scripted(status(503), status(200));
    const { client, events } = harness(net.fetch);
    await client('/v1/search?email=ada%40example.com&api_key=oops');
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) if ('url' in e) expect(e.url).toBe(`${BASE}/v1/search`);
  });
});

describe('cache', () => {
  it('caches only GETs to the base origin', async () => {
    const fresh = () => new Response('x', { headers: { 'Cache-Control': 'max-age=60' } });
    const net = scripted(fresh);
    const { client } = harness(net.fetch, { cache: true });
    await client('/a', { method: 'POST' });
    await client('/a', { method: 'POST' });
    await client('https://cdn.example.net/a');
    await client('https://cdn.example.net/a');
    await client('/a');
    await client('/a');
    expect(net.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      `POST ${BASE}/a`,
      `POST ${BASE}/a`,
      'GET https://cdn.example.net/a',
      'GET https://cdn.example.net/a',
      `GET ${BASE}/a`,
    ]);
  });

  it("'reload' skips reading the cache but refreshes it", async () => {
    let n = 0;
    const net = scripted(() => new Response(String(++n), { headers: { 'Cache-Control': 'max-age=60' } }));
    const { client } = harness(net.fetch, { cache: true });
    expect(await (await client('/a')).text()).toBe('1');
    expect(await (await client('/a', { cache: 'reload' } as RequestInit)).text()).toBe('2');
    expect(await (await client('/a')).text()).toBe('2');
  });
});
