// Smoke test: the benchmark runs end to end in its tiny --quick form and reports every contender.

import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRedis, type RedisTarget } from '@tollgate/testkit/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

interface Variant {
  id: string;
  name: string;
  requestsPerSec: { median: number; mean: number; min: number; max: number; rounds: number[] };
  latencyMs: { p50: number; p99: number };
  completed: number;
  errors: number;
  non2xx: number;
  ratio: number;
  costPct: number;
  cpuCostPct?: number;
}

describe('bench/run.mjs --quick', () => {
  let run: SpawnSyncReturns<string>;
  let redis: RedisTarget | undefined;
  beforeAll(async () => {
    // The Redis benchmark runs against the same Redis the Redis suites use (or one started for the run).
    redis = await findRedis();
    run = spawnSync(process.execPath, ['bench/run.mjs', '--quick', '--out', outDir], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 90_000,
      env: { ...process.env, REDIS_URL: redis.url },
    });
  }, 120_000);
  afterAll(async () => {
    await redis?.stop();
  });

  it('exits 0', () => {
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
  });

  it('prints the three contenders, each peer with a ratio to Tollgate', () => {
    expect(run.stdout).toContain('Tollgate engine.check');
    expect(run.stdout).toMatch(
      /Tollgate full check is \d+\.\d\d× (faster|slower) than rate-limiter-flexible/,
    );
    expect(run.stdout).toMatch(/Tollgate full check is \d+\.\d\d× (faster|slower) than express-rate-limit/);
    expect(run.stdout).toMatch(/Target: .*: (MET|MISSED)/);
  });

  it('writes JSON with the machine and a positive time for every contender', () => {
    const json = JSON.parse(readFileSync(join(outDir, 'decision.json'), 'utf8'));
    expect(json.mode).toBe('quick');
    expect(json.machine).toMatchObject({ cores: expect.any(Number), node: process.version });
    expect(json.contenders.map((c: { id: string }) => c.id)).toEqual([
      'tollgate',
      'rlf-awaited',
      'rlf-as-is',
      'erl-awaited',
      'erl-as-is',
    ]);
    for (const c of json.contenders) expect(c.meanNs).toBeGreaterThan(0);
  });

  it('runs the Redis benchmark: both contenders at every concurrency, and the exhausted-key share', () => {
    expect(run.stdout).toContain('== Redis benchmark (quick)');
    expect(run.stdout).toMatch(/Exhausted key: \d+ refused checks needed \d+ Redis round trips/);
    const json = JSON.parse(readFileSync(join(outDir, 'redis.json'), 'utf8'));
    expect(json.rows.map((r: { concurrency: number }) => r.concurrency)).toEqual([1, 4]);
    for (const row of json.rows) {
      expect(row.tollgatePerSec).toBeGreaterThan(0);
      expect(row.peerPerSec).toBeGreaterThan(0);
    }
    expect(json.exhausted.withoutRoundTripPct).toBe(100);
  });

  it('runs the WAIT variant beside Tollgate and the peer on a master with a replica, with ratios', () => {
    expect(run.stdout).toContain('waitForReplicas {"replicas":1,"timeoutMs":1000}');
    const json = JSON.parse(readFileSync(join(outDir, 'redis.json'), 'utf8'));
    expect(json.replicated.waitForReplicas).toEqual({ replicas: 1, timeoutMs: 1000 });
    expect(json.replicated.rows.map((r: { concurrency: number }) => r.concurrency)).toEqual([1, 4]);
    for (const row of json.replicated.rows) {
      for (const field of ['tollgatePerSec', 'waitPerSec', 'peerPerSec', 'waitVsTollgate', 'waitVsPeer']) {
        expect(row[field], field).toBeGreaterThan(0);
      }
      expect(row.waitVsTollgate).toBeCloseTo(row.waitPerSec / row.tollgatePerSec, 1);
    }
  });

  it('writes an SVG chart next to each JSON result', () => {
    for (const name of ['decision', 'http', 'redis', 'memory', 'scaling']) {
      const svg = readFileSync(join(outDir, `${name}.svg`), 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), name).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>'), name).toBe(true);
      expect(JSON.parse(readFileSync(join(outDir, `${name}.json`), 'utf8')).machine.node).toBe(
        process.version,
      );
    }
  });

  it('HTTP: prints a row for every server and the target', () => {
    expect(run.stdout).toContain('== HTTP overhead benchmark (quick)');
    for (const row of [
      'Express (bare)',
      'Express + @tollgate/express',
      'Express + express-rate-limit',
      'Koa + @tollgate/koa',
      'Koa + koa-ratelimit',
      'Fastify + @tollgate/fastify',
      'Fastify + @fastify/rate-limit',
    ]) {
      expect(run.stdout).toContain(row);
    }
    expect(run.stdout).toMatch(/Target: .*: (MET|MISSED) \(worst Tollgate cost -?\d+\.\d%/);
  });

  it('HTTP: writes JSON with three frameworks × three variants, positive numbers and ratios to bare', () => {
    const json = JSON.parse(readFileSync(join(outDir, 'http.json'), 'utf8'));
    expect(json.benchmark).toBe('http');
    expect(json.mode).toBe('quick');
    expect(json.setup.pinning.pinned).toEqual(expect.any(Boolean));
    expect(json.frameworks.map((f: { id: string }) => f.id)).toEqual(['express', 'koa', 'fastify']);
    for (const framework of json.frameworks) {
      const variants: Variant[] = framework.variants;
      expect(variants.map((v) => v.id)).toEqual(['bare', 'tollgate', 'peer']);
      for (const v of variants) {
        expect(v.requestsPerSec.median, `${framework.id}/${v.id}`).toBeGreaterThan(0);
        expect(v.requestsPerSec.rounds).toHaveLength(1);
        expect(v.completed).toBeGreaterThan(0);
        expect(v.latencyMs.p99).toBeGreaterThanOrEqual(v.latencyMs.p50);
        expect(v.errors).toBe(0);
        expect(v.non2xx).toBe(0);
        expect(v.ratio).toBeGreaterThan(0);
        expect(v.costPct).toBeCloseTo((1 - v.ratio) * 100, 0);
        // The server's CPU time comes from /proc, where there is one.
        if (existsSync('/proc/self/stat')) expect(v.cpuCostPct).toEqual(expect.any(Number));
      }
      expect(variants[0]?.ratio).toBe(1);
    }
    expect(json.target).toMatchObject({
      required: 3,
      measured: expect.any(Number),
      met: expect.any(Boolean),
    });
  });
});
