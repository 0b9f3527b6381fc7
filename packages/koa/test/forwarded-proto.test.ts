// Koa reads the first X-Forwarded-Proto value (from any peer, with app.proxy): an appending proxy lets a client claim HTTPS.

import * as http from 'node:http';
import { forwardedProtoSuite } from '@tollgate/testkit/forwarded-proto';
import { listen } from '@tollgate/testkit/http';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { tollgate } from '../src/index.js';

for (const [name, Koa] of [
  ['Koa 3', Koa3],
  ['Koa 2', Koa2 as unknown as typeof Koa3],
] as const) {
  forwardedProtoSuite(name, 'first', async (options) => {
    const app = new Koa({ proxy: true, maxIpsCount: 1 });
    app.silent = true;
    app.use(tollgate(options));
    app.use((ctx) => {
      if (ctx.path === '/lookup') ctx.body = { ok: true };
    });
    return listen(http.createServer(app.callback()));
  });
}
