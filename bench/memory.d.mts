// Types of bench/memory.mjs, for the tests that import it.

/** How many distinct addresses each store is filled with, and the spray's length and sampling step. */
export interface MemoryProfile {
  sizes: readonly number[];
  spray: number;
  sprayEvery: number;
}

export declare const MEMORY_PROFILES: { readonly full: MemoryProfile; readonly quick: MemoryProfile };
export declare const MEMORY_STORES: readonly { readonly id: string; readonly name: string }[];
export declare const PLATEAU_TOLERANCE: number;

export interface MemoryPoint {
  ips: number;
  /** Heap plus array buffers, per distinct address. */
  bytesPerIp: number;
  heapBytesPerIp: number;
  arrayBufferBytesPerIp: number;
  heapBytes: number;
  arrayBufferBytes: number;
  rssBytes: number;
  fillMs: number;
  /** Peers only: their bytes per address over Tollgate's at the same size. */
  vsTollgate?: number;
}

export interface MemoryStoreResult {
  id: string;
  name: string;
  points: MemoryPoint[];
  /** Bytes per address between the smallest and largest size, fixed costs left out. */
  marginalBytesPerIp: number | undefined;
  marginalVsTollgate?: number;
}

export interface SpraySample {
  checks: number;
  heapUsed: number;
  arrayBuffers: number;
  external: number;
  rss: number;
}

export interface SprayResult {
  ips: number;
  sampleEvery: number;
  ms: number;
  refused: number;
  firstAddressEvicted: boolean;
  baselineHeapBytes: number;
  maxHeapBytes: number;
  maxRssBytes: number;
  firstHalfMaxHeapBytes: number;
  secondHalfMaxHeapBytes: number;
  secondHalfGrowthPct: number;
  unboundedEstimateBytes: number | undefined;
  bounded: boolean;
  verdict: 'bounded' | 'NOT bounded';
  samples: SpraySample[];
}

export interface MemoryResult {
  setup: { sizes: readonly number[]; plateauTolerancePct: number } & Record<string, unknown>;
  stores: MemoryStoreResult[];
  /** `stores` flattened: one row per store and size. */
  perIp: { store: string; name: string; ips: number; bytesPerIp: number }[];
  spray: SprayResult;
}

export type Table = (header: string[], rows: string[][]) => string;

export declare function runMemoryBenchmark(profile: MemoryProfile): Promise<MemoryResult>;
export declare function printMemoryResult(result: MemoryResult, table: Table): string[];
