// The Prometheus recipe of docs/monitoring.md, run for real: an exporter on a loopback port, scraped over HTTP.

import * as http from 'node:http';
import * as net from 'node:net';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECK_DURATION_BUCKETS_MS } from '../src/decision-metrics.js';
import { type CheckInput, createEngine } from '../src/engine.js';
import { BACKEND_KEY, examplePolicy, manualClock, NOON_UTC, WEB_KEY } from './fixtures.js';

const UNKNOWN_KEY = 'pk_live_nope_0000000000';
const WEB = { apiKey: WEB_KEY, origin: 'https://shop.example.com', ip: '203.0.113.9' };

let provider: MeterProvider | undefined;
afterEach(async () => {
  await provider?.shutdown(); // shuts the exporter's HTTP server down too
  provider = undefined;
  metrics.disable();
});

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a PrometheusExporter on a free loopback port; another process may take the port between, so retry. */
async function startExporter(): Promise<{ exporter: PrometheusExporter; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const exporter = new PrometheusExporter({ host: '127.0.0.1', port, preventServerStart: true });
    try {
      await exporter.startServer();
      return { exporter, port };
    } catch (e) {
      if (attempt >= 5 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
}

function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
        );
      })
      .on('error', reject);
  });
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Reads the sample lines of the Prometheus text format. */
function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const [, name, value] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name as string] = value as string;
    }
    samples.push({
      name: m[1] as string,
      labels,
      value: m[3] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[3]),
    });
  }
  return samples;
}

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
