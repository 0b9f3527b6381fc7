// The part of OpenTelemetry's metrics API that Tollgate calls, declared here rather than imported:
// `@opentelemetry/api` is an optional peer, and published types that import it would not compile
// for a user who leaves it out. Any real `Meter` fits these shapes (test/peer-types.test.ts pins
// that against the installed API).

/** Attributes of one measurement, as OpenTelemetry takes them. */
export type MetricAttributes = Record<string, string | number | boolean>;

/** What Tollgate passes when it creates an instrument. */
export interface InstrumentOptions {
  description?: string;
  unit?: string;
  /** Histogram bucket bounds to suggest to the SDK. */
  advice?: { explicitBucketBoundaries?: number[] };
}

/** A counter, as `meter.createCounter()` returns it. */
export interface CounterLike {
  add(value: number, attributes?: MetricAttributes): void;
}

/** A histogram, as `meter.createHistogram()` returns it. */
export interface HistogramLike {
  record(value: number, attributes?: MetricAttributes): void;
}

/**
 * An OpenTelemetry `Meter`, as far as Tollgate uses it: any `Meter` of `@opentelemetry/api` 1.x fits.
 *
 * @example
 * import { metrics } from '@opentelemetry/api';
 * createEngine({ policy, meter: metrics.getMeter('tollgate') });
 */
export interface MeterLike {
  createCounter(name: string, options?: InstrumentOptions): CounterLike;
  createHistogram(name: string, options?: InstrumentOptions): HistogramLike;
}
