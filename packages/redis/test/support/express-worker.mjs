// One app server of the cross-process test: Express with Tollgate on the Redis store, in its own process.
// It loads the BUILT packages, as a deployed app would. Settings come in TOLLGATE_WORKER (JSON);
// it reports { type: 'listening', port }, each threshold and store_error event, and 'stopped' over IPC.

import { tollgate } from '@tollgate/express';
import { createRedisStore } from '@tollgate/redis';
import express from 'express';

const config = JSON.parse(process.env.TOLLGATE_WORKER ?? '{}');
// The test run's ioredis (`ioredis` or `ioredis5`, see support/ioredis.ts), so the workers use it too.
const { Cluster, Redis } = await import(config.ioredis);
const send = (message) => new Promise((resolve) => process.send(message, resolve));

const redisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  autoResendUnfulfilledCommands: false,
};
const client = config.cluster
  ? new Cluster(config.cluster, { enableAutoPipelining: true, enableOfflineQueue: false, redisOptions })
  : new Redis(config.url, { ...redisOptions, enableAutoPipelining: true });
client.on('error', (e) => process.stderr.write(`worker ${process.pid}: redis: ${e.message}\n`));
await new Promise((resolve) => client.once('ready', resolve));

const app = express();
app.use(
  tollgate({
    policy: config.policy,
    store: createRedisStore({ client, prefix: config.prefix, timeoutMs: config.timeoutMs }),
    onEvent: (event) => {
      if (event.type === 'threshold' || event.type === 'store_error') void send({ type: 'event', event });
    },
  }),
);
app.get('/lookup', (_req, res) => {
  res.json({ ok: true, pid: process.pid });
});

const server = app.listen(0, '127.0.0.1', () => {
  void send({ type: 'listening', port: server.address().port });
});

process.on('message', async (message) => {
  if (message !== 'stop') return;
  server.closeAllConnections();
  server.close();
  await client.quit().catch(() => {});
  // IPC keeps order: once 'stopped' arrives, every event sent before it has too.
  await send({ type: 'stopped' });
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
