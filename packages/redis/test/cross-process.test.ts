// Exact caps across processes: four Express servers share one Redis (or Cluster) and are hammered at once.

import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Policy, ThresholdEvent, TollgateEvent } from '@tollgate/core';
import {
  findRedis,
  type RedisCluster,
  type RedisTarget,
  startRedisCluster,
  uniquePrefix,
} from '@tollgate/testkit/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, IOREDIS_MAJOR, Redis } from './support/ioredis.js';
import { IOREDIS_PACKAGES } from './support/ioredis-majors.js';

const WORKERS = 4;
const CONCURRENCY = 32;
const here = path.dirname(fileURLToPath(import.meta.url));
const packages = path.resolve(here, '../..');

const DAILY_KEY = 'sk_test_cross_daily_0123456789';
const IP_KEY = 'sk_test_cross_perip_0123456789';
/** `cross-daily` runs out for the day before its addresses do; `cross-ip`'s addresses run out first. */
const POLICY: Policy = {
  sourceIpHeader: 'X-Source-IP',
  keys: [
    {
      id: 'cross-daily',
      key: DAILY_KEY,
      dailyLimit: 150,
      perIpDailyLimit: 40,
      ipForwarding: true,
      timeZone: 'UTC',
    },
    {
      id: 'cross-ip',
      key: IP_KEY,
      dailyLimit: 1_000,
      perIpDailyLimit: 20,
      ipForwarding: true,
      timeZone: 'UTC',
    },
  ],
};
const DAILY_IPS = Array.from({ length: 6 }, (_, i) => `198.51.100.${i + 1}`);
const PER_IP_IPS = Array.from({ length: 8 }, (_, i) => `203.0.113.${i + 1}`);
const DAILY_REQUESTS_PER_IP = 50;
const PER_IP_REQUESTS_PER_IP = 40;

interface Worker {
  child: ChildProcess;
  port: number;
  events: TollgateEvent[];
  stopped: Promise<void>;
}

interface Sent {
  port: number;
  key: string;
  ip: string;
  status: number;
  code?: string;
}

// The workers load dist/, so a build older than the source would test old code.
function assertBuilt(): void {
  for (const pkg of ['core', 'express', 'redis']) {
    if (!fs.existsSync(path.join(packages, pkg, 'dist', 'index.js'))) {
      throw new Error(
        `packages/${pkg}/dist is missing: run \`npx -y pnpm@10.34.8 -r --filter "./packages/**" build\` first`,
      );
    }
  }
  const built = fs.statSync(path.join(packages, 'redis', 'dist', 'index.js')).mtimeMs;
  const src = path.join(packages, 'redis', 'src');
  const stale = fs.readdirSync(src).filter((f) => fs.statSync(path.join(src, f)).mtimeMs > built);
  if (stale.length > 0) {
    throw new Error(
      `packages/redis/dist is older than src (${stale.join(', ')}): run \`npx -y pnpm@10.34.8 --filter @tollgate/redis build\``,
    );
  }
}

function startWorker(config: object): Promise<Worker> {
  const child = fork(path.join(here, 'support', 'express-worker.mjs'), [], {
    env: { ...process.env, TOLLGATE_WORKER: JSON.stringify(config) },
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const events: TollgateEvent[] = [];
  let stoppedResolve: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stoppedResolve = resolve;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in 10 s:\n${stderr}`)), 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      stoppedResolve();
      reject(new Error(`worker exited (${code}) before listening:\n${stderr}`));
    });
    child.on('message', (m: { type: string; port?: number; event?: TollgateEvent }) => {
      if (m.type === 'listening') {
        clearTimeout(timer);
        resolve({ child, port: m.port as number, events, stopped });
      } else if (m.type === 'event') {
        events.push(m.event as TollgateEvent);
      } else if (m.type === 'stopped') {
        stoppedResolve();
      }
    });
  });
}

/** Every request of a run, shuffled with a fixed seed so both topologies see the same order. */
function requests(): { key: string; ip: string }[] {
  const list: { key: string; ip: string }[] = [];
  for (const ip of DAILY_IPS)
    for (let i = 0; i < DAILY_REQUESTS_PER_IP; i++) list.push({ key: DAILY_KEY, ip });
  for (const ip of PER_IP_IPS)
    for (let i = 0; i < PER_IP_REQUESTS_PER_IP; i++) list.push({ key: IP_KEY, ip });
  let seed = 20261123;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j] as { key: string; ip: string }, list[i] as { key: string; ip: string }];
  }
  return list;
}

async function hammer(workers: readonly Worker[]): Promise<Sent[]> {
  const queue = requests().map((r, i) => ({ ...r, port: (workers[i % workers.length] as Worker).port }));
  const sent: Sent[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const res = await fetch(`http://127.0.0.1:${next.port}/lookup`, {
          headers: { 'X-Api-Key': next.key, 'X-Source-IP': next.ip },
        });
        const body = (await res.json()) as { code?: string };
        sent.push({
          port: next.port,
          key: next.key,
          ip: next.ip,
          status: res.status,
          ...(body.code ? { code: body.code } : {}),
        });
      }
    }),
  );
  return sent;
}

