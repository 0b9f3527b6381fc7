// The nine servers of the HTTP benchmark: Express, Koa and Fastify, each bare, with Tollgate, with its usual limiter.

import { ALLOWED_URLS, API_KEY, TIME_ZONE } from '../decision.mjs';

export const FRAMEWORKS = ['express', 'koa', 'fastify'];
export const VARIANTS = ['bare', 'tollgate', 'peer'];

/** The one route every server answers, and its body. */
export const ROUTE = '/hello';
export const BODY = { hello: 'world' };

/** Far above anything a run reaches: every request must be allowed, or the numbers flatter the limiter. */
const HIGH_LIMIT = 1e9;
const DAY_MS = 86_400_000;

/** The Tollgate policy: the decision benchmark's key and 10-pattern whitelist, with caps never reached. */
export const POLICY = {
  keys: [
    {
      id: 'bench',
      key: API_KEY,
      allowedUrls: ALLOWED_URLS,
      dailyLimit: 1e12,
      perIpDailyLimit: HIGH_LIMIT,
      timeZone: TIME_ZONE,
    },
  ],
};

/** Each framework's usual rate limiter, as the peer variant mounts it. */
export const PEER_LIMITERS = {
  express: 'express-rate-limit',
  koa: 'koa-ratelimit',
  fastify: '@fastify/rate-limit',
};

/**
 * The response header that shows a variant's limiter ran and counted the request, and how to
 * read the remaining count from it. Tollgate and express-rate-limit (draft-8 mode) send the
 * structured `RateLimit` header, whose first item carries `r=<remaining>`.
 */
export const COUNTER_HEADERS = {
  tollgate: { express: 'ratelimit', koa: 'ratelimit', fastify: 'ratelimit' },
  peer: { express: 'ratelimit', koa: 'x-ratelimit-remaining', fastify: 'x-ratelimit-remaining' },
};

/**
 * Builds the server for one framework and variant and starts it on 127.0.0.1 on a free port.
 * Resolves to the port and a `close()`. Only the framework asked for is imported.
 *
 * @example
 * const { port, close } = await startApp('fastify', 'tollgate');
 */
export async function startApp(framework, variant) {
  if (!VARIANTS.includes(variant)) throw new Error(`unknown variant "${variant}": expected ${VARIANTS}`);
  switch (framework) {
    case 'express':
      return listenNode(await expressApp(variant));
    case 'koa':
      return listenNode((await koaApp(variant)).callback());
    case 'fastify':
      return startFastify(variant);
    default:
      throw new Error(`unknown framework "${framework}": expected ${FRAMEWORKS}`);
  }
}

async function expressApp(variant) {
  const { default: express } = await import('express');
  const app = express();
  if (variant === 'tollgate') {
    const { tollgate } = await import('@tollgate/express');
    app.use(tollgate({ policy: POLICY }));
  } else if (variant === 'peer') {
    // The setup express-rate-limit's README recommends, with a one-day window.
    const { rateLimit } = await import('express-rate-limit');
    app.use(
      rateLimit({ windowMs: DAY_MS, limit: HIGH_LIMIT, standardHeaders: 'draft-8', legacyHeaders: false }),
    );
  }
  app.get(ROUTE, (_req, res) => {
    res.json(BODY);
  });
  return app;
}

async function koaApp(variant) {
  const { default: Koa } = await import('koa');
  const app = new Koa();
  if (variant === 'tollgate') {
    const { tollgate } = await import('@tollgate/koa');
    app.use(tollgate({ policy: POLICY }));
  } else if (variant === 'peer') {
    const { default: ratelimit } = await import('koa-ratelimit');
    app.use(
      ratelimit({ driver: 'memory', db: new Map(), duration: DAY_MS, max: HIGH_LIMIT, id: (ctx) => ctx.ip }),
    );
  }
  // Koa has no router of its own; one comparison stands in for it in every variant.
  app.use((ctx) => {
    if (ctx.method === 'GET' && ctx.path === ROUTE) ctx.body = BODY;
  });
  return app;
}

async function startFastify(variant) {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  if (variant === 'tollgate') {
    const { default: tollgate } = await import('@tollgate/fastify');
    await app.register(tollgate, { policy: POLICY });
  } else if (variant === 'peer') {
    const { default: rateLimit } = await import('@fastify/rate-limit');
    await app.register(rateLimit, { max: HIGH_LIMIT, timeWindow: DAY_MS });
  }
  app.get(ROUTE, async () => BODY);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { port: app.server.address().port, close: () => app.close() };
}

async function listenNode(handler) {
  const { createServer } = await import('node:http');
  const server = createServer(handler);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
