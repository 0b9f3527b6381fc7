// Types of bench/scaling.mjs, for the tests that import it.

/** The sizes of each axis, and tinybench's settings per point. */
export interface ScalingProfile {
  keys: readonly number[];
  patterns: readonly number[];
  ips: readonly number[];
  batch: number;
  timeMs: number;
  warmupMs: number;
}

export type ScalingAxis = 'keys' | 'patterns' | 'ips';

export declare const SCALING_PROFILES: { readonly full: ScalingProfile; readonly quick: ScalingProfile };
export declare const FLAT_RATIO: number;
export declare const SCALING_SERIES: readonly {
  readonly id: string;
  readonly axis: ScalingAxis;
  readonly name: string;
  readonly reference?: boolean;
}[];

export interface ScalingPoint {
  size: number;
  distinctInputs: number;
  meanNs: number;
  p50Ns: number;
  p99Ns: number;
  minNs: number;
  maxNs: number;
  sdNs: number;
  rmePct: number;
  opsPerSec: number;
  samples: number;
  batch: number;
}

export interface ScalingSeries {
  id: string;
  axis: ScalingAxis;
  name: string;
  reference: boolean;
  points: ScalingPoint[];
  flatness: { ratio: number; fastestAt: number; slowestAt: number };
  flat: boolean;
  verdict: 'flat' | 'NOT flat';
}

export interface ScalingResult {
  setup: { flatRatio: number; batch: number; timeMsPerPoint: number; warmupMsPerPoint: number } & Record<
    string,
    unknown
  >;
  series: ScalingSeries[];
}

export type Table = (header: string[], rows: string[][]) => string;

export declare function runScalingBenchmark(profile: ScalingProfile): Promise<ScalingResult>;
export declare function printScalingResult(result: ScalingResult, table: Table): string[];
export declare function spinScalingPoint(seriesId: string, size: number, ms: number): number;
