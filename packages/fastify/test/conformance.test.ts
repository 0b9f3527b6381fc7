// The cross-framework conformance suite against a real Fastify 5 app, in both hook positions.

import { conformanceSuite, type HarnessOptions, type RunCounters } from '@tollgate/testkit/conformance';
import Fastify from 'fastify';
import tollgate, { type TollgateHook } from '../src/index.js';

for (const hook of ['onRequest', 'preHandler'] as const satisfies readonly TollgateHook[]) {
  conformanceSuite(`Fastify 5 (${hook})`, async ({ tollgate: options, trustProxy }: HarnessOptions) => {
    const counters: RunCounters = { route: 0, errors: 0 };
    const app = Fastify({ trustProxy: trustProxy ? '127.0.0.1' : false });
    app.setErrorHandler((_err, _request, reply) => {
      counters.errors += 1;
      reply.code(500).send();
    });
    await app.register(tollgate, { ...options, hook });
    // Every method, as `app.all` answers.
    app.all('/lookup', (request) => {
      counters.route += 1;
      return {
        ok: true,
        keyId: request.tollgate?.keyId,
        apiKey: (request.query as { api_key?: unknown }).api_key,
      };
    });
    app.get('/boom', () => {
      throw new Error('boom');
    });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    return { base, counters, close: () => app.close() };
  });
}
