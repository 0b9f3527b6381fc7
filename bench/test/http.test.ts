// Smoke test: the HTTP benchmark runs end to end in its tiny --quick form and reports all nine servers.

import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-http-test-'));
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

describe('bench/http/main.mjs --quick', () => {
  let run: SpawnSyncReturns<string>;
  beforeAll(() => {
    // In its own process: the benchmark pins its own process to one CPU while it runs.
    run = spawnSync(process.execPath, ['bench/http/main.mjs', '--quick', '--out', outDir], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
  });

  it('exits 0', () => {
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
  });

  it('prints a row for every server and the target', () => {
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

  it('writes JSON with three frameworks × three variants, positive numbers and ratios to bare', () => {
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
