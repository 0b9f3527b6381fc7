// A real Koa app on a real socket with given proxy settings, for the permissive-proxy warning tests.

import * as http from 'node:http';
import { examplePolicy, NOON_UTC, WEB_KEY } from '@tollgate/testkit/fixtures';
import { listen, request } from '@tollgate/testkit/http';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { tollgate } from '../../src/index.js';

const KOA = { 3: Koa3, 2: Koa2 as unknown as typeof Koa3 } as const;

/** The web key's requests, from one browser origin, each claiming its own X-Forwarded-For. */
export function webRequest(i: number): [string, string][] {
  return [
    ['X-Api-Key', WEB_KEY],
    ['Origin', 'https://shop.example.com'],
    ['X-Forwarded-For', `203.0.113.${i}`],
  ];
}

/** Starts an app whose web key has a per-IP cap of 1, behind two Tollgate middlewares in turn. */
export async function startApp(version: 2 | 3, settings: { proxy?: boolean; maxIpsCount?: number }) {
  const app = new KOA[version](settings);
  const options = { policy: examplePolicy({ webPerIp: 1 }), now: () => NOON_UTC };
  const first = tollgate(options);
  const second = tollgate(options);
  app.use((ctx, next) => (ctx.path === '/b' ? second(ctx, next) : first(ctx, next)));
  app.use((ctx) => {
    ctx.body = 'ok';
  });
  const { base, close } = await listen(http.createServer(app.callback()));
  return {
    close,
    send: async (path: string, headers: [string, string][]) =>
      (await request(base, path, { headers })).status,
  };
}
