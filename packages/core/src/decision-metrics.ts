// OpenTelemetry metrics for decisions: a counter by key id, outcome and code, and a latency histogram.
//
// `@opentelemetry/api` is an optional peer dependency, so this file imports its types only:
// nothing of it is loaded at run time, and the caller hands in the Meter it already uses.

import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import type { Decision } from './decision.js';
import { invalidOption } from './option-reader.js';

/** Name of the decision counter (Prometheus: `tollgate_decisions_total`). */
export const DECISIONS_METRIC = 'tollgate.decisions';
/** Name of the check-latency histogram, in milliseconds (Prometheus: `tollgate_check_duration_*`). */
export const CHECK_DURATION_METRIC = 'tollgate.check.duration';

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
}

/**
 * Creates the decision instruments on `meter`:
 *
 * - `tollgate.decisions`, a counter (unit `{decision}`) with the attributes `tollgate.key_id`
 *   (the policy id, `'unknown'` before the key is known; never the key), `tollgate.outcome`
 *   (`'allowed'` or `'refused'`) and `tollgate.code` (the decision code);
 * - `tollgate.check.duration`, a histogram in `ms` with `tollgate.outcome` and `tollgate.code`,
 *   whose bucket bounds ({@link CHECK_DURATION_BUCKETS_MS}) suit sub-millisecond checks.
 *
 * Throws `ERR_TOLLGATE_INVALID_OPTIONS` when `meter` is not a Meter.
 *
 * @example
 * import { metrics } from '@opentelemetry/api';
 * const decisionMetrics = createDecisionMetrics(metrics.getMeter('tollgate'));
 */
export function createDecisionMetrics(meter: Meter): DecisionMetrics {
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
  const decisions: Counter = meter.createCounter(DECISIONS_METRIC, {
    description: 'Requests decided by Tollgate, by key id, outcome and decision code.',
    unit: '{decision}',
  });
  const duration: Histogram = meter.createHistogram(CHECK_DURATION_METRIC, {
    description: 'Time taken by one Tollgate check (engine.check), store round trip included.',
    unit: 'ms',
    advice: { explicitBucketBoundaries: [...CHECK_DURATION_BUCKETS_MS] },
  });
  let warned = false;

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
        const counted: Attributes = {
          'tollgate.key_id': decision.keyId ?? UNKNOWN_KEY_ID,
          'tollgate.outcome': outcome,
          'tollgate.code': decision.code,
        };
        decisions.add(1, counted);
        if (Number.isFinite(durationMs) && durationMs >= 0) {
          duration.record(durationMs, { 'tollgate.outcome': outcome, 'tollgate.code': decision.code });
        }
      } catch (e) {
        if (warned) return;
        warned = true;
        globalThis.process?.emitWarning?.(
          `tollgate: recording metrics failed (further failures are not reported): ${
            e instanceof Error ? e.message : String(e)
          }`,
        );
      }
    },
  };
}
