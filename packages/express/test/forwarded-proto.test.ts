// Express reads the first X-Forwarded-Proto value from a trusted proxy: an appending proxy lets a client claim HTTPS.

import * as http from 'node:http';
import { forwardedProtoSuite } from '@tollgate/testkit/forwarded-proto';
import { listen } from '@tollgate/testkit/http';
import express5 from 'express';
import express4 from 'express4';
import { tollgate } from '../src/index.js';

for (const [name, express] of [
  ['Express 5', express5],
  ['Express 4', express4 as unknown as typeof express5],
] as const) {
  forwardedProtoSuite(name, 'first', async (options) => {
    const app = express();
    app.set('trust proxy', 'loopback');
    app.use(tollgate(options));
    app.get('/lookup', (_req, res) => {
      res.json({ ok: true });
    });
    return listen(http.createServer(app));
  });
}
