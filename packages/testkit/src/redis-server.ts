// Real Redis servers for the tests: find the shared one, or start throwaway servers and Clusters.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HOST = '127.0.0.1';
const DEFAULT_PORT = 6379;

/** A Redis to connect to. */
export interface RedisTarget {
  readonly url: string;
  /** Where it came from: `REDIS_URL`, the local default port, or a server started for this run. */
  readonly source: 'REDIS_URL' | 'localhost:6379' | 'spawned';
  /** Stops the server when this run started it; a no-op otherwise. */
  stop(): Promise<void>;
}

/** A redis-server process this run owns, on a loopback port. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** Sends a signal (SIGSTOP freezes it with its sockets open; SIGKILL drops them). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILLs the server and waits for it to be gone. */
  kill(): Promise<void>;
  /** Starts a new, empty server on the same port and waits until it answers. */
  restart(): Promise<void>;
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>;
}

/** A Redis Cluster built from redis-server processes this run owns. */
export interface RedisCluster {
  /** Every node, masters first (as started; a failover may change roles since). */
  readonly nodes: readonly { host: string; port: number }[];
  /** Sends a signal to the node on `port` (SIGSTOP freezes it; SIGKILL drops it). */
  signal(port: number, signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/** A key prefix no other test run uses, so tests can share a server with anything else. */
export function uniquePrefix(label: string): string {
  return `tollgate-test:${label}:${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}:`;
}

/**
 * The Redis the suites share: `REDIS_URL` when set (and it must answer), else 127.0.0.1:6379
 * when it answers PING, else a redis-server started for this run. Throws when none works, so
 * a machine without Redis fails the suite instead of skipping it.
 */
export async function findRedis(): Promise<RedisTarget> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv !== undefined && fromEnv !== '') {
    const u = new URL(fromEnv);
    const port = Number(u.port || DEFAULT_PORT);
    // Only plain, password-less URLs can be pinged with a bare socket; trust the others.
    if (u.protocol === 'redis:' && u.username === '' && u.password === '') {
      if (!(await ping(u.hostname, port, 1_000))) {
        throw new Error(`REDIS_URL is set to ${fromEnv} but nothing answers PING there`);
      }
    }
    return { url: fromEnv, source: 'REDIS_URL', stop: async () => {} };
  }
  if (await ping(HOST, DEFAULT_PORT, 300)) {
    return { url: `redis://${HOST}:${DEFAULT_PORT}`, source: 'localhost:6379', stop: async () => {} };
  }
  const server = await startRedisServer();
  return { url: server.url, source: 'spawned', stop: () => server.stop() };
}

