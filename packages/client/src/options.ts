// Public client options and their one parser: defaults filled in, unknown keys refused, the bad option named.

import { InvalidOptionsError } from './errors.js';
import type { ClientEvent } from './events.js';
import { assertSecureUrl } from './secure-url.js';
import { sleep as defaultSleep } from './sleep.js';

/** The signature of `fetch`: what `createClient` returns and what its `fetch` option takes. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * What a token provider returns: a JWT string (expiry read from its `exp` claim), or an object
 * with the token in `access_token` (OAuth 2.0 form) or `token`, and its lifetime as `expires_in`
 * seconds or `expiresAt` (epoch ms or Date). With no expiry at all, `defaultTokenLifetimeMs` applies.
 */
export type TokenGrant =
  | string
  | {
      access_token?: string | undefined;
      token?: string | undefined;
      expires_in?: number | string | undefined;
      expiresAt?: number | Date | undefined;
    };

/** What the client hands a token provider. */
export interface TokenProviderContext {
  /**
   * A `fetch` bound to the client's base URL and held to its HTTPS and redirect rules, without
   * the client's credentials, retries or cache: for calling the provider's `/authenticate`.
   */
  fetch: FetchLike;
}

/**
 * Fetches a new token. Called once at the first request, then ahead of each expiry and after a
 * 401 `invalid_token`; never twice at the same time.
 *
 * @example
 * const tokenProvider: TokenProvider = async ({ fetch }) => {
 *   const res = await fetch('/authenticate', { method: 'POST', headers: { 'X-Api-Key': process.env.API_KEY! } });
 *   if (!res.ok) throw new Error(`authenticate answered ${res.status}`);
 *   return res.json(); // { access_token, expires_in }
 * };
 */
export type TokenProvider = (context: TokenProviderContext) => TokenGrant | Promise<TokenGrant>;

/** When and how often to retry. Every field is optional. */
export interface RetryOptions {
  /** Attempts in all, the first included; 1 turns retries off. Default: 4. */
  maxAttempts?: number | undefined;
  /** Cap of the first backoff wait; each later cap doubles. Default: 500 ms. */
  baseDelayMs?: number | undefined;
  /** Largest backoff cap (waits the server asks for are not cut to this). Default: 20 000 ms. */
  maxDelayMs?: number | undefined;
  /** No retry starts once this much time has passed since the first attempt. Default: 120 000 ms. */
  maxElapsedMs?: number | undefined;
  /**
   * A 429 asking for a longer wait than this (a daily cap resetting hours from now) throws
   * `RateLimitedError` at once instead of waiting. Default: 60 000 ms.
   */
  maxRetryWaitMs?: number | undefined;
  /**
   * Retry POST, PATCH and other non-idempotent requests even without an `Idempotency-Key`
   * header. Only safe if the API deduplicates them some other way. Default: false.
   */
  retryNonIdempotent?: boolean | undefined;
}

/** The encrypted response cache for GET. Every field is optional. */
export interface CacheOptions {
  /** Most responses kept. Default: 500. */
  maxEntries?: number | undefined;
  /** Most bytes kept, all entries together (encrypted size). Default: 16 MiB. */
  maxBytes?: number | undefined;
  /** Larger responses are not cached. Default: 1 MiB. */
  maxEntryBytes?: number | undefined;
}

/**
 * Options of `createClient`. Exactly one of `apiKey` and `tokenProvider` is required, with `baseUrl`.
 *
 * @example
 * createClient({ baseUrl: 'https://api.example.com/v1', apiKey: process.env.API_KEY!, cache: true });
 */
export interface ClientOptions {
  /** Where the API lives. HTTPS, or http on a loopback address with `allowInsecureLoopback`. Required. */
  baseUrl: string | URL;
  /** The API key, sent in the `apiKeyHeader` header to the base URL's origin only. */
  apiKey?: string | undefined;
  /** Header the API key goes in. Default: `X-Api-Key`. */
  apiKeyHeader?: string | undefined;
  /** Fetches short-lived tokens, sent as `Authorization: Bearer <token>` to the base URL's origin only. */
  tokenProvider?: TokenProvider | undefined;
  /** Refresh a token this long before it expires (at most half its lifetime). Default: 300 000 ms (5 min). */
  tokenRefreshMarginMs?: number | undefined;
  /** Lifetime assumed for a token that states none. Default: 3 600 000 ms (1 h). */
  defaultTokenLifetimeMs?: number | undefined;
  /** Allow plain `http://` to loopback addresses (localhost, 127.0.0.0/8, ::1), for local development. Default: false. */
  allowInsecureLoopback?: boolean | undefined;
  /** Redirects followed per request (each checked for HTTPS); 0 refuses all. Default: 5. */
  maxRedirects?: number | undefined;
  /** Retry settings, or `false` for a single attempt. Default: the `RetryOptions` defaults. */
  retry?: RetryOptions | false | undefined;
  /** Cache GET responses (encrypted, TTL from `Cache-Control: max-age`): `true` or settings. Default: off. */
  cache?: CacheOptions | boolean | undefined;
  /** Receives every `ClientEvent`; called synchronously, and a throw in it is reported, not passed on. Default: none. */
  onEvent?: ((event: ClientEvent) => void) | undefined;
  /** The `fetch` to send requests with. Default: `globalThis.fetch`. */
  fetch?: FetchLike | undefined;
  /** The clock, in epoch ms: token expiry, `Retry-After` dates, cache age, the retry time budget. Default: `Date.now`. */
  now?: (() => number) | undefined;
  /** Waits between retries; rejects when the signal aborts. Default: a `setTimeout` timer. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Jitter source in [0, 1). Default: `Math.random`. */
  random?: (() => number) | undefined;
}

