// The scaling benchmark: what one engine.check costs as keys, whitelist patterns and client addresses grow.
//
// To see where one point's time goes, run that point alone under the profiler:
//
//   node --cpu-prof --cpu-prof-dir=/tmp/tollgate-prof bench/scaling.mjs ips-held 1000000 10
//
// (series id, size, seconds); it prints ns per check.

import { pathToFileURL } from 'node:url';
import { createEngine, createMemoryStore } from '@tollgate/core';
import { Bench } from 'tinybench';
import { ALLOWED_URLS, ORIGIN, TIME_ZONE } from './decision.mjs';
import { addressList } from './lib/addresses.mjs';
import { fmt, perOp } from './lib/report.mjs';

/** Sizes for a full run and for the smoke test's `--quick` run. */
export const SCALING_PROFILES = {
  full: {
    keys: [10, 100, 1_000, 10_000, 100_000],
    patterns: [1, 10, 100, 1_000],
    ips: [1_000, 10_000, 100_000, 1_000_000],
    batch: 1_000,
    timeMs: 1_500,
    warmupMs: 300,
  },
  quick: {
    keys: [10, 100, 1_000],
    patterns: [1, 10, 100],
    ips: [1_000, 10_000],
    batch: 50,
    timeMs: 40,
    warmupMs: 10,
  },
};

/** A series is flat when its slowest point costs less than this many times its fastest. */
export const FLAT_RATIO = 2;

/** Addresses cycled by the key and pattern series: few enough that every cache holds them. */
const BASE_IPS = 1_000;
/**
 * Distinct Origin values cycled where the whitelist's answer cache must not help: twice the cache's
 * 10,000 entries. The cache starts over when full, so it only ever holds the last 10,000 or fewer
 * values, and the value coming next was last seen 20,000 checks ago: every check misses.
 */
const FRESH_ORIGINS = 20_000;

/** The series, in print order; `axis` says what grows. */
export const SCALING_SERIES = [
  { id: 'keys-one', axis: 'keys', name: 'policy of N keys, one key checked' },
  { id: 'keys-all', axis: 'keys', name: 'policy of N keys, every key in turn' },
  {
    id: 'patterns-hosts-cached',
    axis: 'patterns',
    name: 'N patterns on distinct hosts, same Origin (answer cached)',
  },
  {
    id: 'patterns-hosts-fresh',
    axis: 'patterns',
    name: 'N patterns on distinct hosts, new Origin each check (cache defeated)',
  },
  {
    id: 'patterns-one-host-fresh',
    axis: 'patterns',
    name: 'N patterns on one host, new Origin each check (every pattern tried)',
  },
  { id: 'ips-held', axis: 'ips', name: 'N addresses cycled, store holds them all' },
  { id: 'ips-default', axis: 'ips', name: 'N addresses cycled, default store (100,000 counters)' },
  {
    id: 'ips-map',
    axis: 'ips',
    name: 'reference: Map increment over the same N addresses',
    reference: true,
  },
];

// Results are stored here so the optimiser cannot treat the calls as unused.
let sink;

const keyMaterial = (i) => `pk_scale_${String(i).padStart(8, '0')}`;

function keyPolicy(i, allowedUrls) {
  return {
    id: `k${i}`,
    key: keyMaterial(i),
    allowedUrls,
    dailyLimit: 1e12,
    perIpDailyLimit: 1e9,
    timeZone: TIME_ZONE,
  };
}

/**
 * `count` patterns that all admit nothing the benchmark sends, except the last. On distinct hosts the
 * matcher's host index skips them without looking; on one host it must try each in turn.
 */
function whitelist(count, layout) {
  const out = [];
  for (let i = 0; i < count - 1; i++) {
    if (layout === 'one-host') {
      out.push(`example.com/p${i}`);
      continue;
    }
    const kinds = [
      `https://shop${i}.example.org`,
      `partner${i}.example.net/embed`,
      `*.cdn${i}.example.io/*`,
      `https://admin${i}.example.org:8443/console`,
    ];
    out.push(kinds[i % kinds.length]);
  }
  // Admits every path on every subdomain of example.com (and, schemeless, example.com itself).
  out.push(layout === 'one-host' ? 'example.com' : '*.example.com/*');
  return out;
}

/**
 * Everything one point of a series needs: `op` runs one check (and advances through its inputs),
 * `inputs` is how many distinct inputs it cycles through, `verify` throws when the point measures
 * something other than an allowed, fully counted check.
 */
