// A throwaway Redis master with one replica, for the benchmark of waitForReplicas (WAIT needs a replica).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

const HOST = '127.0.0.1';

/** A port nothing listens on right now (the OS picks it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startServer(extra) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-redis-'));
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir, ...extra],
    { stdio: 'ignore' },
  );
  const failed = new Promise((_, reject) => {
    child.once('error', (e) =>
      reject(new Error(`the WAIT benchmark needs redis-server on the PATH: ${e.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) on port ${port}`)));
  });
  failed.catch(() => {});
  const stop = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const probe = new Redis(port, HOST, { lazyConnect: true, retryStrategy: () => null });
  probe.on('error', () => {});
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await Promise.race([probe.connect(), failed]);
      break;
    } catch (e) {
      if (Date.now() > deadline || child.exitCode !== null) {
        stop();
        throw e;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return { port, url: `redis://${HOST}:${port}`, probe, stop };
}

/**
 * Starts a master and a replica of it on loopback ports and waits until the replica is in sync.
 * `stop()` kills both.
 */
export async function startRedisPair() {
  const master = await startServer(['--repl-diskless-sync-delay', '0']);
  let replica;
  try {
    replica = await startServer(['--replicaof', HOST, String(master.port)]);
    const deadline = Date.now() + 20_000;
    while (!String(await replica.probe.info('replication')).includes('master_link_status:up')) {
      if (Date.now() > deadline) throw new Error('the benchmark replica never got in sync');
      await new Promise((r) => setTimeout(r, 20));
    }
  } catch (e) {
    master.probe.disconnect();
    master.stop();
    replica?.probe.disconnect();
    replica?.stop();
    throw e;
  }
  return {
    url: master.url,
    stop() {
      master.probe.disconnect();
      replica.probe.disconnect();
      master.stop();
      replica.stop();
    },
  };
}
