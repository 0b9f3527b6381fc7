// Decision metrics on the real OpenTelemetry SDK: counter series by key id, outcome and code; latency buckets.

import type { Meter } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Decision } from '../src/decision.js';
import {
  CHECK_DURATION_BUCKETS_MS,
  CHECK_DURATION_METRIC,
  createDecisionMetrics,
  DAILY_LIMIT_METRIC,
  DAILY_USED_METRIC,
  DECISIONS_METRIC,
  STORE_FAILURES_METRIC,
} from '../src/decision-metrics.js';
import { createEngine, type Engine } from '../src/engine.js';
import { TollgateError } from '../src/errors.js';
import type { FailureMode } from '../src/events.js';
import { createMemoryStore } from '../src/memory-store.js';
import type { Store } from '../src/store.js';
import { BACKEND_KEY, examplePolicy, manualClock, NOON_UTC, OPEN_KEY, WEB_KEY } from './fixtures.js';

const UNKNOWN_KEY = 'pk_live_nope_0000000000';
const WEB = { apiKey: WEB_KEY, origin: 'https://shop.example.com', ip: '203.0.113.9' };

const providers: MeterProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
  vi.restoreAllMocks();
});

/** A real MeterProvider whose metrics the test reads back on demand. */
function sdk() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // The interval never fires during a test: collect() exports on demand.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  return {
    meter: provider.getMeter('tollgate-test'),
    async collect(): Promise<Map<string, MetricData>> {
      exporter.reset();
      await provider.forceFlush();
      const out = new Map<string, MetricData>();
      for (const scope of exporter.getMetrics().at(-1)?.scopeMetrics ?? []) {
        for (const metric of scope.metrics) out.set(metric.descriptor.name, metric);
      }
      return out;
    },
  };
}

function sync(engine: Engine, input: Parameters<Engine['check']>[0]): Decision {
  const d = engine.check(input);
  if (d instanceof Promise) throw new Error('memory-store checks must be synchronous');
  return d;
}

/** The value of the counter series with exactly these attributes, 0 when there is none. */
function counterValue(metric: MetricData | undefined, attributes: Record<string, string>): number {
  if (metric?.dataPointType !== DataPointType.SUM) throw new Error('expected a sum');
  const point = metric.dataPoints.find((p) => JSON.stringify(p.attributes) === JSON.stringify(attributes));
  return point?.value ?? 0;
}

/** A run of real decisions: 3 allowed, one of each 401, a 403 and a 429. */
function decideSome(): Decision[] {
  const clock = manualClock(NOON_UTC);
  const engine = createEngine({ policy: examplePolicy({ webPerIp: 2 }), now: clock.now });
  return [
    sync(engine, WEB),
    sync(engine, WEB),
    sync(engine, WEB), // the third from this address: 429 ip_daily_limit
    sync(engine, { apiKey: BACKEND_KEY, ip: '198.51.100.4' }),
    sync(engine, { ip: '198.51.100.1' }), // 401 missing_key
    sync(engine, { apiKey: UNKNOWN_KEY, ip: '198.51.100.1' }), // 401 unknown_key
    sync(engine, { apiKey: UNKNOWN_KEY, ip: '198.51.100.2' }),
    sync(engine, { apiKey: WEB_KEY, ip: '203.0.113.9' }), // 403 origin_required
  ];
}