/** ClientOptions with every default applied. */
export interface ClientConfig {
  readonly baseUrl: URL;
  readonly credential:
    | { readonly kind: 'apiKey'; readonly header: string; readonly key: string }
    | {
        readonly kind: 'token';
        readonly provider: TokenProvider;
        readonly refreshMarginMs: number;
        readonly defaultLifetimeMs: number;
      };
  readonly allowInsecureLoopback: boolean;
  readonly maxRedirects: number;
  readonly retry: Required<{ [K in keyof RetryOptions]: Exclude<RetryOptions[K], undefined> }>;
  readonly cache: Required<{ [K in keyof CacheOptions]: Exclude<CacheOptions[K], undefined> }> | undefined;
  readonly onEvent: ((event: ClientEvent) => void) | undefined;
  readonly fetch: FetchLike;
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
}

const KNOWN = new Set([
  'baseUrl',
  'apiKey',
  'apiKeyHeader',
  'tokenProvider',
  'tokenRefreshMarginMs',
  'defaultTokenLifetimeMs',
  'allowInsecureLoopback',
  'maxRedirects',
  'retry',
  'cache',
  'onEvent',
  'fetch',
  'now',
  'sleep',
  'random',
]);
const RETRY_DEFAULTS: ClientConfig['retry'] = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxElapsedMs: 120_000,
  maxRetryWaitMs: 60_000,
  retryNonIdempotent: false,
};
const CACHE_DEFAULTS: NonNullable<ClientConfig['cache']> = {
  maxEntries: 500,
  maxBytes: 16 * 1024 * 1024,
  maxEntryBytes: 1024 * 1024,
};
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Keys travel in a header: visible ASCII only. Checked here so a bad key fails at setup with a
// message naming the option, not later in Headers with a message quoting the value.
const KEY_MATERIAL = /^[\x21-\x7e]+$/;

/** Validates options and fills in defaults. Throws `InvalidOptionsError` (or `InsecureUrlError` for `baseUrl`). */
export function parseOptions(options: unknown): ClientConfig {
  const o = record(options, 'options', 'an object with baseUrl and apiKey or tokenProvider');
  unknownKeys(o, KNOWN, 'options');

  const baseUrl = parseBaseUrl(o.baseUrl);
  const allowInsecureLoopback = bool(o.allowInsecureLoopback, 'options.allowInsecureLoopback', false);
  assertSecureUrl(baseUrl, allowInsecureLoopback, 'options.baseUrl');

  return {
    baseUrl,
    credential: parseCredential(o),
    allowInsecureLoopback,
    maxRedirects: int(o.maxRedirects, 'options.maxRedirects', 5, 0, 20),
    retry: parseRetry(o.retry),
    cache: parseCache(o.cache),
    onEvent: fn(o.onEvent, 'options.onEvent') as ClientConfig['onEvent'],
    fetch: parseFetch(o.fetch),
    now: (fn(o.now, 'options.now') as (() => number) | undefined) ?? Date.now,
    sleep: (fn(o.sleep, 'options.sleep') as ClientConfig['sleep'] | undefined) ?? defaultSleep,
    random: (fn(o.random, 'options.random') as (() => number) | undefined) ?? Math.random,
  };
}

function parseBaseUrl(value: unknown): URL {
  if (value === undefined) throw invalid('options.baseUrl: is required');
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw invalid('options.baseUrl: expected a URL string or a URL');
  }
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw invalid('options.baseUrl: not an absolute URL');
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalid('options.baseUrl: must not have a query or fragment (put the key in apiKey, not the URL)');
  }
  return url;
}

