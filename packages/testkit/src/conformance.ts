// The cross-framework conformance suite: one table of HTTP cases, run against a real server of every adapter.

import type { EngineOptions, FailureMode, Store, TollgateEvent } from '@tollgate/core';
import type { AdapterSettings, PreflightMode } from '@tollgate/core/adapter';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_KEY, type ExampleCaps, examplePolicy, NOON_UTC, OPEN_KEY, WEB_KEY } from './fixtures.js';
import { type RawRequest, request } from './http.js';

/** What a framework's test harness is asked to build. */
export interface HarnessOptions {
  /** Pass these to the adapter as they are (they include `onEvent`, a fixed clock and `preflight`). */
  readonly tollgate: EngineOptions & AdapterSettings;
  /**
   * The app's trust-proxy setting: when true, `X-Forwarded-For` from a loopback peer is
   * believed; when false, no peer is trusted.
   */
  readonly trustProxy: boolean;
}

/** Counts the harness keeps so the suite can tell what ran. */
export interface RunCounters {
  /** Runs of the `/lookup` handler (any method). */
  route: number;
  /** Runs of the app's own error handler. */
  errors: number;
}

/**
 * A running app over a real socket. It must serve, behind the adapter:
 * - `/lookup`, for every method (`OPTIONS` too, as `app.all`, `app.use` or a Koa catch-all do):
 *   200 JSON `{ ok: true, keyId, apiKey }`, keyId read from the decision the adapter exposes and
 *   apiKey the `api_key` query parameter as the framework's own query parser reads it. A
 *   handler that serves data to any method is what makes an unchecked preflight visible;
 * - `GET /boom`: a handler that throws `new Error('boom')` into the framework's error handling;
 * - an error handler that counts its runs and answers 500.
 */
export interface RunningApp {
  readonly base: string;
  readonly counters: RunCounters;
  close(): Promise<void>;
}

export type StartApp = (options: HarnessOptions) => Promise<RunningApp>;

/** A header's expected value; `null` means the header must be absent. */
type HeaderExpectation = string | RegExp | null;

interface Step extends RawRequest {
  readonly path?: string;
  readonly expect: {
    readonly status: number;
    /** The problem body's `code` (refusals), checked on requests with a body. */
    readonly code?: string;
    /** Partial match of the JSON body. */
    readonly body?: Record<string, unknown>;
    /** The body exactly, as text (`''` for none). */
    readonly text?: string;
    readonly headers?: Readonly<Record<string, HeaderExpectation>>;
    /** Partial matches of exactly the events this request emitted, in order. */
    readonly events?: readonly Record<string, unknown>[];
  };
}

interface Case {
  readonly name: string;
  readonly caps?: ExampleCaps;
  readonly trustProxy?: boolean;
  /** Turn `requireHttps` on (the servers listen on plain HTTP; a trusted proxy may vouch for HTTPS). */
  readonly requireHttps?: boolean;
  /** Replace the store with one whose server is gone, decided by this failure mode. */
  readonly deadStore?: FailureMode;
  /** The adapter's `preflight` setting; default: not given (`'answer'`). */
  readonly preflight?: PreflightMode;
  /** Configure bearer tokens (an HS256 secret), so 401s challenge for Bearer too. */
  readonly tokens?: boolean;
  readonly steps: readonly Step[];
  /** Runs of the `/lookup` handler over the whole case: refusals must not reach it. */
  readonly routeRuns: number;
  /** Runs of the app's error handler; policy refusals never reach it. Default 0. */
  readonly errorRuns?: number;
}

