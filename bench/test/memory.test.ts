// Smoke test: the memory benchmark runs in its quick form and reports every store at every size, and the spray.

import { beforeAll, describe, expect, it } from 'vitest';
import {
  MEMORY_PROFILES,
  MEMORY_STORES,
  type MemoryResult,
  printMemoryResult,
  runMemoryBenchmark,
} from '../memory.mjs';

const table = (header: string[], rows: string[][]) => [header, ...rows].map((r) => r.join(' | ')).join('\n');

describe('bench/memory.mjs, quick profile', () => {
  let result: MemoryResult;
  beforeAll(async () => {
    result = await runMemoryBenchmark(MEMORY_PROFILES.quick);
  }, 60_000);

  it('measures every store at every size, with positive bytes per address', () => {
    expect(result.stores.map((s) => s.id)).toEqual(MEMORY_STORES.map((s) => s.id));
    for (const store of result.stores) {
      expect(store.points.map((p) => p.ips)).toEqual(MEMORY_PROFILES.quick.sizes);
      for (const p of store.points) {
        expect(p.bytesPerIp, `${store.id} at ${p.ips}`).toBeGreaterThan(0);
        expect(p.heapBytesPerIp, `${store.id} at ${p.ips}`).toBeGreaterThan(0);
      }
      expect(store.marginalBytesPerIp).toEqual(expect.any(Number));
    }
  });

  it('lists the same numbers as one row per store and size', () => {
    expect(result.perIp).toHaveLength(MEMORY_STORES.length * MEMORY_PROFILES.quick.sizes.length);
    for (const row of result.perIp) expect(row.bytesPerIp).toBeGreaterThan(0);
  });

  it('compares every peer with Tollgate', () => {
    for (const store of result.stores.slice(1)) {
      for (const p of store.points) expect(p.vsTollgate).toBeGreaterThan(0);
    }
  });

  it('sprays Tollgate past its default bounds and gives a verdict', () => {
    const { spray } = result;
    const { spray: ips, sprayEvery } = MEMORY_PROFILES.quick;
    expect(spray.ips).toBe(ips);
    expect(spray.refused).toBe(0);
    // The default store holds 100,000 counters: the first address's is gone by the end.
    expect(spray.firstAddressEvicted).toBe(true);
    expect(spray.samples.map((s) => s.checks)).toEqual(
      Array.from({ length: ips / sprayEvery + 1 }, (_, i) => i * sprayEvery),
    );
    expect(spray.maxHeapBytes).toBeGreaterThan(spray.baselineHeapBytes);
    expect(['bounded', 'NOT bounded']).toContain(spray.verdict);
    expect(spray.bounded).toBe(spray.verdict === 'bounded');
  });

  it('prints a table per measurement and the verdict', () => {
    const text = printMemoryResult(result, table).join('\n');
    for (const store of MEMORY_STORES) expect(text).toContain(store.name);
    expect(text).toMatch(/: (BOUNDED|NOT BOUNDED) \(at most \+\d+% allowed\)/);
  });
});
