// createClient's options: defaults, and bad options refused at setup with the option named and the key never quoted.

import { describe, expect, it } from 'vitest';
import { InsecureUrlError, InvalidOptionsError } from '../src/index.js';
import { parseOptions } from '../src/options.js';

const KEY = 'pk_test_options_9a8b7c';
const base = { baseUrl: 'https://api.example.com/v1', apiKey: KEY };

describe('parseOptions', () => {
  it('fills in the documented defaults', () => {
    const c = parseOptions(base);
    expect(c.credential).toEqual({ kind: 'apiKey', header: 'X-Api-Key', key: KEY });
    expect(c.retry).toEqual({
      maxAttempts: 4,
      baseDelayMs: 500,
      maxDelayMs: 20_000,
      maxElapsedMs: 120_000,
      maxRetryWaitMs: 60_000,
      retryNonIdempotent: false,
    });
    expect(c.cache).toBeUndefined();
    expect(c.maxRedirects).toBe(5);
    expect(c.allowInsecureLoopback).toBe(false);
    expect(parseOptions({ ...base, cache: true }).cache).toEqual({
      maxEntries: 500,
      maxBytes: 16 * 1024 * 1024,
      maxEntryBytes: 1024 * 1024,
    });
    expect(parseOptions({ ...base, retry: false }).retry.maxAttempts).toBe(1);
    const t = parseOptions({ baseUrl: base.baseUrl, tokenProvider: () => 'x' }).credential;
    expect(t).toMatchObject({ kind: 'token', refreshMarginMs: 300_000, defaultLifetimeMs: 3_600_000 });
  });

  it.each<[unknown, string]>([
    [undefined, 'options'],
    [{ apiKey: KEY }, 'options.baseUrl'],
    [{ ...base, baseUrl: 'not a url' }, 'options.baseUrl'],
    [{ ...base, baseUrl: 'https://api.example.com/?api_key=x' }, 'options.baseUrl'],
    [{ baseUrl: base.baseUrl }, 'options: one of apiKey and tokenProvider'],
    [{ ...base, tokenProvider: () => 'x' }, 'options: give apiKey or tokenProvider, not both'],
    [{ ...base, apiKey: '' }, 'options.apiKey'],
    [{ ...base, apiKey: 42 }, 'options.apiKey'],
    [{ ...base, apiKeyHeader: 'X Api Key' }, 'options.apiKeyHeader'],
    [{ ...base, tokenRefreshMarginMs: 5 }, 'options.tokenRefreshMarginMs'],
    [{ baseUrl: base.baseUrl, tokenProvider: 'nope' }, 'options.tokenProvider'],
    [
      { baseUrl: base.baseUrl, tokenProvider: () => 'x', defaultTokenLifetimeMs: 0 },
      'options.defaultTokenLifetimeMs',
    ],
    [{ ...base, retry: { maxAttempts: 0 } }, 'options.retry.maxAttempts'],
    [{ ...base, retry: { maxAttempts: 2.5 } }, 'options.retry.maxAttempts'],
    [{ ...base, retry: { baseDelayMs: -1 } }, 'options.retry.baseDelayMs'],
    [{ ...base, retry: { baseDelayMs: 1000, maxDelayMs: 10 } }, 'options.retry.maxDelayMs'],
    [{ ...base, retry: { maxElapsedMs: Number.NaN } }, 'options.retry.maxElapsedMs'],
    [{ ...base, retry: { retries: 3 } }, 'options.retry.retries: unknown option'],
    [{ ...base, retry: true }, 'options.retry'],
    [{ ...base, cache: { ttl: 5 } }, 'options.cache.ttl: unknown option'],
    [{ ...base, cache: { maxEntries: 0 } }, 'options.cache.maxEntries'],
    [{ ...base, maxRedirects: -1 }, 'options.maxRedirects'],
    [{ ...base, allowInsecureLoopback: 'yes' }, 'options.allowInsecureLoopback'],
    [{ ...base, onEvent: {} }, 'options.onEvent'],
    [{ ...base, fetch: 'fetch' }, 'options.fetch'],
    [{ ...base, now: 1 }, 'options.now'],
    [{ ...base, sleep: 1 }, 'options.sleep'],
    [{ ...base, random: 1 }, 'options.random'],
    [{ ...base, rejectUnauthorized: false }, 'options.rejectUnauthorized: unknown option'],
  ])('refuses %j naming %s', (options, named) => {
    let error: unknown;
    try {
      parseOptions(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ code: 'ERR_TOLLGATE_CLIENT_INVALID_OPTIONS' });
    expect((error as Error).message).toContain(named);
  });

  it('never quotes a key it refuses', () => {
    const bad = `${KEY}\r\nX-Injected: 1`;
    let message = '';
    try {
      parseOptions({ ...base, apiKey: bad });
    } catch (e) {
      message = `${(e as Error).message}\n${(e as Error).stack}`;
    }
    expect(message).toContain('options.apiKey');
    expect(message).not.toContain(KEY);
  });

  it('refuses plain HTTP and credentials in the base URL as insecure', () => {
    expect(() => parseOptions({ ...base, baseUrl: 'http://api.example.com' })).toThrow(InsecureUrlError);
    expect(() => parseOptions({ ...base, baseUrl: 'https://user:pw@api.example.com' })).toThrow(
      InsecureUrlError,
    );
    expect(() => parseOptions({ ...base, baseUrl: 'ftp://api.example.com' })).toThrow(InsecureUrlError);
    expect(
      parseOptions({ ...base, baseUrl: 'http://localhost:3000', allowInsecureLoopback: true }).baseUrl.href,
    ).toBe('http://localhost:3000/');
  });
});