const PROBLEM = /^application\/problem\+json(;|$)/;
const WEB_ORIGIN: [string, string] = ['Origin', 'https://shop.example.com'];
const web = (...more: [string, string][]): [string, string][] => [
  ['X-Api-Key', WEB_KEY],
  WEB_ORIGIN,
  ...more,
];
const backend = (...more: [string, string][]): [string, string][] => [['X-Api-Key', BACKEND_KEY], ...more];
const NO_LIMIT_HEADERS = { ratelimit: null, 'ratelimit-policy': null, 'retry-after': null };
const PREFLIGHT: [string, string][] = [WEB_ORIGIN, ['Access-Control-Request-Method', 'GET']];
/** The challenge of every 401 (RFC 9110): the key header, and Bearer when tokens are configured. */
const KEY_CHALLENGE = 'ApiKey header="X-Api-Key"';
const TOKEN_SECRET = 'conformance-token-secret-of-32-bytes-or-more';

/**
 * Every case, once. At NOON_UTC the London key has 12 h (43200 s) to its reset and the
 * New York key 17 h (61200 s).
 */
export const CONFORMANCE_CASES: readonly Case[] = [
  {
    name: '401 missing_key as problem+json, no RateLimit headers, an auth_failure event',
    steps: [
      {
        expect: {
          status: 401,
          code: 'missing_key',
          body: { type: 'urn:tollgate:problem:missing_key', status: 401 },
          headers: { 'content-type': PROBLEM, 'www-authenticate': KEY_CHALLENGE, ...NO_LIMIT_HEADERS },
          events: [{ type: 'auth_failure', code: 'missing_key', status: 401, ip: '127.0.0.1' }],
        },
      },
    ],
    routeRuns: 0,
  },
  {
    name: '401 unknown_key; neither the body nor the event echoes the key',
    steps: [
      {
        headers: [['X-Api-Key', 'pk_live_stolen_999999']],
        expect: {
          status: 401,
          code: 'unknown_key',
          headers: { 'www-authenticate': KEY_CHALLENGE },
          events: [{ type: 'auth_failure', code: 'unknown_key' }],
        },
      },
    ],
    routeRuns: 0,
  },
  {
    name: '401 ambiguous_key when the header and the query carry different keys',
    steps: [
      {
        path: `/lookup?api_key=${OPEN_KEY}`,
        headers: [['X-Api-Key', WEB_KEY]],
        expect: { status: 401, code: 'ambiguous_key', headers: { 'www-authenticate': KEY_CHALLENGE } },
      },
    ],
    routeRuns: 0,
  },
  {
    name: '401 ambiguous_key whatever spelling of api_key a query parser would read: escapes, qs brackets, after #',
    steps: [
      `/lookup?api%5Fkey=${OPEN_KEY}`,
      `/lookup?%61pi_key=${OPEN_KEY}`,
      `/lookup?q=1&api%5fkey=${OPEN_KEY}`,
      `/lookup?api_key[]=${OPEN_KEY}`,
      `/lookup?api_key[0]=${OPEN_KEY}`,
      `/lookup?api_key%5B%5D=${OPEN_KEY}`,
      `/lookup#api_key=${OPEN_KEY}`,
      `/lookup?x=1#&api_key=${OPEN_KEY}`,
    ].map((path) => ({
      path,
      headers: web(),
      expect: {
        status: 401,
        code: 'ambiguous_key',
        events: [{ type: 'auth_failure', code: 'ambiguous_key' }],
      },
    })),
    routeRuns: 0,
  },
  {
    name: 'an escaped api_key name is the key the app reads too',
    steps: [
      {
        path: `/lookup?api%5Fkey=${encodeURIComponent(WEB_KEY)}`,
        headers: [WEB_ORIGIN],
        expect: { status: 200, body: { ok: true, keyId: 'shop-web', apiKey: WEB_KEY } },
      },
    ],
    routeRuns: 1,
  },
  {
    name: '200 with the key in the query: RateLimit headers, the limited IP echoed, decision exposed to the route',
    steps: [
      {
        path: `/lookup?q=1&api_key=${encodeURIComponent(WEB_KEY)}`,
        headers: [WEB_ORIGIN],
        expect: {
          status: 200,
          body: { ok: true, keyId: 'shop-web' },
          headers: {
            'ratelimit-policy': '"ip-daily";q=3;w=86400, "daily";q=10;w=86400',
            ratelimit: '"ip-daily";r=2;t=43200, "daily";r=9;t=43200',
            'x-source-ip': '127.0.0.1',
            'retry-after': null,
          },
          events: [],
        },
      },
    ],
    routeRuns: 1,
  },
  {
    name: '403 origin_required without Origin or Referer; 403 origin_not_allowed for lookalike hosts',
    steps: [
      {
        headers: [['X-Api-Key', WEB_KEY]],
        expect: {
          status: 403,
          code: 'origin_required',
          headers: { 'content-type': PROBLEM, 'www-authenticate': null, ...NO_LIMIT_HEADERS },
          events: [{ type: 'refused', code: 'origin_required', status: 403, keyId: 'shop-web' }],
        },
      },
      {
        headers: [
          ['X-Api-Key', WEB_KEY],
          ['Origin', 'https://shop.example.com.evil.net'],
          ['Referer', 'https://evilexample.org/checkout'],
        ],
        expect: {
          status: 403,
          code: 'origin_not_allowed',
          events: [{ type: 'refused', code: 'origin_not_allowed', keyId: 'shop-web' }],
        },
      },
    ],
    routeRuns: 0,
  },
  {
    name: 'a Referer from a subdomain under a schemeless pattern is admitted',
    steps: [
      {
        headers: [
          ['X-Api-Key', WEB_KEY],
          ['Referer', 'https://app.example.org/checkout/step-2?x=1'],
        ],
        expect: { status: 200, body: { keyId: 'shop-web' } },
      },
    ],
    routeRuns: 1,
  },
  {
    name: '400 invalid_source_ip for a malformed or repeated forwarding header',
    steps: [
      {
        headers: backend(['X-Source-IP', '1.2.3.4, 5.6.7.8']),
        expect: {
          status: 400,
          code: 'invalid_source_ip',
          headers: { 'content-type': PROBLEM, 'x-source-ip': null },
          events: [{ type: 'refused', code: 'invalid_source_ip', status: 400, keyId: 'shop-backend' }],
        },
      },
      {
        headers: backend(['X-Source-IP', '1.2.3.4'], ['X-Source-IP', '5.6.7.8']),
        expect: { status: 400, code: 'invalid_source_ip' },
      },
    ],
    routeRuns: 0,
  },
  {
    name: 'a forwarding key is limited by the forwarded IP, normalised and echoed',
    steps: [
      {
        headers: backend(['X-Source-IP', '::ffff:198.51.100.7']),
        expect: {
          status: 200,
          headers: {
            'x-source-ip': '198.51.100.7',
            ratelimit: '"ip-daily";r=1;t=61200, "daily";r=19;t=61200',
          },
        },
      },
      {
        headers: backend(['X-Source-IP', '2001:db8:1:2::99']),
        expect: { status: 200, headers: { 'x-source-ip': '2001:db8:1:2::/64' } },
      },
    ],
    routeRuns: 2,
  },
  {
    name: 'a key without forwarding ignores the forwarding header, even a malformed one',
    steps: [
      {
        headers: web(['X-Source-IP', 'not-an-ip']),
        expect: { status: 200, headers: { 'x-source-ip': '127.0.0.1' } },
      },
    ],
    routeRuns: 1,
  },
  {
    name: '429 ip_daily_limit at the per-IP cap with Retry-After; another address still has room',
    caps: { webPerIp: 2 },
    steps: [
      { headers: web(), expect: { status: 200 } },
      {
        headers: web(),
        expect: { status: 200, headers: { ratelimit: '"ip-daily";r=0;t=43200, "daily";r=8;t=43200' } },
      },
      {
        headers: web(),
        expect: {
          status: 429,
          code: 'ip_daily_limit',
          headers: {
            'content-type': PROBLEM,
            'retry-after': '43200',
            ratelimit: '"ip-daily";r=0;t=43200, "daily";r=8;t=43200',
            'x-source-ip': '127.0.0.1',
          },
          events: [{ type: 'refused', code: 'ip_daily_limit', status: 429, ip: '127.0.0.1' }],
        },
      },
      {
        headers: web(),
        localAddress: '127.0.0.2',
        expect: { status: 200, headers: { 'x-source-ip': '127.0.0.2' } },
      },
    ],
    routeRuns: 3,
  },
  {
    name: '429 daily_limit at the key cap; threshold events fire once each',
    caps: { backendDaily: 3 },
    steps: [
      { headers: backend(['X-Source-IP', '10.0.0.1']), expect: { status: 200, events: [] } },
      { headers: backend(['X-Source-IP', '10.0.0.2']), expect: { status: 200, events: [] } },
      {
        headers: backend(['X-Source-IP', '10.0.0.3']),
        expect: {
          status: 200,
          events: [
            {
              type: 'threshold',
              keyId: 'shop-backend',
              threshold: 0.9,
              count: 3,
              limit: 3,
              day: '2026-11-23',
            },
            { type: 'threshold', keyId: 'shop-backend', threshold: 1, count: 3, limit: 3 },
          ],
        },
      },
      {
        headers: backend(['X-Source-IP', '10.0.0.4']),
        expect: {
          status: 429,
          code: 'daily_limit',
          headers: { 'retry-after': '61200', 'x-source-ip': '10.0.0.4' },
          events: [{ type: 'refused', code: 'daily_limit', ip: '10.0.0.4' }],
        },
      },
    ],
    routeRuns: 3,
  },
  {
    name: 'HEAD is checked and charged like GET',
    steps: [
      { method: 'HEAD', headers: web(), expect: { status: 200, headers: { ratelimit: /"ip-daily";r=2;/ } } },
      { headers: web(), expect: { status: 200, headers: { ratelimit: /"ip-daily";r=1;/ } } },
      {
        method: 'HEAD',
        expect: { status: 401, headers: { 'content-type': PROBLEM, 'www-authenticate': KEY_CHALLENGE } },
      },
    ],
    routeRuns: 2,
  },
  {
    name: 'a CORS preflight is answered 204 by the adapter, uncharged, and never reaches the handler; a plain OPTIONS needs a key',
    steps: [
      {
        method: 'OPTIONS',
        headers: PREFLIGHT,
        expect: {
          status: 204,
          // No body (and no problem type; @hono/node-server labels even an empty body text/plain).
          text: '',
          headers: { 'www-authenticate': null, ...NO_LIMIT_HEADERS },
          events: [],
        },
      },
      { method: 'OPTIONS', expect: { status: 401, code: 'missing_key' } },
      { headers: web(), expect: { status: 200, headers: { ratelimit: /"ip-daily";r=2;.*"daily";r=9;/ } } },
    ],
    routeRuns: 1,
  },
  {
    name: 'a preflight is answered before every check (requireHttps, an unknown key), still without the handler',
    requireHttps: true,
    steps: [
      { method: 'OPTIONS', headers: PREFLIGHT, expect: { status: 204, text: '', events: [] } },
      {
        method: 'OPTIONS',
        headers: [...PREFLIGHT, ['X-Api-Key', 'pk_live_stolen_999999']],
        expect: { status: 204, text: '', events: [] },
      },
    ],
    routeRuns: 0,
  },
  {
    name: "with preflight: 'next' a preflight goes on, unchecked and uncharged, to a handler that answers every method",
    preflight: 'next',
    steps: [
      {
        method: 'OPTIONS',
        headers: PREFLIGHT,
        expect: { status: 200, body: { ok: true }, headers: NO_LIMIT_HEADERS, events: [] },
      },
      { method: 'OPTIONS', expect: { status: 401, code: 'missing_key' } },
      { headers: web(), expect: { status: 200, headers: { ratelimit: /"ip-daily";r=2;.*"daily";r=9;/ } } },
    ],
    routeRuns: 2,
  },
  {
    name: 'with tokens configured, every 401 challenges for the key header and Bearer',
    tokens: true,
    steps: [
      {
        expect: {
          status: 401,
          code: 'missing_key',
          headers: { 'www-authenticate': `${KEY_CHALLENGE}, Bearer` },
        },
      },
      {
        headers: [['X-Api-Key', 'pk_live_stolen_999999']],
        expect: {
          status: 401,
          code: 'unknown_key',
          headers: { 'www-authenticate': `${KEY_CHALLENGE}, Bearer` },
        },
      },
      {
        headers: [['Authorization', 'Bearer not.a.jwt']],
        expect: {
          status: 401,
          code: 'invalid_token',
          headers: {
            'www-authenticate':
              /^Bearer error="invalid_token", error_description="[^"]+", ApiKey header="X-Api-Key"$/,
          },
        },
      },
      {
        headers: web(['Authorization', 'Bearer not.a.jwt']),
        expect: {
          status: 401,
          code: 'ambiguous_key',
          headers: { 'www-authenticate': `${KEY_CHALLENGE}, Bearer` },
        },
      },
    ],
    routeRuns: 0,
  },
  {
    name: 'an untrusted peer cannot move the limited IP with X-Forwarded-For',
    trustProxy: false,
    steps: [
      {
        headers: web(['X-Forwarded-For', '203.0.113.50']),
        expect: { status: 200, headers: { 'x-source-ip': '127.0.0.1' } },
      },
    ],
    routeRuns: 1,
  },
  {
    name: 'a trusted proxy sets the limited IP: the entry it appended, not one the client wrote',
    trustProxy: true,
    steps: [
      {
        headers: web(['X-Forwarded-For', '198.51.100.66, 203.0.113.50']),
        expect: { status: 200, headers: { 'x-source-ip': '203.0.113.50' } },
      },
    ],
    routeRuns: 1,
  },
  {
    name: 'requireHttps refuses plain HTTP, and an untrusted peer cannot claim HTTPS with X-Forwarded-Proto',
    requireHttps: true,
    trustProxy: false,
    steps: [
      {
        headers: web(),
        expect: {
          status: 403,
          code: 'https_required',
          headers: { 'content-type': PROBLEM },
          events: [{ type: 'refused', code: 'https_required', status: 403 }],
        },
      },
      { headers: web(['X-Forwarded-Proto', 'https']), expect: { status: 403, code: 'https_required' } },
    ],
    routeRuns: 0,
  },
  {
    name: 'requireHttps believes X-Forwarded-Proto from a trusted TLS-terminating proxy',
    requireHttps: true,
    trustProxy: true,
    steps: [
      { headers: web(['X-Forwarded-Proto', 'https']), expect: { status: 200, body: { keyId: 'shop-web' } } },
      { headers: web(['X-Forwarded-Proto', 'http']), expect: { status: 403, code: 'https_required' } },
    ],
    routeRuns: 1,
  },
  {
    name: 'a dead store, fail-closed: 503 store_unavailable, not an error and not an unhandled rejection',
    deadStore: 'fail-closed',
    steps: [
      {
        headers: web(),
        expect: {
          status: 503,
          code: 'store_unavailable',
          headers: { 'content-type': PROBLEM },
          events: [
            { type: 'store_error', keyId: 'shop-web', failureMode: 'fail-closed' },
            { type: 'refused', code: 'store_unavailable', status: 503 },
          ],
        },
      },
      // A key without caps never asks the store.
      { headers: [['X-Api-Key', OPEN_KEY]], expect: { status: 200, events: [] } },
    ],
    routeRuns: 1,
  },
  {
    name: 'a dead store, fail-open: the request goes through uncounted, with an event',
    deadStore: 'fail-open',
    steps: [
      {
        headers: web(),
        expect: {
          status: 200,
          headers: { ratelimit: null },
          events: [{ type: 'store_error', failureMode: 'fail-open' }],
        },
      },
    ],
    routeRuns: 1,
  },
  {
    name: 'a dead store, fallback: counted locally, caps still enforced in this process',
    deadStore: 'fallback',
    caps: { webPerIp: 1 },
    steps: [
      {
        headers: web(),
        expect: {
          status: 200,
          headers: { ratelimit: '"ip-daily";r=0;t=43200, "daily";r=9;t=43200' },
          events: [{ type: 'store_error', failureMode: 'fallback' }],
        },
      },
      { headers: web(), expect: { status: 429, code: 'ip_daily_limit' } },
    ],
    routeRuns: 1,
  },
  {
    name: "the app's own errors still reach its error handler",
    steps: [{ path: '/boom', headers: [['X-Api-Key', OPEN_KEY]], expect: { status: 500 } }],
    routeRuns: 0,
    errorRuns: 1,
  },
];

