// Fastify-only behaviour: route opt-out, route-specific engines, setup errors. Shared behaviour is in conformance.test.ts.

import { createEngine } from '@tollgate/core';
import { examplePolicy, NOON_UTC, OPEN_KEY, WEB_KEY } from '@tollgate/testkit/fixtures';
import { request } from '@tollgate/testkit/http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import tollgate, { tollgate as named } from '../src/index.js';

const policy = examplePolicy({ webPerIp: 1 });
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(setup: (app: FastifyInstance) => void | Promise<void>): Promise<string> {
  const app = Fastify();
  apps.push(app);
  await setup(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

describe('@tollgate/fastify', () => {
  it('default and named exports are the same plugin', () => {
    expect(named).toBe(tollgate);
  });

  it('a route with config.tollgate = false is not checked and sees no decision', async () => {
    const base = await start(async (app) => {
      await app.register(tollgate, { policy });
      app.get('/health', { config: { tollgate: false } }, (req) => ({ decision: req.tollgate }));
      app.get('/lookup', () => 'ok');
    });
    expect((await request(base, '/health')).json).toEqual({ decision: null });
    expect((await request(base, '/lookup')).status).toBe(401);
  });

  it('a route with its own options gets its own engine and counters', async () => {
    const strict = createEngine({ policy: examplePolicy({ webPerIp: 3 }), now: () => NOON_UTC });
    const base = await start(async (app) => {
      await app.register(tollgate, { policy, now: () => NOON_UTC });
      app.get('/a', () => 'a');
      app.get('/b', { config: { tollgate: { engine: strict } } }, () => 'b');
    });
    const headers = [['X-Api-Key', WEB_KEY] as const, ['Origin', 'https://shop.example.com'] as const];
    const statuses = [];
    for (const path of ['/a', '/a', '/b', '/b', '/b', '/b'])
      statuses.push((await request(base, path, { headers })).status);
    expect(statuses).toEqual([200, 429, 200, 200, 200, 429]);
  });

  it('keeps the route’s own hooks, after the check', async () => {
    const order: string[] = [];
    const base = await start(async (app) => {
      await app.register(tollgate, { policy });
      const routeHook = async () => {
        order.push('route hook');
      };
      app.get('/x', { onRequest: routeHook }, () => {
        order.push('handler');
        return 'x';
      });
    });
    expect((await request(base, '/x')).status).toBe(401);
    expect(order).toEqual([]);
    expect((await request(base, '/x', { headers: [['X-Api-Key', OPEN_KEY]] })).status).toBe(200);
    expect(order).toEqual(['route hook', 'handler']);
  });

  it('checks routes declared before the plugin loaded, and requests that match no route', async () => {
    const app = Fastify();
    apps.push(app);
    app.get('/early', () => 'early');
    app.register(tollgate, { policy }); // not awaited: /late is declared before the plugin loads
    app.get('/late', { config: { tollgate: { policy: examplePolicy() } } }, () => 'late');
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    expect((await request(base, '/early')).status).toBe(401);
    expect((await request(base, '/late')).status).toBe(401);
    expect((await request(base, '/late', { headers: [['X-Api-Key', OPEN_KEY]] })).status).toBe(200);
    expect((await request(base, '/nowhere')).status).toBe(401);
    expect((await request(base, '/nowhere', { headers: [['X-Api-Key', OPEN_KEY]] })).status).toBe(404);
  });

  it('decorates the instance with its engine', async () => {
    const engine = createEngine({ policy });
    const app = Fastify();
    apps.push(app);
    await app.register(tollgate, { engine });
    expect(app.tollgateEngine).toBe(engine);
  });

  it('refuses a route config that is neither false nor options', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(tollgate, { policy });
    expect(() => app.get('/bad', { config: { tollgate: true as never } }, () => 'x')).toThrow(
      /route GET \/bad: config\.tollgate: expected false or adapter options/,
    );
  });

  it('refuses a bad hook option at registration', async () => {
    const app = Fastify();
    apps.push(app);
    await expect(app.register(tollgate, { policy, hook: 'onSend' as 'onRequest' })).rejects.toMatchObject({
      code: 'ERR_TOLLGATE_INVALID_OPTIONS',
      message: expect.stringMatching(/^tollgate: options\.hook:/),
    });
  });

  it('refuses a bad route config at startup, naming the route', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(tollgate, { policy });
    expect(() =>
      app.get('/bad', { config: { tollgate: { policy: { keys: 'nope' } } as never } }, () => 'x'),
    ).toThrow(/route GET \/bad: config\.tollgate: /);
  });
});
