// The Hono middleware with docs/frameworks/fetch.md's `secure` recipe: the whole X-Forwarded-Proto must be `https`.

import type { IncomingMessage } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { forwardedProtoSuite } from '@tollgate/testkit/forwarded-proto';
import { listen } from '@tollgate/testkit/http';
import { Hono } from 'hono';
import { type TollgateVariables, tollgate } from '../src/index.js';

type NodeEnv = { incoming: Pick<IncomingMessage, 'socket'> };
const PROXIES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

forwardedProtoSuite('Hono under node:http', 'whole', async (options) => {
  const app = new Hono<{ Bindings: NodeEnv; Variables: TollgateVariables }>();
  app.use(
    tollgate({
      ...options,
      secure: (c) =>
        PROXIES.has(c.env.incoming.socket.remoteAddress ?? '') &&
        c.req.header('X-Forwarded-Proto') === 'https',
    }),
  );
  app.get('/lookup', (c) => c.json({ ok: true }));
  return listen(createAdaptorServer({ fetch: app.fetch }) as import('node:http').Server);
});
