// A user's ES module that imports every published package and calls each one's main export. The
// consumer project gets it twice, as src/esm.ts ("type": "module") and as src/esm.mts.

import { createClient } from '@tollgate/client';
import { createEngine, createMemoryStore, type Decision, issueToken } from '@tollgate/core';
import { tollgate as expressTollgate } from '@tollgate/express';
import fastifyTollgate from '@tollgate/fastify';
import { createHandler, withHeaders } from '@tollgate/fetch';
import { tollgate as koaTollgate } from '@tollgate/koa';
import { createNotifier } from '@tollgate/notify';
import { createRedisStore } from '@tollgate/redis';
import { Redis } from 'ioredis';

const policy = { keys: [{ id: 'shop-web', key: 'pk_live_0123456789abcdef', dailyLimit: 1000 }] };

export const engine = createEngine({ policy, store: createMemoryStore() });
export const redisStore = createRedisStore({ client: new Redis({ lazyConnect: true }) });
export const middleware = [expressTollgate({ engine }), koaTollgate({ engine }), fastifyTollgate];
export const notifier = createNotifier({ targets: () => undefined });
export const client = createClient({
  baseUrl: 'https://api.example.com',
  apiKey: 'pk_live_0123456789abcdef',
});

const check = createHandler({ engine });
export async function handle(request: Request): Promise<Response> {
  const result = await check(request, { ip: '192.0.2.1' });
  if (!result.allowed) return result.response;
  return withHeaders(new Response('ok'), result.headers);
}

export const decided: (decision: Decision) => string = (decision) => decision.code;
export const token = issueToken({ keyId: 'shop-web', secret: 'a shared secret of at least 32 bytes!!' });
