// Smoke test: the scaling benchmark runs in its quick form and reports every series at every size, with a verdict.

import { beforeAll, describe, expect, it } from 'vitest';
import {
  FLAT_RATIO,
  printScalingResult,
  runScalingBenchmark,
  SCALING_PROFILES,
  SCALING_SERIES,
  type ScalingResult,
} from '../scaling.mjs';

const table = (header: string[], rows: string[][]) => [header, ...rows].map((r) => r.join(' | ')).join('\n');

describe('bench/scaling.mjs, quick profile', () => {
  let result: ScalingResult;
  beforeAll(async () => {
    result = await runScalingBenchmark(SCALING_PROFILES.quick);
  }, 60_000);

  it('covers every series at every size of its axis, with a positive time per check', () => {
    expect(result.series.map((s) => s.id)).toEqual(SCALING_SERIES.map((s) => s.id));
    for (const s of result.series) {
      expect(s.points.map((p) => p.size)).toEqual(SCALING_PROFILES.quick[s.axis]);
      for (const p of s.points) {
        expect(p.meanNs, `${s.id} at ${p.size}`).toBeGreaterThan(0);
        expect(p.samples).toBeGreaterThan(0);
      }
    }
  });

  it('gives each series its flatness ratio and a verdict that follows from it', () => {
    for (const s of result.series) {
      expect(s.flatness.ratio).toBeGreaterThanOrEqual(1);
      expect(s.flat).toBe(s.flatness.ratio < FLAT_RATIO);
      expect(s.verdict).toBe(s.flat ? 'flat' : 'NOT flat');
    }
  });

  it('defeats the whitelist answer cache where it says so: each fresh-Origin point cycles more Origins than it holds', () => {
    for (const s of result.series.filter((x) => x.id.endsWith('-fresh'))) {
      for (const p of s.points) expect(p.distinctInputs).toBeGreaterThan(10_000);
    }
  });

  it('prints a table per axis and a verdict per series', () => {
    const text = printScalingResult(result, table).join('\n');
    for (const s of SCALING_SERIES) expect(text).toMatch(new RegExp(`${s.id}: .*: (FLAT|NOT FLAT)`));
  });
});
