// Koa-only behaviour; what every framework must do is in the conformance suite (conformance.test.ts).

import * as http from 'node:http';
import { BACKEND_KEY, examplePolicy, NOON_UTC } from '@tollgate/testkit/fixtures';
import { listen, request } from '@tollgate/testkit/http';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { tollgate } from '../src/index.js';

const policy = examplePolicy();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('@tollgate/koa', () => {
  it('refuses a bad policy at setup with ERR_TOLLGATE_INVALID_POLICY', () => {
    expect(() => tollgate({ policy: { keys: [{ id: 'x', key: 'short' }] } })).toThrow(
      expect.objectContaining({ code: 'ERR_TOLLGATE_INVALID_POLICY' }),
    );
  });

  it('keeps its problem+json type when later middleware would have set another', async () => {
    const app = new Koa();
    app.use(tollgate({ policy, now: () => NOON_UTC }));
    app.use((ctx) => {
      ctx.body = 'never';
    });
    const { base, close } = await listen(http.createServer(app.callback()));
    closers.push(close);
    const r = await request(base, '/', {
      headers: [
        ['X-Api-Key', BACKEND_KEY],
        ['X-Source-IP', 'bad'],
      ],
    });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.body).not.toContain('never');
  });

  it('exposes its engine for sharing', () => {
    const a = tollgate({ policy });
    expect(tollgate({ engine: a.engine }).engine).toBe(a.engine);
  });
});