/**
 * Starts a throwaway redis-server (no persistence) on a free loopback port. `extraArgs` are
 * further config directives (`['--maxmemory-policy', 'allkeys-lru']`), kept across restarts.
 */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-redis-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...extraArgs,
  ];
  let child = await launch(args, port);
  const server: RedisServer = {
    port,
    url: `redis://${HOST}:${port}`,
    get pid() {
      return child.pid ?? -1;
    },
    signal: (signal) => {
      child.kill(signal);
    },
    kill: () => terminate(child, 'SIGKILL'),
    restart: async () => {
      await terminate(child, 'SIGKILL');
      child = await launch(args, port);
    },
    stop: async () => {
      await terminate(child, 'SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * Starts a replica of `master` (a server from startRedisServer) and waits until its link to the
 * master is up and the initial sync is done.
 */
export async function startRedisReplica(master: RedisServer): Promise<RedisServer> {
  // The master otherwise waits 5 s for more replicas before it starts a diskless sync.
  await run('redis-cli', [
    '-h',
    HOST,
    '-p',
    String(master.port),
    'CONFIG',
    'SET',
    'repl-diskless-sync-delay',
    '0',
  ]);
  const replica = await startRedisServer(['--replicaof', HOST, String(master.port)]);
  try {
    await waitForInfo(replica.port, 'replication', 'master_link_status:up', 20_000);
  } catch (e) {
    await replica.stop();
    throw e;
  }
  return replica;
}

/**
 * Starts a Redis Cluster of `masters` masters, each with `replicasPerMaster` replicas, on
 * loopback ports, and waits until every node reports `cluster_state:ok` and every replica is
 * in sync with its master.
 */
export async function startRedisCluster(masters = 3, replicasPerMaster = 0): Promise<RedisCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-cluster-'));
  const children: ChildProcess[] = [];
  const nodes: { host: string; port: number }[] = [];
  const byPort = new Map<number, ChildProcess>();
  const stop = async () => {
    await Promise.all(children.map((c) => terminate(c, 'SIGKILL')));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicasPerMaster); i++) {
      const port = await freePort();
      // The bus port is chosen too (Redis 7 `cluster-port`), as port + 10000 may be taken or out of range.
      const busPort = await freePort();
      const args = [
        '--port',
        String(port),
        '--bind',
        HOST,
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(dir, `nodes-${port}.conf`),
        '--cluster-port',
        String(busPort),
        '--cluster-node-timeout',
        '5000',
        '--repl-diskless-sync-delay',
        '0',
      ];
      const child = await launch(args, port);
      children.push(child);
      byPort.set(port, child);
      nodes.push({ host: HOST, port });
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `${n.host}:${n.port}`),
        '--cluster-replicas',
        String(replicasPerMaster),
        '--cluster-yes',
      ],
      { timeout: 20_000 },
    ).catch((e: Error & { stderr?: string }) => {
      throw new Error(`redis-cli --cluster create failed: ${e.message} ${e.stderr ?? ''}`);
    });
    const deadline = Date.now() + 20_000;
    for (const node of nodes) {
      for (;;) {
        const { stdout } = await run('redis-cli', [
          '-h',
          node.host,
          '-p',
          String(node.port),
          'CLUSTER',
          'INFO',
        ]);
        if (stdout.includes('cluster_state:ok')) break;
        if (Date.now() > deadline)
          throw new Error(`cluster node ${node.port} never reached cluster_state:ok`);
        await sleep(50);
      }
    }
    // redis-cli makes the first `masters` nodes masters and the rest their replicas.
    for (const node of nodes.slice(masters)) {
      await waitForInfo(node.port, 'replication', 'master_link_status:up', 20_000);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const signal = (port: number, sig: NodeJS.Signals) => {
    const child = byPort.get(port);
    if (child === undefined) throw new Error(`no cluster node on port ${port}`);
    child.kill(sig);
  };
  return { nodes, signal, stop };
}

/** Waits until `INFO section` of the server on `port` contains `text`. */
async function waitForInfo(port: number, section: string, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { stdout } = await run('redis-cli', ['-h', HOST, '-p', String(port), 'INFO', section]);
    if (stdout.includes(text)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} never reported ${text}`);
    await sleep(50);
  }
}

/** Whether something at host:port answers a Redis PING within `timeoutMs`. */
export function ping(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Every server this process started, killed if the process exits before its afterAll ran.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

async function launch(args: readonly string[], port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (e) => {
      reject(
        new Error(
          `cannot start redis-server (${e.message}): install it (apt-get install redis-server) or set REDIS_URL`,
        ),
      );
    });
    child.once('exit', (code, signal) => {
      live.delete(child);
      reject(
        new Error(`redis-server on port ${port} exited (${code ?? signal}) before answering:\n${output}`),
      );
    });
  });
  failed.catch(() => {});
  const deadline = Date.now() + 10_000;
  while (!(await Promise.race([ping(HOST, port, 200), failed]))) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${output}`);
    }
    await sleep(20);
  }
  // Its output is only needed while starting; keep the pipes drained afterwards.
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
    // A stopped process must be continued to act on anything but SIGKILL.
    if (signal !== 'SIGKILL') child.kill('SIGCONT');
    child.kill(signal);
  });
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
