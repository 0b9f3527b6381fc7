// Options of createRedisStore: defaults, and a named ERR_TOLLGATE_INVALID_OPTIONS for every bad one.

import { TollgateError } from '@tollgate/core';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createRedisStore, type RedisStore, type RedisStoreOptions } from '../src/index.js';
import { parseOptions } from '../src/options.js';
import { Redis } from './support/ioredis.js';

// Never connects: option checks need a client object, not a server.
const client = new Redis({ lazyConnect: true });
afterAll(() => client.disconnect());

function codeAndMessage(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TollgateError);
    return { code: (e as TollgateError).code, message: (e as Error).message };
  }
  throw new Error('expected a TollgateError');
}

describe('createRedisStore options', () => {
  it('fills in the defaults', () => {
    expect(parseOptions({ client })).toEqual({
      client,
      prefix: 'tollgate:',
      timeoutMs: 50,
      exhaustedCacheSize: 10_000,
      expireSlackMs: 60_000,
    });
    expect(parseOptions({ client, prefix: undefined, timeoutMs: undefined }).timeoutMs).toBe(50);
  });

  it.each([
    [undefined, 'options:'],
    [null, 'options:'],
    [[], 'options:'],
    [{}, 'options.client:'],
    [{ client: {} }, 'options.client:'],
    [{ client: { defineCommand() {} } }, 'options.client:'],
    [{ client: new Redis({ lazyConnect: true, keyPrefix: 'app{1}:' }) }, 'options.client: its keyPrefix'],
    [{ client, prefix: '' }, 'options.prefix:'],
    [{ client, prefix: 'a{b}:' }, 'options.prefix:'],
    [{ client, prefix: 7 }, 'options.prefix:'],
    [{ client, timeoutMs: 0 }, 'options.timeoutMs:'],
    [{ client, timeoutMs: 1.5 }, 'options.timeoutMs:'],
    [{ client, timeoutMs: '50' }, 'options.timeoutMs:'],
    [{ client, timeoutMs: 2 ** 31 }, 'options.timeoutMs:'],
    [{ client, exhaustedCacheSize: -1 }, 'options.exhaustedCacheSize:'],
    [{ client, exhaustedCacheSize: Number.NaN }, 'options.exhaustedCacheSize:'],
    [{ client, expireSlackMs: 999 }, 'options.expireSlackMs:'],
    [{ client, expireSlackMs: 86_400_001 }, 'options.expireSlackMs:'],
    [{ client, timeout: 50 }, 'options.timeout: unknown option'],
    [{ client, waitForReplicas: null }, 'options.waitForReplicas: expected an object'],
    [{ client, waitForReplicas: 1 }, 'options.waitForReplicas: expected an object'],
    [{ client, waitForReplicas: [] }, 'options.waitForReplicas: expected an object'],
    [{ client, waitForReplicas: { replicas: 0 } }, 'options.waitForReplicas.replicas:'],
    [{ client, waitForReplicas: { replicas: 1.5 } }, 'options.waitForReplicas.replicas:'],
    [{ client, waitForReplicas: { replicas: 1001 } }, 'options.waitForReplicas.replicas:'],
    [{ client, waitForReplicas: { timeoutMs: 0 } }, 'options.waitForReplicas.timeoutMs:'],
    [{ client, waitForReplicas: { timeout: 50 } }, 'options.waitForReplicas.timeout: unknown option'],
    [
      { client, timeoutMs: 2 ** 31 - 10, waitForReplicas: { timeoutMs: 10 } },
      'options.waitForReplicas.timeoutMs: with timeoutMs',
    ],
  ])('%j → ERR_TOLLGATE_INVALID_OPTIONS naming the option', (options, start) => {
    const { code, message } = codeAndMessage(() => createRedisStore(options as RedisStoreOptions));
    expect(code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
    // The factory, then the path: `createRedisStore: options.timeoutMs: ...`.
    expect(message.startsWith(`createRedisStore: ${start}`)).toBe(true);
  });

  it('fills in waitForReplicas: off by default, { replicas: 1, timeoutMs: 50 } from {}', () => {
    expect(parseOptions({ client }).waitForReplicas).toBeUndefined();
    expect(parseOptions({ client, waitForReplicas: {} }).waitForReplicas).toEqual({
      replicas: 1,
      timeoutMs: 50,
    });
    expect(parseOptions({ client, waitForReplicas: { replicas: 2, timeoutMs: 10 } }).waitForReplicas).toEqual(
      {
        replicas: 2,
        timeoutMs: 10,
      },
    );
  });

  it('reads own options only, and never quotes a string value', () => {
    const inherited = Object.assign(Object.create({ timeoutMs: 0, prefix: 'a{b}' }), { client });
    expect(parseOptions(inherited)).toMatchObject({ timeoutMs: 50, prefix: 'tollgate:' });
    expect(codeAndMessage(() => parseOptions({ client, prefix: 'pa55word{x}' })).message).not.toContain(
      'pa55word',
    );
    expect(codeAndMessage(() => parseOptions({ client, timeoutMs: 'pa55word' })).message).not.toContain(
      'pa55word',
    );
  });

  it('accepts a client with a brace-free ioredis keyPrefix, and 0 to turn the cache off', () => {
    const prefixed = new Redis({ lazyConnect: true, keyPrefix: 'app:' });
    expect(() => createRedisStore({ client: prefixed, exhaustedCacheSize: 0 })).not.toThrow();
    prefixed.disconnect();
  });

  it('types: consume may answer synchronously; stats() is part of the API', () => {
    expectTypeOf(createRedisStore).parameter(0).toEqualTypeOf<RedisStoreOptions>();
    expectTypeOf<RedisStore['stats']>().returns.toEqualTypeOf<{
      readonly roundTrips: number;
      readonly cacheHits: number;
      readonly failures: number;
    }>();
    expectTypeOf<ReturnType<RedisStore['clear']>>().toEqualTypeOf<Promise<void>>();
  });
});
