// One SVG chart per benchmark result, drawn from the same JSON the run writes.

import { barChart, lineChart } from './lib/svg.mjs';

/** Short labels for the decision benchmark's contenders. */
const DECISION_LABELS = {
  tollgate: 'Tollgate check',
  'rlf-awaited': 'rlf consume (await)',
  'rlf-as-is': 'rlf consume',
  'erl-awaited': 'erl increment (await)',
  'erl-as-is': 'erl increment',
};

/** ns per decision, Tollgate's full check and the peers' bare counters. */
export function decisionChart(result) {
  return barChart({
    title: 'In-process decision cost (memory store), ns per call, lower is better',
    unit: 'ns per call',
    series: ['mean ns'],
    groups: result.contenders.map((c) => ({ label: DECISION_LABELS[c.id] ?? c.id, values: [c.meanNs] })),
  });
}

/** Checks per second against Redis at each concurrency. */
export function redisChart(result) {
  return barChart({
    title: 'Redis: decisions per second from one process, higher is better',
    unit: 'per second',
    series: ['Tollgate (2 counters)', 'RateLimiterRedis (1 counter)'],
    groups: result.rows.map((r) => ({
      label: `${r.concurrency} concurrent`,
      values: [r.tollgatePerSec, r.peerPerSec],
    })),
  });
}

/** Server CPU time per request for each framework: bare, with Tollgate, with its usual limiter. */
export function httpChart(result) {
  const variants = ['bare', 'tollgate', 'peer'];
  return barChart({
    title: 'HTTP hello-world: server CPU µs per request (steadier than req/s here), lower is better',
    unit: 'µs of server CPU per request',
    series: ['bare', 'with Tollgate', 'with its usual limiter'],
    groups: result.frameworks.map((f) => ({
      label: f.name,
      values: variants.map((id) => f.variants.find((v) => v.id === id)?.serverCpuUsPerRequest ?? Number.NaN),
    })),
  });
}

/** Bytes per tracked address in each memory store, at each size. */
export function memoryChart(result) {
  const stores = [...new Set(result.perIp.map((r) => r.store))];
  const sizes = [...new Set(result.perIp.map((r) => r.ips))];
  return barChart({
    title: 'Memory per tracked address (heap after GC), lower is better',
    unit: 'bytes per address',
    series: stores,
    groups: sizes.map((n) => ({
      label: `${n.toLocaleString('en-US')} addresses`,
      values: stores.map(
        (s) => result.perIp.find((r) => r.store === s && r.ips === n)?.bytesPerIp ?? Number.NaN,
      ),
    })),
  });
}

/** ns per check as each dimension grows, on a log scale of sizes. */
export function scalingChart(result) {
  return lineChart({
    title: 'Decision cost as the policy and traffic grow, ns per check',
    xLabel: 'size (keys, patterns or distinct addresses)',
    yLabel: 'ns per check',
    series: result.series.map((s) => ({
      label: s.name ?? s.id,
      points: s.points.map((p) => [p.size, p.meanNs]),
    })),
  });
}
