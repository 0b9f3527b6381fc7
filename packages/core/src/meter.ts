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
  /** Optional: without it (an old or partial Meter) the daily usage gauges are left out. */
  createObservableGauge?(name: string, options?: InstrumentOptions): ObservableGaugeLike;
}

/** What an observable gauge's callback is handed, as OpenTelemetry passes it. */
export interface ObservableResultLike {
  observe(value: number, attributes?: MetricAttributes): void;
}

/** An observable gauge, as `meter.createObservableGauge()` returns it. */
export interface ObservableGaugeLike {
  addCallback(callback: (result: ObservableResultLike) => void): void;
}
