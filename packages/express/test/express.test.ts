// Express-only behaviour; what every framework must do is in the conformance suite (conformance.test.ts).

import * as http from 'node:http';
import { BACKEND_KEY, examplePolicy, NOON_UTC } from '@tollgate/testkit/fixtures';
import { listen, request } from '@tollgate/testkit/http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { tollgate } from '../src/index.js';

const policy = examplePolicy({ backendDaily: 3 });

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('options', () => {
  it('refuses a bad policy at setup with ERR_TOLLGATE_INVALID_POLICY', () => {
    expect(() => tollgate({ policy: { keys: [{ id: 'x', key: 'short' }] } })).toThrow(
      expect.objectContaining({ code: 'ERR_TOLLGATE_INVALID_POLICY' }),
    );
  });

  it('refuses engine mixed with engine options', () => {
    const a = tollgate({ policy });
    expect(() => tollgate({ engine: a.engine, policy } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_TOLLGATE_INVALID_OPTIONS' }),
    );
  });

  it('two middlewares sharing one engine share its counters', async () => {
    const shared = tollgate({ policy, now: () => NOON_UTC });
    const app = express();
    app.use('/a', shared, (_req, res) => res.end('a'));
    app.use('/b', tollgate({ engine: shared.engine }), (_req, res) => res.end('b'));
    const { base, close } = await listen(http.createServer(app));
    closers.push(close);
    const headers = [['X-Api-Key', BACKEND_KEY] as const, ['X-Source-IP', '10.1.1.1'] as const];
    const statuses = [];
    for (const path of ['/a', '/b', '/a', '/b'])
      statuses.push((await request(base, path, { headers })).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
  });
});
