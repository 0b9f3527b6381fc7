// OpenTelemetry metrics for decisions: counts by key id, outcome and code, latency, store failures, daily usage.
//
// `@opentelemetry/api` is an optional peer dependency: nothing of it is loaded, not even its types
// (meter.ts declares the shapes used), and the caller hands in the Meter it already uses.

import { DailyUsageTable } from './daily-usage.js';
import type { Decision } from './decision.js';
import type { FailureMode } from './events.js';
import type {
  CounterLike,
  HistogramLike,
  MeterLike,
  MetricAttributes,
  ObservableGaugeLike,
} from './meter.js';
import { invalidOption } from './option-reader.js';

/** Name of the decision counter (Prometheus: `tollgate_decisions_total`). */
export const DECISIONS_METRIC = 'tollgate.decisions';
/** Name of the check-latency histogram, in milliseconds (Prometheus: `tollgate_check_duration_*`). */
export const CHECK_DURATION_METRIC = 'tollgate.check.duration';

/** Name of the counter of checks whose store call failed (Prometheus: `tollgate_store_failures_total`). */
export const STORE_FAILURES_METRIC = 'tollgate.store.failures';
/** Name of the gauge of each key's allowed requests so far today (Prometheus: `tollgate_daily_used`). */
export const DAILY_USED_METRIC = 'tollgate.daily.used';
/** Name of the gauge of each key's daily cap (Prometheus: `tollgate_daily_limit`). */
export const DAILY_LIMIT_METRIC = 'tollgate.daily.limit';

/**
 * Histogram bucket bounds in milliseconds. A memory-store check takes a few microseconds and
 * a Redis one a fraction of a millisecond; the top buckets catch store timeouts (50 ms by
 * default in the Redis store). The SDK's default bounds start at 5 ms and would put every
 * healthy check into the first bucket.
 */
export const CHECK_DURATION_BUCKETS_MS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250,
]);

/** The `tollgate.key_id` value of decisions made before a key was identified (401s, preflights). */
export const UNKNOWN_KEY_ID = 'unknown';

/**
 * Records decisions on OpenTelemetry instruments. Made once at setup; `record` runs per request.
 *
 * @example
 * const metrics = createDecisionMetrics(meter);
 * const started = performance.now();
 * const decision = await engine.check(input);
 * metrics.record(decision, performance.now() - started);
 */
export interface DecisionMetrics {
  /**
   * Counts the decision on `tollgate.decisions` and, when `durationMs` is a finite number
   * of milliseconds ≥ 0, adds it to `tollgate.check.duration`. Never throws.
   */
  record(decision: Decision, durationMs: number): void;
  /** Counts one check whose store call failed on `tollgate.store.failures`. Never throws. */
  storeFailed(): void;
}

/** What the engine tells the metrics besides the Meter. */
export interface DecisionMetricsOptions {
  /** The engine's clock, which says when a key's day has ended. Default: `Date.now`. */
  readonly now?: () => number;
  /**
   * The engine's failure mode, the `tollgate.failure_mode` of `tollgate.store.failures`.
   * When given, that series is created at 0 at once, so a dashboard shows 0 rather than no
   * data before the first failure.
   */
  readonly failureMode?: FailureMode;
}

/**
 * Creates the decision instruments on `meter`:
 *
 * - `tollgate.decisions`, a counter (unit `{decision}`) with the attributes `tollgate.key_id`
 *   (the policy id, `'unknown'` before the key is known; never the key), `tollgate.outcome`
 *   (`'allowed'` or `'refused'`) and `tollgate.code` (the decision code);
 * - `tollgate.check.duration`, a histogram in `ms` with `tollgate.outcome` and `tollgate.code`,
 *   whose bucket bounds ({@link CHECK_DURATION_BUCKETS_MS}) suit sub-millisecond checks;
 * - `tollgate.store.failures`, a counter (unit `{check}`) with `tollgate.failure_mode`: checks
 *   whose store call failed and were decided by the failure mode instead (one per check, where
 *   the `store_error` event is coalesced to one a second);
 * - `tollgate.daily.used` and `tollgate.daily.limit`, gauges with `tollgate.key_id`, for keys
 *   with a `dailyLimit`: the count and cap of the key's last decision in this process, read at
 *   collection time (the count reads 0 once the key's day has ended by `now`). Skipped when the
 *   meter has no `createObservableGauge`.
 *
 * Throws `ERR_TOLLGATE_INVALID_OPTIONS` when `meter` is not a Meter.
 *
 * @example
 * import { metrics } from '@opentelemetry/api';
 * const decisionMetrics = createDecisionMetrics(metrics.getMeter('tollgate'));
 */