function topology(
  name: string,
  setup: (prefix: string) => Promise<{ worker: object; client: Redis | Cluster; stop(): Promise<void> }>,
): void {
  describe(`four Express processes on ${name}`, () => {
    const prefix = uniquePrefix('cross');
    let env: Awaited<ReturnType<typeof setup>>;
    let workers: Worker[] = [];

    beforeAll(async () => {
      assertBuilt();
      env = await setup(prefix);
      workers = await Promise.all(
        Array.from({ length: WORKERS }, () =>
          startWorker({
            ...env.worker,
            prefix,
            policy: POLICY,
            timeoutMs: 2_000,
            ioredis: IOREDIS_PACKAGES[IOREDIS_MAJOR],
          }),
        ),
      );
    });
    afterAll(async () => {
      for (const w of workers) w.child.kill('SIGKILL');
      await env?.stop();
    });

    it('allows exactly the caps in total and fires each threshold event exactly once', async () => {
      const sent = await hammer(workers);
      for (const w of workers) w.child.send('stop');
      await Promise.all(workers.map((w) => w.stopped));

      expect(sent.filter((s) => s.status !== 200 && s.status !== 429)).toEqual([]);
      const ok = (key: string, ip?: string) =>
        sent.filter((s) => s.key === key && (ip === undefined || s.ip === ip) && s.status === 200).length;

      // cross-daily: the day's cap binds first, so exactly 150 pass, none over its address cap.
      expect(ok(DAILY_KEY)).toBe(150);
      for (const ip of DAILY_IPS) expect(ok(DAILY_KEY, ip)).toBeLessThanOrEqual(40);
      // cross-ip: every address gets exactly its 20.
      for (const ip of PER_IP_IPS) expect(ok(IP_KEY, ip)).toBe(20);
      expect(new Set(sent.filter((s) => s.status === 429).map((s) => s.code))).toEqual(
        new Set(['daily_limit', 'ip_daily_limit']),
      );

      const events = workers.flatMap((w) => w.events);
      expect(events.filter((e) => e.type === 'store_error')).toEqual([]);
      const thresholds = (events as ThresholdEvent[]).map(({ keyId, threshold, count, limit }) => ({
        keyId,
        threshold,
        count,
        limit,
      }));
      expect(thresholds.sort((a, b) => a.threshold - b.threshold)).toEqual([
        { keyId: 'cross-daily', threshold: 0.9, count: 135, limit: 150 },
        { keyId: 'cross-daily', threshold: 1, count: 150, limit: 150 },
      ]);
      // Every process allowed some of them: the exactness is not one worker's doing.
      for (const w of workers)
        expect(sent.filter((s) => s.port === w.port && s.status === 200).length).toBeGreaterThan(50);

      const day = new Date().toISOString().slice(0, 10);
      // The keys are in UTC: their day ends at the next UTC midnight, which their names carry.
      const at = `@${(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toString(36)}`;
      expect(await env.client.get(`${prefix}{cross-daily:${day}}:daily${at}`)).toBe('150');
      expect(await env.client.get(`${prefix}{cross-ip:${day}}:daily${at}`)).toBe('160');
    });
  });
}

topology('one Redis', async (prefix) => {
  const target: RedisTarget = await findRedis();
  const client = new Redis(target.url);
  return {
    worker: { url: target.url },
    client,
    // The shared server outlives the test: remove what this run wrote there.
    stop: async () => {
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.unlink(...keys);
      client.disconnect();
      await target.stop();
    },
  };
});

topology('a 3-master Redis Cluster', async () => {
  const cluster: RedisCluster = await startRedisCluster(3);
  const client = new Cluster([...cluster.nodes]);
  return {
    worker: { cluster: cluster.nodes },
    client,
    stop: async () => {
      client.disconnect();
      await cluster.stop();
    },
  };
});