function fixture(seriesId, size, ips) {
  const n = ips.length;
  if (seriesId === 'ips-map') {
    const counts = new Map();
    let i = 0;
    return {
      inputs: n,
      op: () => {
        const ip = ips[i];
        counts.set(ip, (counts.get(ip) ?? 0) + 1);
        i = i + 1 === n ? 0 : i + 1;
        return counts;
      },
      verify: () => {
        if (counts.size !== n) throw new Error(`ips-map: ${counts.size} entries for ${n} addresses`);
      },
    };
  }

  let keys;
  let inputs;
  let maxEntries;
  if (seriesId === 'keys-one' || seriesId === 'keys-all') {
    keys = Array.from({ length: size }, (_, i) =>
      keyPolicy(i, [`https://site${i}.example.org`, '*.example.com/*']),
    );
    const turns = seriesId === 'keys-one' ? n : Math.max(size, n);
    const checked = Math.floor(size / 2);
    inputs = Array.from({ length: turns }, (_, j) => ({
      apiKey: keyMaterial(seriesId === 'keys-one' ? checked : j % size),
      origin: ORIGIN,
      ip: ips[j % n],
    }));
    maxEntries = size + turns + 10;
  } else if (seriesId.startsWith('patterns-')) {
    const oneHost = seriesId === 'patterns-one-host-fresh';
    keys = [keyPolicy(0, whitelist(size, oneHost ? 'one-host' : 'hosts'))];
    const fresh = seriesId !== 'patterns-hosts-cached';
    const origins = fresh
      ? Array.from({ length: FRESH_ORIGINS }, (_, j) =>
          oneHost ? `https://u${j}.example.com` : `https://u${j}.eu.example.com`,
        )
      : [ORIGIN];
    const turns = fresh ? FRESH_ORIGINS : n;
    inputs = Array.from({ length: turns }, (_, j) => ({
      apiKey: keyMaterial(0),
      origin: origins[j % origins.length],
      ip: ips[j % n],
    }));
    maxEntries = n + 10;
  } else {
    keys = [keyPolicy(0, ALLOWED_URLS)];
    inputs = ips.map((ip) => ({ apiKey: keyMaterial(0), origin: ORIGIN, ip }));
    maxEntries = seriesId === 'ips-held' ? n + 10 : undefined;
  }

  const engine = createEngine({
    policy: { keys },
    store: createMemoryStore(maxEntries === undefined ? {} : { maxEntries }),
  });
  const turns = inputs.length;
  let t = 0;
  const check = (input) => {
    const d = engine.check(input);
    if (!d.allowed || d.limits.length !== 2) {
      throw new Error(`${seriesId} at ${size}: not an allowed, counted check: ${JSON.stringify(d)}`);
    }
    return d;
  };
  return {
    inputs: turns,
    op: () => {
      const d = engine.check(inputs[t]);
      t = t + 1 === turns ? 0 : t + 1;
      return d;
    },
    verify: () => {
      check(inputs[0]);
      check(inputs[turns - 1]);
      const foreign = engine.check({ ...inputs[0], origin: 'https://app.example.net' });
      if (foreign.code !== 'origin_not_allowed') {
        throw new Error(`${seriesId} at ${size}: the whitelist is not applied (got ${foreign.code})`);
      }
    },
  };
}

/**
 * Measures one check per series and size with tinybench, each point on an engine of its own that has
 * seen every one of its inputs once before timing starts (steady state: counters exist, caches are as
 * full as they get). Returns ns per check per point and, per series, the ratio of its slowest point
 * to its fastest with a verdict against {@link FLAT_RATIO}.
 *
 * @example
 * const result = await runScalingBenchmark(SCALING_PROFILES.quick);
 * result.series.find((s) => s.id === 'keys-one').verdict; // 'flat'
 */
