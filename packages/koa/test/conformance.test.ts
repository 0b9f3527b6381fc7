// The cross-framework conformance suite against real Koa 3 and Koa 2 apps.

import * as http from 'node:http';
import { conformanceSuite, type HarnessOptions, type RunCounters } from '@tollgate/testkit/conformance';
import { listen } from '@tollgate/testkit/http';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { tollgate } from '../src/index.js';

for (const [name, Koa] of [
  ['Koa 3', Koa3],
  ['Koa 2', Koa2 as unknown as typeof Koa3],
] as const) {
  conformanceSuite(name, async ({ tollgate: options, trustProxy }: HarnessOptions) => {
    const counters: RunCounters = { route: 0, errors: 0 };
    const app = new Koa();
    app.proxy = trustProxy;
    // One trusted proxy: believe only the X-Forwarded-For entry it appended.
    app.maxIpsCount = 1;
    app.silent = true;
    app.on('error', () => {
      counters.errors += 1;
    });
    app.use(tollgate(options));
    app.use((ctx) => {
      if (ctx.path === '/boom') throw new Error('boom');
      if (ctx.path !== '/lookup') return;
      // Every method, as the Koa README's own catch-all answers.
      counters.route += 1;
      ctx.body = { ok: true, keyId: ctx.state.tollgate.keyId, apiKey: ctx.query.api_key };
    });
    const { base, close } = await listen(http.createServer(app.callback()));
    return { base, counters, close };
  });
}