/** A store whose server is gone: every consume rejects, as a Redis store does when Redis is down. */
function deadStore(): Store {
  return { consume: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) };
}

/**
 * Registers the conformance suite for one framework adapter.
 *
 * @example
 * conformanceSuite('Koa 3', async ({ tollgate: options, trustProxy }) => { ...start a Koa app... });
 */
export function conformanceSuite(framework: string, start: StartApp): void {
  describe(`conformance: ${framework}`, () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    let running: RunningApp | undefined;
    beforeAll(() => {
      process.on('unhandledRejection', onUnhandled);
    });
    afterAll(() => {
      process.off('unhandledRejection', onUnhandled);
    });
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    it.each(CONFORMANCE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const events: TollgateEvent[] = [];
      const tollgate: EngineOptions & AdapterSettings = {
        policy: examplePolicy(c.caps),
        now: () => NOON_UTC,
        onEvent: (e) => events.push(e),
        // The cases check which address each event names: the operator's opt-in.
        eventIps: true,
        requireHttps: c.requireHttps ?? false,
        ...(c.deadStore === undefined ? {} : { store: deadStore(), failureMode: c.deadStore }),
        ...(c.preflight === undefined ? {} : { preflight: c.preflight }),
        ...(c.tokens === true ? { tokens: { secret: TOKEN_SECRET } } : {}),
      };
      running = await start({ tollgate, trustProxy: c.trustProxy ?? false });
      for (const [i, step] of c.steps.entries()) {
        const seen = events.length;
        const r = await request(running.base, step.path ?? '/lookup', step);
        const where = `step ${i + 1}`;
        expect(r.status, where).toBe(step.expect.status);
        if (step.expect.code !== undefined) expect(r.json, where).toMatchObject({ code: step.expect.code });
        if (step.expect.body !== undefined) expect(r.json, where).toMatchObject(step.expect.body);
        if (step.expect.text !== undefined) expect(r.body, where).toBe(step.expect.text);
        for (const [name, want] of Object.entries(step.expect.headers ?? {})) {
          const got = r.headers[name];
          if (want === null) expect(got, `${where}: ${name}`).toBeUndefined();
          else if (typeof want === 'string') expect(got, `${where}: ${name}`).toBe(want);
          else expect(got, `${where}: ${name}`).toMatch(want);
        }
        if (step.expect.events !== undefined) {
          expect(events.slice(seen), where).toMatchObject(step.expect.events);
        }
      }
      // No event, body or header ever carries a key.
      expect(JSON.stringify(events)).not.toMatch(/pk_live|sk_live/);
      expect(running.counters).toEqual({ route: c.routeRuns, errors: c.errorRuns ?? 0 });
      expect(unhandled).toEqual([]);
    });
  });
}
