// Fastify reads the last X-Forwarded-Proto value from a trusted proxy: the one an appending proxy added.

import { forwardedProtoSuite } from '@tollgate/testkit/forwarded-proto';
import Fastify from 'fastify';
import tollgate from '../src/index.js';

forwardedProtoSuite('Fastify 5', 'last', async (options) => {
  const app = Fastify({ trustProxy: '127.0.0.1' });
  await app.register(tollgate, options);
  app.get('/lookup', () => ({ ok: true }));
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { base, close: () => app.close() };
});
