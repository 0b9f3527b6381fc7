// A real Express app on a real socket with a given `trust proxy`, for the permissive-proxy warning tests.

import * as http from 'node:http';
import { examplePolicy, NOON_UTC, WEB_KEY } from '@tollgate/testkit/fixtures';
import { listen, request } from '@tollgate/testkit/http';
import express5 from 'express';
import express4 from 'express4';
import { tollgate } from '../../src/index.js';

export const EXPRESS = { 5: express5, 4: express4 as unknown as typeof express5 } as const;

/** The web key's requests, from one browser origin, each claiming its own X-Forwarded-For. */
export function webRequest(i: number): [string, string][] {
  return [
    ['X-Api-Key', WEB_KEY],
    ['Origin', 'https://shop.example.com'],
    ['X-Forwarded-For', `203.0.113.${i}`],
  ];
}

/**
 * Starts an app whose web key has a per-IP cap of 1, behind two Tollgate mounts (`/a`, `/b`),
 * and answers `send(path, headers)` with the status.
 */
export async function startApp(version: 4 | 5, trust: unknown) {
  const app = EXPRESS[version]();
  app.set('trust proxy', trust);
  const options = { policy: examplePolicy({ webPerIp: 1 }), now: () => NOON_UTC };
  app.use('/a', tollgate(options), (_req, res) => res.end('a'));
  app.use('/b', tollgate(options), (_req, res) => res.end('b'));
  const { base, close } = await listen(http.createServer(app));
  return {
    close,
    send: async (path: string, headers: [string, string][]) =>
      (await request(base, path, { headers })).status,
  };
}