export async function runScalingBenchmark(profile) {
  const { batch, timeMs, warmupMs } = profile;
  const base = addressList(BASE_IPS);
  const series = [];
  for (const s of SCALING_SERIES) {
    const points = [];
    for (const size of profile[s.axis]) {
      // Made per point and dropped after it: a million addresses kept alive through the other points
      // would make every garbage collection there slower.
      const ips = s.axis === 'ips' ? addressList(size) : base;
      const f = fixture(s.id, size, ips);
      for (let i = 0; i < f.inputs; i++) sink = f.op();
      f.verify();

      const bench = new Bench({
        time: timeMs,
        warmup: true,
        warmupTime: warmupMs,
        warmupIterations: 16,
        throws: true,
      });
      // Each sample runs `batch` checks: one takes about a microsecond, too short to time alone.
      bench.add(`${s.id} ${size}`, () => {
        for (let k = 0; k < batch; k++) sink = f.op();
      });
      await bench.run();
      f.verify();
      const stats = perOp(bench.tasks[0], batch);
      points.push({ size, distinctInputs: f.inputs, ...stats });
      globalThis.gc?.();
    }
    const means = points.map((p) => p.meanNs);
    const fastest = points[means.indexOf(Math.min(...means))];
    const slowest = points[means.indexOf(Math.max(...means))];
    const ratio = Math.round((slowest.meanNs / fastest.meanNs) * 100) / 100;
    series.push({
      ...s,
      reference: s.reference ?? false,
      points,
      flatness: { ratio, fastestAt: fastest.size, slowestAt: slowest.size },
      flat: ratio < FLAT_RATIO,
      verdict: ratio < FLAT_RATIO ? 'flat' : 'NOT flat',
    });
  }
  if (sink === undefined) throw new Error('no check produced a result');

  return {
    setup: {
      flatRatio: FLAT_RATIO,
      batch,
      timeMsPerPoint: timeMs,
      warmupMsPerPoint: warmupMs,
      keys: `each key: a whitelist of its own site and *.example.com/*, per-IP and daily caps, ${TIME_ZONE}; Origin ${ORIGIN}; ${BASE_IPS} addresses cycled`,
      patterns: `one key; distinct hosts: four kinds of pattern on hosts of their own, then *.example.com/* last; one host: example.com/p<i>, then example.com last; fresh Origins: ${FRESH_ORIGINS} distinct subdomains of example.com cycled (the answer cache holds 10,000)`,
      ips: `one key with bench/decision.mjs's whitelist and Origin; addresses from bench/lib/addresses.mjs addressAt (half IPv4, half IPv6, each its own counter); engine defaults: address keyer 10,000, counter specs 50,000 per key and day`,
      steadyState: 'every input is checked once before timing, so counters exist and caches are warm',
    },
    series,
  };
}

/**
 * The lines bench/run.mjs prints for a scaling result; `table` is bench/lib/report.mjs's.
 *
 * @example
 * for (const line of printScalingResult(result, table)) console.log(line);
 */
export function printScalingResult(result, table) {
  const lines = [];
  for (const axis of ['keys', 'patterns', 'ips']) {
    const list = result.series.filter((s) => s.axis === axis);
    if (list.length === 0) continue;
    const sizes = list[0].points.map((p) => p.size);
    lines.push(`ns per check as the number of ${axis} grows (mean ± rme):`);
    lines.push(
      table(
        [axis, ...list.map((s) => s.id)],
        sizes.map((size, i) => [
          size.toLocaleString('en-US'),
          ...list.map((s) => {
            const p = s.points[i];
            return `${fmt(p.meanNs)} ±${fmt(p.rmePct)}%`;
          }),
        ]),
      ),
    );
    for (const s of list) {
      lines.push(
        `  ${s.id}: ${s.name}: slowest/fastest ${s.flatness.ratio.toFixed(2)} ` +
          `(fastest at ${s.flatness.fastestAt.toLocaleString('en-US')}, slowest at ` +
          `${s.flatness.slowestAt.toLocaleString('en-US')}): ${s.verdict.toUpperCase()}` +
          (s.reference ? ' (reference, not Tollgate)' : ''),
      );
    }
    lines.push('');
  }
  lines.push(`(flat: slowest point under ${result.setup.flatRatio}× the fastest)`);
  return lines;
}

/**
 * Builds one point as the benchmark does, checks each of its inputs once, then loops over them for
 * `ms` without tinybench and returns ns per check: the thing to run under `node --cpu-prof`.
 *
 * @example
 * spinScalingPoint('ips-held', 1_000_000, 10_000); // e.g. 1890
 */
export function spinScalingPoint(seriesId, size, ms) {
  const series = SCALING_SERIES.find((s) => s.id === seriesId);
  if (series === undefined) throw new Error(`unknown series "${seriesId}"`);
  const ips = addressList(series.axis === 'ips' ? size : BASE_IPS);
  const f = fixture(seriesId, size, ips);
  for (let i = 0; i < f.inputs; i++) sink = f.op();
  f.verify();
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let k = 0; k < 1000; k++) sink = f.op();
    done += 1000;
  }
  const ns = ((performance.now() - start) * 1e6) / done;
  f.verify();
  return Math.round(ns * 10) / 10;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [seriesId, size, seconds = '10'] = process.argv.slice(2);
  if (seriesId === undefined || size === undefined) {
    console.error(
      `usage: node bench/scaling.mjs <series> <size> [seconds]; series: ${SCALING_SERIES.map((s) => s.id).join(', ')}`,
    );
    process.exit(2);
  }
  console.log(
    `${seriesId} at ${size}: ${spinScalingPoint(seriesId, Number(size), Number(seconds) * 1000)} ns/check`,
  );
}
