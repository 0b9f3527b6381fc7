// The check every adapter runs: adapter options read in one place, preflights answered, a trust-everything proxy setting reported once.

import { afterEach, describe, expect, it } from 'vitest';
import { createAdapterCheck } from '../src/adapter-check.js';
import { parseAdapterOptions, resolveEngine } from '../src/adapter-options.js';
import type { Decision } from '../src/decision.js';
import { createEngine } from '../src/engine.js';
import type { RequestLike } from '../src/request-input.js';
import { errorOf, examplePolicy, NOON_UTC, OPEN_KEY, WEB_KEY } from './fixtures.js';

const policy = examplePolicy();
const request = (method: string, headers: Record<string, string>): RequestLike => ({
  method,
  url: '/lookup',
  ip: '192.0.2.7',
  header: (name) => headers[name],
});
const PREFLIGHT = request('OPTIONS', {
  'access-control-request-method': 'GET',
  origin: 'https://shop.example.com',
});
const sync = (d: Decision | Promise<Decision>): Decision => {
  if (d instanceof Promise) throw new Error('expected a synchronous decision');
  return d;
};

describe('adapter options', () => {
  it('take preflight beside engine options or an engine, and refuse a bad one naming it', () => {
    const engine = createEngine({ policy });
    expect(parseAdapterOptions({ policy }).preflight).toBe('answer');
    expect(parseAdapterOptions({ policy, preflight: undefined }).preflight).toBe('answer');
    expect(parseAdapterOptions({ policy, preflight: 'next' }).preflight).toBe('next');
    expect(parseAdapterOptions({ engine, preflight: 'next' })).toEqual({ engine, preflight: 'next' });
    expect(resolveEngine({ engine, preflight: 'answer' })).toBe(engine);
    const bad = errorOf(() => parseAdapterOptions({ policy, preflight: 'pass' as never }));
    expect(bad).toMatchObject({
      code: 'ERR_TOLLGATE_INVALID_OPTIONS',
      message: expect.stringMatching(/^tollgate: options\.preflight:/),
    });
  });

  it('still refuse unknown options and engine mixed with engine options', () => {
    const engine = createEngine({ policy });
    expect(errorOf(() => parseAdapterOptions({ policy, hook: 'x' } as never))).toMatchObject({
      code: 'ERR_TOLLGATE_INVALID_OPTIONS',
      message: expect.stringMatching(/^tollgate: options\.hook: unknown option/),
    });
    expect(errorOf(() => parseAdapterOptions({ engine, policy } as never))).toMatchObject({
      code: 'ERR_TOLLGATE_INVALID_OPTIONS',
      message: expect.stringMatching(/^tollgate: options\.policy:/),
    });
  });

  it('name the adapter function that was given them, engine options included', () => {
    expect(errorOf(() => createAdapterCheck({ policy, now: 5 } as never)).message).toMatch(
      /^tollgate: options\.now:/,
    );
    expect(
      errorOf(() => createAdapterCheck({ policy, tokens: { secret: 'short' } }, undefined, 'createHandler')),
    ).toMatchObject({
      code: 'ERR_TOLLGATE_INVALID_OPTIONS',
      message: expect.stringMatching(/^createHandler: options\.tokens\.secret:/),
    });
  });

  it('take engine: undefined as not given, and refuse what is not an engine', () => {
    expect(parseAdapterOptions({ policy, engine: undefined } as never).engine.checkRequest).toBeTypeOf(
      'function',
    );
    expect(errorOf(() => parseAdapterOptions({ engine: {} } as never))).toMatchObject({
      code: 'ERR_TOLLGATE_INVALID_OPTIONS',
      message: expect.stringMatching(/^tollgate: options\.engine:/),
    });
  });
});

describe('preflights', () => {
  it('are answered by default: 204, no body, not allowed on, nothing charged', () => {
    const gate = createAdapterCheck({ policy: examplePolicy({ webPerIp: 1 }), now: () => NOON_UTC });
    const d = sync(gate.check(PREFLIGHT, undefined));
    expect(d).toEqual({ allowed: false, status: 204, code: 'preflight', headers: {}, limits: [] });
    expect(d.body).toBeUndefined();
    // The one request the per-IP cap allows is still there.
    const get = request('GET', { 'x-api-key': WEB_KEY, origin: 'https://shop.example.com' });
    expect(sync(gate.check(get, undefined))).toMatchObject({
      allowed: true,
      limits: [{ used: 1 }, { used: 1 }],
    });
  });

  it("go on to the app, allowed and uncharged, with preflight: 'next'", () => {
    const gate = createAdapterCheck({ policy, preflight: 'next' });
    expect(sync(gate.check(PREFLIGHT, undefined))).toMatchObject({
      allowed: true,
      code: 'preflight',
      limits: [],
    });
  });

  it('are only OPTIONS with Access-Control-Request-Method: a plain OPTIONS needs a key', () => {
    const gate = createAdapterCheck({ policy });
    expect(sync(gate.check(request('OPTIONS', {}), undefined))).toMatchObject({
      status: 401,
      code: 'missing_key',
    });
  });
});

describe('a proxy setting that trusts every peer', () => {
  it('is asked about once, on the first decision with a per-IP cap, and a throw costs nothing', () => {
    const asked: string[] = [];
    const gate = createAdapterCheck<string>(
      { policy, now: () => NOON_UTC },
      {
        permissive: (native) => {
          asked.push(native);
          throw new Error('the framework changed');
        },
        docs: 'docs/frameworks.md#behind-a-proxy',
      },
    );
    sync(gate.check(request('GET', { 'x-api-key': OPEN_KEY }), 'open key: no per-IP cap'));
    sync(gate.check(PREFLIGHT, 'preflight'));
    const web = request('GET', { 'x-api-key': WEB_KEY, origin: 'https://shop.example.com' });
    expect(sync(gate.check(web, 'first capped')).allowed).toBe(true);
    expect(sync(gate.check(web, 'second capped')).allowed).toBe(true);
    expect(asked).toEqual(['first capped']);
  });
});

describe('the permissive-proxy warning', () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  afterEach(() => {
    process.off('warning', onWarning);
  });

  it('is one process warning with a stable code and a docs link, however many checks see it', async () => {
    process.on('warning', onWarning);
    for (const _ of [1, 2]) {
      const gate = createAdapterCheck(
        { policy, now: () => NOON_UTC },
        {
          permissive: () => "the framework's proxy setting trusts every peer",
          docs: 'docs/frameworks.md#behind-a-proxy',
        },
      );
      const web = request('GET', { 'x-api-key': WEB_KEY, origin: 'https://shop.example.com' });
      for (const _ of [1, 2, 3]) sync(gate.check(web, undefined));
    }
    // process.emitWarning delivers on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      name: 'TollgateWarning',
      code: 'TOLLGATE_PERMISSIVE_TRUST_PROXY',
      message: expect.stringContaining('docs/frameworks.md#behind-a-proxy'),
    });
    expect(warnings[0]?.message).not.toContain(WEB_KEY);
  });
});
