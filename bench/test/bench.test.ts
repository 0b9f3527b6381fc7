// Smoke test: the benchmark runs end to end in its tiny --quick form and reports every contender.

import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRedis, type RedisTarget } from '@tollgate/testkit/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

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
});
