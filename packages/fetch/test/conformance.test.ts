// The cross-framework conformance suite against the fetch adapter: bare under Node's HTTP server, and in Hono.

import type { IncomingMessage } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { conformanceSuite, type HarnessOptions, type RunCounters } from '@tollgate/testkit/conformance';
import { listen } from '@tollgate/testkit/http';
import { Hono } from 'hono';
import { createHandler, type TollgateVariables, tollgate, withHeaders } from '../src/index.js';

type NodeEnv = { incoming: Pick<IncomingMessage, 'socket'> };

/**
 * The app's trust-proxy setting, which fetch servers leave to the app: a loopback peer is a
 * trusted proxy when trustProxy is on, and then the nearest X-Forwarded-For entry is the client.
 */
function clientIp(env: NodeEnv, forwardedFor: string | null, trustProxy: boolean): string | undefined {
  const peer = env.incoming.socket.remoteAddress;
  const fromProxy = peer === '127.0.0.1' || peer === '::1' || peer === '::ffff:127.0.0.1';
  if (!trustProxy || !fromProxy || forwardedFor === null) return peer;
  return forwardedFor.split(',').at(-1)?.trim();
}

/** The same trust decision for the protocol: X-Forwarded-Proto counts only from a trusted proxy. */
function clientSecure(env: NodeEnv, forwardedProto: string | null, trustProxy: boolean): boolean {
  const peer = env.incoming.socket.remoteAddress;
  const fromProxy = peer === '127.0.0.1' || peer === '::1' || peer === '::ffff:127.0.0.1';
  return trustProxy && fromProxy && forwardedProto === 'https';
}

/** The routes every harness serves, as a plain fetch function: `/lookup` answers every method. */
function routes(counters: RunCounters, request: Request, keyId: string | undefined): Response {
  const { pathname, searchParams } = new URL(request.url);
  if (pathname === '/boom') throw new Error('boom');
  if (pathname !== '/lookup') return new Response(null, { status: 404 });
  counters.route += 1;
  return Response.json({ ok: true, keyId, apiKey: searchParams.get('api_key') ?? undefined });
}

conformanceSuite(
  'fetch handler under node:http',
  async ({ tollgate: options, trustProxy }: HarnessOptions) => {
    const counters: RunCounters = { route: 0, errors: 0 };
    const check = createHandler(options);
    const server = createAdaptorServer({
      fetch: async (request: Request, env: NodeEnv) => {
        const result = await check(request, {
          ip: clientIp(env, request.headers.get('x-forwarded-for'), trustProxy),
          secure: clientSecure(env, request.headers.get('x-forwarded-proto'), trustProxy),
        });
        if (!result.allowed) return result.response;
        let response: Response;
        try {
          response = routes(counters, request, result.decision.keyId);
        } catch {
          counters.errors += 1;
          response = new Response(null, { status: 500 });
        }
        return withHeaders(response, result.headers);
      },
    });
    const { base, close } = await listen(server as import('node:http').Server);
    return { base, counters, close };
  },
);

conformanceSuite('Hono under node:http', async ({ tollgate: options, trustProxy }: HarnessOptions) => {
  const counters: RunCounters = { route: 0, errors: 0 };
  const app = new Hono<{ Bindings: NodeEnv; Variables: TollgateVariables }>();
  app.onError((_err, c) => {
    counters.errors += 1;
    return c.body(null, 500);
  });
  app.use(
    tollgate({
      ...options,
      ip: (c) => clientIp(c.env, c.req.header('x-forwarded-for') ?? null, trustProxy),
      secure: (c) => clientSecure(c.env, c.req.header('x-forwarded-proto') ?? null, trustProxy),
    }),
  );
  // Every method, as `app.all` answers.
  app.all('/lookup', (c) => {
    counters.route += 1;
    return c.json({ ok: true, keyId: c.get('tollgate').keyId, apiKey: c.req.query('api_key') });
  });
  app.get('/boom', () => {
    throw new Error('boom');
  });
  const { base, close } = await listen(
    createAdaptorServer({ fetch: app.fetch }) as import('node:http').Server,
  );
  return { base, counters, close };
});