describe('createDecisionMetrics', () => {
  it('counts decisions of a real engine by key id, outcome and code', async () => {
    const { meter, collect } = sdk();
    const metrics = createDecisionMetrics(meter);
    const decisions = decideSome();
    expect(decisions.map((d) => d.code)).toEqual([
      'ok',
      'ok',
      'ip_daily_limit',
      'ok',
      'missing_key',
      'unknown_key',
      'unknown_key',
      'origin_required',
    ]);
    for (const d of decisions) metrics.record(d, 0.003);

    const counter = (await collect()).get(DECISIONS_METRIC);
    expect(counter?.descriptor).toMatchObject({ unit: '{decision}', type: 'COUNTER' });
    expect(counter?.descriptor.description).not.toBe('');
    const series = (key: string, outcome: string, code: string) =>
      counterValue(counter, { 'tollgate.key_id': key, 'tollgate.outcome': outcome, 'tollgate.code': code });
    expect(series('shop-web', 'allowed', 'ok')).toBe(2);
    expect(series('shop-web', 'refused', 'ip_daily_limit')).toBe(1);
    expect(series('shop-web', 'refused', 'origin_required')).toBe(1);
    expect(series('shop-backend', 'allowed', 'ok')).toBe(1);
    expect(series('unknown', 'refused', 'missing_key')).toBe(1);
    expect(series('unknown', 'refused', 'unknown_key')).toBe(2);
    expect(counter?.dataPoints).toHaveLength(6);
  });

  it('records latency by outcome and code, into the sub-millisecond buckets it advises', async () => {
    const { meter, collect } = sdk();
    const metrics = createDecisionMetrics(meter);
    const [ok1, ok2, capped, , missing] = decideSome() as [Decision, Decision, Decision, Decision, Decision];
    metrics.record(ok1, 0.004); // ≤ 0.005
    metrics.record(ok2, 0.3); // ≤ 0.5
    metrics.record(capped, 0.02); // ≤ 0.025
    metrics.record(missing, 1_000); // above the last bound
    metrics.record(missing, Number.NaN); // counted, not timed
    metrics.record(missing, -1); // counted, not timed

    const collected = await collect();
    const histogram = collected.get(CHECK_DURATION_METRIC);
    expect(histogram?.descriptor).toMatchObject({ unit: 'ms', type: 'HISTOGRAM' });
    if (histogram?.dataPointType !== DataPointType.HISTOGRAM) throw new Error('expected a histogram');
    const point = (outcome: string, code: string) => {
      const p = histogram.dataPoints.find(
        (d) => d.attributes['tollgate.outcome'] === outcome && d.attributes['tollgate.code'] === code,
      );
      if (p === undefined) throw new Error(`no ${outcome}/${code} histogram point`);
      // The histogram carries no key id: a series per key and code would multiply for nothing.
      expect(Object.keys(p.attributes).sort()).toEqual(['tollgate.code', 'tollgate.outcome']);
      return p.value;
    };
    const bucketOf = (ms: number) => CHECK_DURATION_BUCKETS_MS.findIndex((b) => ms <= b);

    const allowed = point('allowed', 'ok');
    expect(allowed.buckets.boundaries).toEqual(CHECK_DURATION_BUCKETS_MS);
    expect(allowed.count).toBe(2);
    expect(allowed.sum).toBeCloseTo(0.304, 9);
    expect(allowed.buckets.counts[bucketOf(0.004)]).toBe(1);
    expect(allowed.buckets.counts[bucketOf(0.3)]).toBe(1);
    expect(point('refused', 'ip_daily_limit').buckets.counts[bucketOf(0.02)]).toBe(1);
    const slow = point('refused', 'missing_key');
    expect(slow.count).toBe(1);
    expect(slow.buckets.counts.at(-1)).toBe(1); // the +Inf bucket
    expect(
      counterValue(collected.get(DECISIONS_METRIC), {
        'tollgate.key_id': 'unknown',
        'tollgate.outcome': 'refused',
        'tollgate.code': 'missing_key',
      }),
    ).toBe(3);
  });

  it("gauges each capped key's count and cap for the day, 0 from the key's midnight on", async () => {
    const { meter, collect } = sdk();
    const clock = manualClock(NOON_UTC);
    const engine = createEngine({
      policy: examplePolicy({ webPerIp: 5, webDaily: 4 }),
      meter,
      now: clock.now,
    });
    for (let i = 0; i < 5; i++) sync(engine, WEB); // 4 allowed, then 429 daily_limit
    sync(engine, { apiKey: BACKEND_KEY, ip: '198.51.100.4' });
    sync(engine, { apiKey: OPEN_KEY, ip: '198.51.100.4' }); // no daily cap: no gauge
    sync(engine, { apiKey: UNKNOWN_KEY, ip: '198.51.100.1' }); // no key: no gauge

    const gauges = async () => {
      const collected = await collect();
      const read = (name: string) => {
        const metric = collected.get(name);
        expect(metric?.descriptor).toMatchObject({ unit: '{request}', type: 'OBSERVABLE_GAUGE' });
        if (metric?.dataPointType !== DataPointType.GAUGE) throw new Error(`${name}: expected a gauge`);
        for (const p of metric.dataPoints) expect(Object.keys(p.attributes)).toEqual(['tollgate.key_id']);
        return Object.fromEntries(metric.dataPoints.map((p) => [p.attributes['tollgate.key_id'], p.value]));
      };
      return { used: read(DAILY_USED_METRIC), limit: read(DAILY_LIMIT_METRIC) };
    };
    expect(await gauges()).toEqual({
      used: { 'shop-web': 4, 'shop-backend': 1 },
      limit: { 'shop-web': 4, 'shop-backend': 20 },
    });

    // London's midnight comes first (UTC+0 in November), New York's five hours later.
    clock.set(Date.UTC(2026, 10, 24, 0, 0, 1));
    expect((await gauges()).used).toEqual({ 'shop-web': 0, 'shop-backend': 1 });
    sync(engine, WEB);
    clock.set(Date.UTC(2026, 10, 24, 5, 0, 1));
    expect(await gauges()).toEqual({
      used: { 'shop-web': 1, 'shop-backend': 0 },
      limit: { 'shop-web': 4, 'shop-backend': 20 },
    });
  });

  it.each([
    ['fail-closed', 'sync'],
    ['fail-open', 'async'],
    ['fallback', 'sync'],
    ['fallback', 'async'],
  ] as const)(
    'counts each check whose store failed (%s, %s store), from 0 at setup',
    async (failureMode, mode) => {
      const { meter, collect } = sdk();
      // A real memory store behind a switch: while down, every consume throws or rejects, as a
      // Redis store does when Redis is unreachable.
      const inner = createMemoryStore();
      let down = false;
      const store: Store = {
        consume(specs, now) {
          if (mode === 'async') {
            return down
              ? Promise.reject(new Error('connection is closed'))
              : Promise.resolve(inner.consume(specs, now));
          }
          if (down) throw new Error('connection is closed');
          return inner.consume(specs, now);
        },
      };
      const engine = createEngine({
        policy: examplePolicy({ webPerIp: 100 }),
        store,
        failureMode: failureMode as FailureMode,
        meter,
        now: manualClock(NOON_UTC).now,
      });
      const failures = async () =>
        counterValue((await collect()).get(STORE_FAILURES_METRIC), { 'tollgate.failure_mode': failureMode });
      expect(await failures()).toBe(0); // the series exists before the first failure
      expect((await collect()).get(STORE_FAILURES_METRIC)?.descriptor).toMatchObject({
        unit: '{check}',
        type: 'COUNTER',
      });

      await engine.check(WEB);
      down = true;
      const during = [];
      for (let i = 0; i < 3; i++) during.push(await engine.check(WEB));
      await engine.check({ apiKey: OPEN_KEY, ip: '198.51.100.4' }); // uncapped: never asks the store
      down = false;
      await engine.check(WEB);
      expect(during.map((d) => d.code)).toEqual(
        Array(3).fill(failureMode === 'fail-closed' ? 'store_unavailable' : 'ok'),
      );
      expect(await failures()).toBe(3);
    },
  );

  it('never puts a key in an attribute value', async () => {
    const { meter, collect } = sdk();
    const metrics = createDecisionMetrics(meter);
    for (const d of decideSome()) metrics.record(d, 0.01);
    const values = [...(await collect()).values()].flatMap((m) =>
      (m.dataPoints as readonly { attributes: Record<string, unknown> }[]).flatMap((p) =>
        Object.values(p.attributes).map(String),
      ),
    );
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) {
      for (const secret of [WEB_KEY, BACKEND_KEY, UNKNOWN_KEY, 'pk_live_', 'sk_live_'])
        expect(v).not.toContain(secret);
    }
  });

  it('never throws into the request when the meter does, and warns once', () => {
    const broken = {
      createCounter: () => ({
        add: () => {
          throw new Error('exporter on fire');
        },
      }),
      createHistogram: () => ({ record: () => {} }),
    } as unknown as Meter;
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const metrics = createDecisionMetrics(broken);
    const [d] = decideSome() as [Decision];
    expect(() => {
      metrics.record(d, 0.01);
      metrics.record(d, 0.01);
    }).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('exporter on fire');
  });

  it.each([undefined, null, {}, { createCounter: () => ({}) }])(
    'rejects %j as a meter with ERR_TOLLGATE_INVALID_OPTIONS',
    (meter) => {
      try {
        createDecisionMetrics(meter as unknown as Meter);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(TollgateError);
        expect((e as TollgateError).code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
      }
    },
  );
});