export function createDecisionMetrics(
  meter: MeterLike,
  options: DecisionMetricsOptions = {},
): DecisionMetrics {
  if (
    meter === null ||
    typeof meter !== 'object' ||
    typeof meter.createCounter !== 'function' ||
    typeof meter.createHistogram !== 'function'
  ) {
    throw invalidOption(
      'createDecisionMetrics',
      'meter',
      "expected an OpenTelemetry Meter, such as metrics.getMeter('tollgate')",
    );
  }
  const decisions: CounterLike = meter.createCounter(DECISIONS_METRIC, {
    description: 'Requests decided by Tollgate, by key id, outcome and decision code.',
    unit: '{decision}',
  });
  const duration: HistogramLike = meter.createHistogram(CHECK_DURATION_METRIC, {
    description: 'Time taken by one Tollgate check (engine.check), store round trip included.',
    unit: 'ms',
    advice: { explicitBucketBoundaries: [...CHECK_DURATION_BUCKETS_MS] },
  });
  const storeFailures: CounterLike = meter.createCounter(STORE_FAILURES_METRIC, {
    description: 'Checks whose store call failed, decided by the failure mode instead.',
    unit: '{check}',
  });
  const failureAttributes: MetricAttributes =
    options.failureMode === undefined ? {} : { 'tollgate.failure_mode': options.failureMode };
  const usage =
    typeof meter.createObservableGauge === 'function'
      ? usageGauges(meter as GaugeMeter, options.now ?? Date.now)
      : undefined;
  let warned = false;
  const failed = (e: unknown): void => {
    if (warned) return;
    warned = true;
    globalThis.process?.emitWarning?.(
      `tollgate: recording metrics failed (further failures are not reported): ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  };
  if (options.failureMode !== undefined) {
    try {
      storeFailures.add(0, failureAttributes);
    } catch (e) {
      failed(e);
    }
  }

  return {
    record(decision, durationMs) {
      // The OpenTelemetry API promises that instruments never throw, and the SDK reports its own
      // faults through `diag`. But the Meter is whatever the application passed in (another SDK,
      // a wrapper, a test double), and this runs inside every request: a metrics fault must not
      // turn into a failed request. So catch, and say so once rather than on every request.
      try {
        const outcome = decision.allowed ? 'allowed' : 'refused';
        // Cardinality stays bounded: key ids come from the policy (never from the request), so
        // there are at most (keys in the policy + 1) × (decision codes) counter series.
        const counted: MetricAttributes = {
          'tollgate.key_id': decision.keyId ?? UNKNOWN_KEY_ID,
          'tollgate.outcome': outcome,
          'tollgate.code': decision.code,
        };
        decisions.add(1, counted);
        if (Number.isFinite(durationMs) && durationMs >= 0) {
          duration.record(durationMs, { 'tollgate.outcome': outcome, 'tollgate.code': decision.code });
        }
        if (usage !== undefined && decision.keyId !== undefined) usage.note(decision.keyId, decision.limits);
      } catch (e) {
        failed(e);
      }
    },
    storeFailed() {
      try {
        storeFailures.add(1, failureAttributes);
      } catch (e) {
        failed(e);
      }
    },
  };
}

/** The daily usage gauges: a Map write per request, read when the exporter collects. */
type GaugeMeter = MeterLike & Required<Pick<MeterLike, 'createObservableGauge'>>;

function usageGauges(meter: GaugeMeter, now: () => number): DailyUsageTable {
  const table = new DailyUsageTable();
  const used: ObservableGaugeLike = meter.createObservableGauge(DAILY_USED_METRIC, {
    description:
      "Allowed requests counted today for each key with a daily cap, as of the key's last request.",
    unit: '{request}',
  });
  const limit: ObservableGaugeLike = meter.createObservableGauge(DAILY_LIMIT_METRIC, {
    description: 'The daily cap of each key with one.',
    unit: '{request}',
  });
  used.addCallback((result) => {
    for (const [keyId, u] of table.current(now())) result.observe(u.used, { 'tollgate.key_id': keyId });
  });
  limit.addCallback((result) => {
    for (const [keyId, u] of table.current(now())) result.observe(u.limit, { 'tollgate.key_id': keyId });
  });
  return table;
}
