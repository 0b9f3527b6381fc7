// The cross-framework conformance suite against real Express 5 and Express 4 apps.

import * as http from 'node:http';
import { conformanceSuite, type HarnessOptions, type RunCounters } from '@tollgate/testkit/conformance';
import { listen } from '@tollgate/testkit/http';
import express5, { type NextFunction, type Request, type Response } from 'express';
import express4 from 'express4';
import { tollgate } from '../src/index.js';

for (const [name, express] of [
  ['Express 5', express5],
  ['Express 4', express4 as unknown as typeof express5],
] as const) {
  conformanceSuite(name, async ({ tollgate: options, trustProxy }: HarnessOptions) => {
    const counters: RunCounters = { route: 0, errors: 0 };
    const app = express();
    app.set('trust proxy', trustProxy ? 'loopback' : false);
    app.use(tollgate(options));
    // Every method, as `app.all` and `app.use` handlers answer.
    app.all('/lookup', (req, res) => {
      counters.route += 1;
      res.json({ ok: true, keyId: res.locals.tollgate.keyId, apiKey: req.query.api_key });
    });
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.use((_err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      counters.errors += 1;
      res.status(500).end();
    });
    const { base, close } = await listen(http.createServer(app));
    return { base, counters, close };
  });
}