function parseCredential(o: Record<string, unknown>): ClientConfig['credential'] {
  const hasKey = o.apiKey !== undefined;
  const hasProvider = o.tokenProvider !== undefined;
  if (hasKey === hasProvider) {
    throw invalid(
      hasKey
        ? 'options: give apiKey or tokenProvider, not both'
        : 'options: one of apiKey and tokenProvider is required',
    );
  }
  if (hasKey) {
    for (const name of ['tokenRefreshMarginMs', 'defaultTokenLifetimeMs']) {
      if (o[name] !== undefined) throw invalid(`options.${name}: only applies with tokenProvider`);
    }
    if (typeof o.apiKey !== 'string' || o.apiKey.length > 4096 || !KEY_MATERIAL.test(o.apiKey)) {
      // The value is never quoted: it is a credential.
      throw invalid('options.apiKey: expected a string of visible ASCII characters (at most 4096)');
    }
    const header = o.apiKeyHeader ?? 'X-Api-Key';
    if (typeof header !== 'string' || !HEADER_NAME.test(header)) {
      throw invalid('options.apiKeyHeader: expected an HTTP header name');
    }
    return { kind: 'apiKey', header, key: o.apiKey };
  }
  if (typeof o.tokenProvider !== 'function') throw invalid('options.tokenProvider: expected a function');
  if (o.apiKeyHeader !== undefined) throw invalid('options.apiKeyHeader: only applies with apiKey');
  return {
    kind: 'token',
    provider: o.tokenProvider as TokenProvider,
    refreshMarginMs: num(o.tokenRefreshMarginMs, 'options.tokenRefreshMarginMs', 300_000, 0),
    defaultLifetimeMs: num(o.defaultTokenLifetimeMs, 'options.defaultTokenLifetimeMs', 3_600_000, 1),
  };
}

function parseRetry(value: unknown): ClientConfig['retry'] {
  if (value === false) return { ...RETRY_DEFAULTS, maxAttempts: 1 };
  if (value === undefined) return RETRY_DEFAULTS;
  const r = record(value, 'options.retry', 'an object or false');
  unknownKeys(r, new Set(Object.keys(RETRY_DEFAULTS)), 'options.retry');
  const d = RETRY_DEFAULTS;
  const config = {
    maxAttempts: int(r.maxAttempts, 'options.retry.maxAttempts', d.maxAttempts, 1, 100),
    baseDelayMs: num(r.baseDelayMs, 'options.retry.baseDelayMs', d.baseDelayMs, 0),
    maxDelayMs: num(r.maxDelayMs, 'options.retry.maxDelayMs', d.maxDelayMs, 0),
    maxElapsedMs: num(r.maxElapsedMs, 'options.retry.maxElapsedMs', d.maxElapsedMs, 0),
    maxRetryWaitMs: num(r.maxRetryWaitMs, 'options.retry.maxRetryWaitMs', d.maxRetryWaitMs, 0),
    retryNonIdempotent: bool(r.retryNonIdempotent, 'options.retry.retryNonIdempotent', d.retryNonIdempotent),
  };
  if (config.maxDelayMs < config.baseDelayMs) {
    throw invalid('options.retry.maxDelayMs: must not be less than retry.baseDelayMs');
  }
  return config;
}

function parseCache(value: unknown): ClientConfig['cache'] {
  if (value === undefined || value === false) return undefined;
  const c = value === true ? {} : record(value, 'options.cache', 'true, false or an object');
  unknownKeys(c, new Set(Object.keys(CACHE_DEFAULTS)), 'options.cache');
  // The cache encrypts with WebCrypto; without it there is no cache rather than a plaintext one.
  if (typeof globalThis.crypto?.subtle?.encrypt !== 'function') {
    throw invalid('options.cache: needs WebCrypto (globalThis.crypto.subtle) to encrypt cached responses');
  }
  const d = CACHE_DEFAULTS;
  const max = Number.MAX_SAFE_INTEGER;
  return {
    maxEntries: int(c.maxEntries, 'options.cache.maxEntries', d.maxEntries, 1, max),
    maxBytes: int(c.maxBytes, 'options.cache.maxBytes', d.maxBytes, 1, max),
    maxEntryBytes: int(c.maxEntryBytes, 'options.cache.maxEntryBytes', d.maxEntryBytes, 1, max),
  };
}

function parseFetch(value: unknown): FetchLike {
  if (value !== undefined) return fn(value, 'options.fetch') as FetchLike;
  if (typeof globalThis.fetch !== 'function') {
    throw invalid('options.fetch: this runtime has no global fetch; pass one');
  }
  // Bound lazily so a fetch installed (or mocked) after createClient is still the one used.
  return (input, init) => globalThis.fetch(input, init);
}

function record(value: unknown, name: string, expected: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`${name}: expected ${expected}`);
  }
  return value as Record<string, unknown>;
}

function unknownKeys(o: Record<string, unknown>, known: ReadonlySet<string>, prefix: string): void {
  for (const name of Object.keys(o)) {
    if (!known.has(name)) throw invalid(`${prefix}.${name}: unknown option`);
  }
}

function num(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw invalid(`${name}: expected a finite number of at least ${min}`);
  }
  return value;
}

function int(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function bool(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(`${name}: expected true or false`);
  return value;
}

function fn(value: unknown, name: string): ((...args: never[]) => unknown) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalid(`${name}: expected a function`);
  return value as (...args: never[]) => unknown;
}

function invalid(message: string): InvalidOptionsError {
  return new InvalidOptionsError(message);
}
