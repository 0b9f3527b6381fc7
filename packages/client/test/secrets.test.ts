// No key or token ever appears in an event, an error (message, stack, cause chain) or a log line, on any path.

import * as util from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ClientEvent, type ClientOptions, createClient } from '../src/index.js';
import { type ApiServer, CONSUMER_KEY, startApiServer } from './support/api-server.js';

const NOON = Date.UTC(2026, 10, 23, 12);
const WRONG_KEY = 'sk_test_wrong_8c7d6e5f4a';
const BAD_TOKEN_SECRET = 'tok_leaky_0f1e2d3c4b';

const events: ClientEvent[] = [];
const errors: unknown[] = [];
const logged: unknown[][] = [];
const closers: (() => Promise<void>)[] = [];
const clock = { t: NOON };
const servers: ApiServer[] = [];

const deps = {
  now: () => clock.t,
  sleep: async (ms: number) => {
    clock.t += ms;
  },
  onEvent: (e: ClientEvent) => events.push(e),
  allowInsecureLoopback: true,
} satisfies Partial<ClientOptions>;

async function api(options: Partial<Parameters<typeof startApiServer>[0]> = {}): Promise<ApiServer> {
  const s = await startApiServer({ now: deps.now, ...options });
  closers.push(s.close);
  servers.push(s);
  return s;
}

const capture = async (run: () => Promise<unknown>) => {
  try {
    const res = await run();
    if (res instanceof Response) await res.text();
  } catch (e) {
    errors.push(e);
  }
};

function provider(): ClientOptions['tokenProvider'] {
  return async ({ fetch }) => {
    const res = await fetch('/authenticate', { method: 'POST', headers: { 'X-Api-Key': CONSUMER_KEY } });
    if (!res.ok) throw new Error(`authenticate answered ${res.status}`);
    return (await res.json()) as { token: string };
  };
}

beforeAll(() => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });
  }
  vi.spyOn(process, 'emitWarning').mockImplementation((...args: unknown[]) => {
    logged.push(args);
  });
});

afterAll(async () => {
  vi.restoreAllMocks();
  for (const close of closers) await close();
});

describe('credentials never leak', () => {
  it('through every path: success, cache, 401, refresh, refresh failure, 429, 503, network error, redirects', async () => {
    // API key: success and cache hits, a daily-cap refusal, the store failing, a wrong key.
    const keyed = await api({ perIpDailyLimit: 4 });
    const client = createClient({ baseUrl: keyed.base, apiKey: CONSUMER_KEY, cache: true, ...deps });
    await capture(() => client('/v1/cached?q=1'));
    await capture(() => client('/v1/cached?q=1'));
    await capture(() => client('/v1/lookup'));
    keyed.storeFailures = 10;
    await capture(() => client('/v1/lookup'));
    keyed.storeFailures = 0;
    await capture(() => client('/v1/lookup'));
    await capture(() => client('/v1/lookup')); // the per-IP cap: RateLimitedError
    await capture(() => client('/v1/go-insecure')); // InsecureUrlError
    const wrong = createClient({ baseUrl: keyed.base, apiKey: WRONG_KEY, ...deps });
    await capture(() => wrong('/v1/lookup'));

    // Tokens: issue, proactive refresh, invalid_token and its retry, a server rejecting all, provider down.
    const tokened = await api({ tokenForm: 'jwt', tokenLifetimeSeconds: 600 });
    const tc = createClient({
      baseUrl: tokened.base,
      tokenProvider: provider(),
      ...deps,
      tokenRefreshMarginMs: 60_000,
    });
    await capture(() => tc('/v1/lookup'));
    clock.t += 550_000;
    await capture(() => tc('/v1/lookup'));
    tokened.revokeTokens();
    await capture(() => tc('/v1/lookup'));
    tokened.rejectAllTokens = true;
    await capture(() => tc('/v1/lookup'));
    tokened.rejectAllTokens = false;
    clock.t += 590_000;
    tokened.authenticateFailure = 503;
    await capture(() => tc('/v1/lookup'));
    clock.t += 20_000;
    await capture(() => tc('/v1/lookup'));
    tokened.authenticateFailure = undefined;

    // A provider that hands over a malformed token holding a secret.
    const leaky = createClient({
      baseUrl: tokened.base,
      tokenProvider: () => ({ access_token: `${BAD_TOKEN_SECRET}\r\nX-Evil: 1` }),
      ...deps,
    });
    await capture(() => leaky('/v1/lookup'));

    // Network errors, with a key and with a token.
    const gone = await api();
    await gone.close();
    const offline = createClient({ baseUrl: gone.base, apiKey: CONSUMER_KEY, ...deps });
    await capture(() => offline('/v1/lookup'));
    const offlineToken = createClient({ baseUrl: gone.base, tokenProvider: provider(), ...deps });
    await capture(() => offlineToken('/v1/lookup'));

    // Options refused, with the key in them, and a throwing event handler.
    for (const bad of [
      { baseUrl: keyed.base, apiKey: `${CONSUMER_KEY}\n`, allowInsecureLoopback: true },
      { baseUrl: `http://example.com/?k=${CONSUMER_KEY}`, apiKey: CONSUMER_KEY },
      { baseUrl: `https://u:${CONSUMER_KEY}@example.com`, apiKey: CONSUMER_KEY },
      {
        baseUrl: keyed.base,
        apiKey: CONSUMER_KEY,
        tokenProvider: () => CONSUMER_KEY,
        allowInsecureLoopback: true,
      },
    ]) {
      await capture(async () => createClient(bad as ClientOptions));
    }
    const noisy = createClient({
      baseUrl: tokened.base,
      tokenProvider: provider(),
      ...deps,
      onEvent: () => {
        throw new Error('handler bug');
      },
    });
    await capture(() => noisy('/v1/lookup'));

    const issued = servers.flatMap((s) => s.issued);
    const secrets = [CONSUMER_KEY, WRONG_KEY, BAD_TOKEN_SECRET, ...issued];
    expect(issued.length).toBeGreaterThanOrEqual(4);

    // Every path above ran: each kind of event and error is here to be searched.
    const types = new Set(events.map((e) => e.type));
    for (const t of [
      'rate_limited',
      'backoff',
      'retry',
      'retry_exhausted',
      'token_refreshed',
      'token_refresh_failed',
      'cache_hit',
    ]) {
      expect(types).toContain(t);
    }
    const codes = new Set(errors.map((e) => (e as { code?: string }).code ?? (e as Error).name));
    for (const c of [
      'ERR_TOLLGATE_CLIENT_RATE_LIMITED',
      'ERR_TOLLGATE_CLIENT_INSECURE_URL',
      'ERR_TOLLGATE_CLIENT_TOKEN_REFRESH_FAILED',
      'ERR_TOLLGATE_CLIENT_INVALID_OPTIONS',
      'TypeError',
    ]) {
      expect(codes).toContain(c);
    }
    expect(logged.length).toBeGreaterThan(0);

    const haystack = [
      JSON.stringify(events),
      util.inspect(events, { depth: 10 }),
      ...errors.flatMap((e) => [String(e), (e as Error).stack ?? '', util.inspect(e, { depth: 10 })]),
      ...logged.map((args) => util.inspect(args, { depth: 10 })),
    ].join('\n');
    // The search reaches into cause chains: the provider's own error is in there.
    expect(haystack).toContain('authenticate answered 503');
    for (const secret of secrets) {
      expect(haystack).not.toContain(secret);
      expect(haystack).not.toContain(secret.slice(-12));
    }
  });
});
