// The Prometheus recipe of docs/monitoring.md, run for real: an exporter on a loopback port, scraped over HTTP.

import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECK_DURATION_BUCKETS_MS } from '../src/decision-metrics.js';
import { type CheckInput, createEngine } from '../src/engine.js';
import { BACKEND_KEY, examplePolicy, manualClock, NOON_UTC, WEB_KEY } from './fixtures.js';
import { get, parseSamples, type Sample, startExporter } from './prometheus-scrape.js';

const UNKNOWN_KEY = 'pk_live_nope_0000000000';
const WEB = { apiKey: WEB_KEY, origin: 'https://shop.example.com', ip: '203.0.113.9' };

let provider: MeterProvider | undefined;
afterEach(async () => {
  await provider?.shutdown(); // shuts the exporter's HTTP server down too
  provider = undefined;
  metrics.disable();
});

function sample(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

describe('Prometheus recipe', () => {
  it('serves decision counters and the duration histogram on /metrics', async () => {
    // The recipe: an exporter that is also the MeterProvider's reader, registered globally,
    // and Tollgate's meter taken from the global API.
    const { exporter, port } = await startExporter();
    provider = new MeterProvider({ readers: [exporter] });
    metrics.setGlobalMeterProvider(provider);
    const engine = createEngine({
      policy: examplePolicy({ webPerIp: 3 }),
      meter: metrics.getMeter('tollgate'),
      now: manualClock(NOON_UTC).now,
    });
    const check = (input: CheckInput) => engine.check(input);

    for (let i = 0; i < 4; i++) await check(WEB); // 3 allowed, then 429 ip_daily_limit
    await check({ apiKey: BACKEND_KEY, ip: '198.51.100.4' });
    await check({ apiKey: UNKNOWN_KEY, ip: '198.51.100.1' });
    await check({ apiKey: UNKNOWN_KEY, ip: '198.51.100.1' });
    await check({ ...WEB, origin: 'https://evil.example.net' });

    const res = await get(port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    const text = res.body;
    expect(text).toContain('# TYPE tollgate_decisions_total counter');
    expect(text).toContain('# TYPE tollgate_check_duration histogram');
    expect(text).toContain('# UNIT tollgate_check_duration ms');
    expect(text).toMatch(/^tollgate_decisions_total\{[^}]*tollgate_key_id="shop-web"[^}]*\} 3$/m);

    const samples = parseSamples(text);
    const decisions = (key: string, outcome: string, code: string) =>
      sample(samples, 'tollgate_decisions_total', {
        tollgate_key_id: key,
        tollgate_outcome: outcome,
        tollgate_code: code,
        otel_scope_name: 'tollgate',
      });
    expect(decisions('shop-web', 'allowed', 'ok')).toBe(3);
    expect(decisions('shop-web', 'refused', 'ip_daily_limit')).toBe(1);
    expect(decisions('shop-web', 'refused', 'origin_not_allowed')).toBe(1);
    expect(decisions('shop-backend', 'allowed', 'ok')).toBe(1);
    expect(decisions('unknown', 'refused', 'unknown_key')).toBe(2);
    expect(samples.filter((s) => s.name === 'tollgate_decisions_total')).toHaveLength(5);

    // Histogram: one cumulative bucket line per advised bound plus +Inf, then _sum and _count.
    const allowed = { tollgate_outcome: 'allowed', tollgate_code: 'ok' };
    const buckets = samples.filter(
      (s) =>
        s.name === 'tollgate_check_duration_bucket' &&
        Object.entries(allowed).every(([k, v]) => s.labels[k] === v),
    );
    expect(buckets.map((b) => b.labels.le)).toEqual([...CHECK_DURATION_BUCKETS_MS.map(String), '+Inf']);
    const counts = buckets.map((b) => b.value);
    expect(counts).toEqual([...counts].sort((a, b) => a - b)); // cumulative
    expect(counts.at(-1)).toBe(4);
    expect(sample(samples, 'tollgate_check_duration_count', allowed)).toBe(4);
    expect(sample(samples, 'tollgate_check_duration_sum', allowed)).toBeGreaterThan(0);
    expect(sample(samples, 'tollgate_check_duration_count', { tollgate_code: 'unknown_key' })).toBe(2);
    expect(
      sample(samples, 'tollgate_check_duration_bucket', { tollgate_code: 'unknown_key', le: '+Inf' }),
    ).toBe(2);

    // Nothing secret is scraped.
    for (const secret of [WEB_KEY, BACKEND_KEY, UNKNOWN_KEY, 'pk_live_', 'sk_live_'])
      expect(text).not.toContain(secret);

    // The counts are cumulative across scrapes.
    await check({ apiKey: BACKEND_KEY, ip: '198.51.100.4' });
    expect(
      sample(parseSamples((await get(port, '/metrics')).body), 'tollgate_decisions_total', {
        tollgate_key_id: 'shop-backend',
        tollgate_outcome: 'allowed',
      }),
    ).toBe(2);

    // Shutting the provider down closes the exporter's port.
    await provider.shutdown();
    provider = undefined;
    await expect(get(port, '/metrics')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
