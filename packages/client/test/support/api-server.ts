// A Tollgate-protected Express API for the end-to-end tests: real sockets, an /authenticate endpoint, bearer tokens.

// Server-side bearer tokens are not part of Tollgate yet, so this app builds them from plain
// parts: /authenticate checks the API key and issues a short-lived token (an HS256 JWT or an
// opaque one with `expires_in`), and a middleware in front of tollgate() turns a valid token back
// into the key. Everything else is the real @tollgate/express middleware.

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { createMemoryStore, type Policy, type Store } from '@tollgate/core';
import { tollgate } from '@tollgate/express';
import { listen } from '@tollgate/testkit/http';
import express from 'express';

export const CONSUMER_KEY = 'sk_test_consumer_5f2b9c1e7a';

export interface ApiServerOptions {
  /** The server's clock (Tollgate's day windows and token expiry). */
  now: () => number;
  dailyLimit?: number;
  perIpDailyLimit?: number;
  tokenForm?: 'jwt' | 'opaque';
  tokenLifetimeSeconds?: number;
  /** Where /v1/go-elsewhere redirects to. */
  elsewhere?: string;
}

/** One request the server received, with the credential headers it carried. */
export interface Hit {
  method: string;
  path: string;
  apiKey: string | undefined;
  authorization: string | undefined;
  status?: number;
}

export interface ApiServer {
  base: string;
  close(): Promise<void>;
  hits: Hit[];
  /** Every token /authenticate has issued. */
  issued: string[];
  /** API requests (not /authenticate) the server saw. */
  apiHits(path?: string): Hit[];
  authenticateCalls(): number;
  /** Tokens issued so far stop being valid. */
  revokeTokens(): void;
  /** While true, every bearer token is refused. */
  rejectAllTokens: boolean;
  /** While set, /authenticate answers with this status. */
  authenticateFailure: number | undefined;
  /** The next this-many store calls throw (Tollgate answers 503 store_unavailable). */
  storeFailures: number;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const secret = crypto.randomBytes(32);
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const opaque = new Map<string, number>();
  let generation = 0;

  const state: ApiServer = {
    base: '',
    close: async () => {},
    hits: [],
    issued: [],
    apiHits: (path) =>
      state.hits.filter((h) => h.path !== '/authenticate' && (path === undefined || h.path === path)),
    authenticateCalls: () => state.hits.filter((h) => h.path === '/authenticate').length,
    revokeTokens: () => {
      generation++;
      opaque.clear();
    },
    rejectAllTokens: false,
    authenticateFailure: undefined,
    storeFailures: 0,
  };

  const memory = createMemoryStore();
  const store: Store = {
    consume(counters, now) {
      if (state.storeFailures > 0) {
        state.storeFailures--;
        throw new Error('store down (test)');
      }
      return memory.consume(counters, now);
    },
  };
  const policy: Policy = {
    keys: [
      {
        id: 'consumer',
        key: CONSUMER_KEY,
        dailyLimit: options.dailyLimit ?? 100,
        perIpDailyLimit: options.perIpDailyLimit ?? 50,
        timeZone: 'UTC',
      },
    ],
  };

  const sign = (data: string) => crypto.createHmac('sha256', secret).update(data).digest('base64url');
  const issue = (): Record<string, unknown> => {
    const now = options.now();
    if (options.tokenForm === 'opaque') {
      const token = `opq_${crypto.randomBytes(18).toString('base64url')}`;
      opaque.set(token, now + lifetime * 1000);
      state.issued.push(token);
      return { access_token: token, token_type: 'Bearer', expires_in: lifetime };
    }
    const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(
      JSON.stringify({
        sub: 'consumer',
        gen: generation,
        jti: crypto.randomUUID(),
        iat: Math.floor(now / 1000),
        exp: Math.floor(now / 1000) + lifetime,
      }),
    ).toString('base64url');
    const token = `${head}.${body}.${sign(`${head}.${body}`)}`;
    state.issued.push(token);
    return { token };
  };
  const valid = (token: string): boolean => {
    if (state.rejectAllTokens) return false;
    const now = options.now();
    if (options.tokenForm === 'opaque') return (opaque.get(token) ?? 0) > now;
    const [head, body, mac] = token.split('.');
    if (head === undefined || body === undefined || mac === undefined) return false;
    const expected = Buffer.from(sign(`${head}.${body}`));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return false;
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { exp: number; gen: number };
    return claims.gen === generation && claims.exp * 1000 > now;
  };
  const problem = (res: express.Response, status: number, code: string) => {
    res.status(status).type('application/problem+json');
    res.end(JSON.stringify({ type: `urn:test:problem:${code}`, title: code, status, code }));
  };

  const app = express();
  app.use((req, res, next) => {
    const hit: Hit = {
      method: req.method,
      path: req.path,
      apiKey: req.get('x-api-key'),
      authorization: req.get('authorization'),
    };
    state.hits.push(hit);
    res.on('finish', () => {
      hit.status = res.statusCode;
    });
    next();
  });

  app.post('/authenticate', (req, res) => {
    if (state.authenticateFailure !== undefined)
      return problem(res, state.authenticateFailure, 'unavailable');
    if (req.get('x-api-key') !== CONSUMER_KEY) return problem(res, 401, 'unknown_key');
    res.json(issue());
  });

  app.use((req, res, next) => {
    const auth = req.get('authorization');
    if (auth === undefined) return next();
    const token = /^Bearer (\S+)$/.exec(auth)?.[1];
    if (token === undefined || !valid(token)) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      return problem(res, 401, 'invalid_token');
    }
    req.headers['x-api-key'] = CONSUMER_KEY;
    delete req.headers.authorization;
    next();
  });

  app.use(tollgate({ policy, store, now: options.now }));

  let served = 0;
  app.get('/v1/lookup', (_req, res) => {
    res.json({ ok: true, n: ++served });
  });
  app.get('/v1/cached', (_req, res) => {
    res.set('Cache-Control', 'max-age=60').json({ cached: true, n: ++served, secret: 'response-data-42' });
  });
  app.post('/v1/orders', (_req, res) => {
    res.status(201).json({ created: ++served });
  });
  app.get('/v1/go-same', (_req, res) => {
    res.redirect(302, '/v1/lookup');
  });
  app.get('/v1/go-insecure', (_req, res) => {
    res.redirect(302, 'http://api.example.com/v1/lookup');
  });
  app.get('/v1/go-elsewhere', (_req, res) => {
    res.redirect(307, `${options.elsewhere ?? ''}/landing`);
  });

  const server = await listen(http.createServer(app));
  state.base = server.base;
  state.close = server.close;
  return state;
}

/** A plain server that records the headers it receives: the target of cross-origin redirects. */
export async function startRecorder(): Promise<{
  base: string;
  close(): Promise<void>;
  seen: http.IncomingHttpHeaders[];
}> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = await listen(
    http.createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('Content-Type', 'application/json');
      res.end('{"landed":true}');
    }),
  );
  return { ...server, seen };
}
