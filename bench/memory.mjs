// The memory benchmark: bytes per tracked address in Tollgate's memory store and the peers', and the heap under a spray.

import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fmt } from './lib/report.mjs';

const run = promisify(execFile);
const WORKER = fileURLToPath(new URL('./memory-worker.mjs', import.meta.url));

/**
 * Sizes for a full run and for the smoke test's `--quick` run: the numbers of distinct addresses each
 * store is filled with, and the spray's length and sampling step.
 */
export const MEMORY_PROFILES = {
  full: { sizes: [100_000, 1_000_000], spray: 10_000_000, sprayEvery: 1_000_000 },
  quick: { sizes: [2_000, 10_000], spray: 200_000, sprayEvery: 20_000 },
};

/** What is measured, in table order; the ids are bench/memory-worker.mjs's. */
export const MEMORY_STORES = [
  { id: 'tollgate', name: 'Tollgate engine.check (memory store + engine caches)' },
  { id: 'tollgate-store', name: 'Tollgate memory store alone' },
  { id: 'rlf', name: 'rate-limiter-flexible RateLimiterMemory' },
  { id: 'erl', name: 'express-rate-limit MemoryStore' },
];

/**
 * The spray counts as bounded when the highest heap of its second half is at most this fraction above
 * the highest heap of its first half: the heap has stopped growing while addresses keep coming.
 */
export const PLATEAU_TOLERANCE = 0.1;

async function worker(args) {
  try {
    const { stdout } = await run(process.execPath, ['--expose-gc', WORKER, ...args.map(String)], {
      maxBuffer: 16 * 2 ** 20,
    });
    return JSON.parse(stdout);
  } catch (e) {
    throw new Error(`memory worker ${args.join(' ')} failed: ${e.stderr || e.message}`, { cause: e });
  }
}

const perIp = (bytes, ips) => Math.round((bytes / ips) * 10) / 10;

// Runs `fn` over `items` with at most `width` at a time; results in the order of `items`.
async function inPool(items, fn, width) {
  const results = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

/**
 * Fills every store with each number of distinct addresses, each in a process of its own started with
 * `--expose-gc`, and reads the heap (and typed-array memory, which lru-cache uses for its links) after
 * a forced collection, before and after. Then sprays Tollgate, on the default memory store bounds, with
 * `profile.spray` distinct addresses, reading the heap every `profile.sprayEvery`.
 *
 * @example
 * const result = await runMemoryBenchmark(MEMORY_PROFILES.quick);
 * result.stores[0].points[0].bytesPerIp; // e.g. 356.2
 */
export async function runMemoryBenchmark(profile) {
  // Every measurement has a process of its own, so two can run side by side without sharing a heap;
  // the spray starts first as it is the longest.
  const jobs = [['spray', profile.spray, profile.sprayEvery]];
  for (const { id } of MEMORY_STORES) for (const ips of profile.sizes) jobs.push([id, ips]);
  const results = await inPool(jobs, (args) => worker(args), Math.min(2, availableParallelism()));
  const byJob = new Map(jobs.map((args, i) => [args.join(' '), results[i]]));

  const stores = MEMORY_STORES.map(({ id, name }) => {
    const points = profile.sizes.map((ips) => {
      const r = byJob.get(`${id} ${ips}`);
      if (!r.firstAddressKept) throw new Error(`${id} at ${ips}: the first address's counter was lost`);
      return {
        ips,
        bytesPerIp: perIp(r.heapBytes + r.arrayBufferBytes, ips),
        heapBytesPerIp: perIp(r.heapBytes, ips),
        arrayBufferBytesPerIp: perIp(r.arrayBufferBytes, ips),
        heapBytes: r.heapBytes,
        arrayBufferBytes: r.arrayBufferBytes,
        rssBytes: r.rssBytes,
        fillMs: r.fillMs,
      };
    });
    // Between the smallest and the largest size: the cost of one more address, without the fixed part
    // (preallocated cache slots, compiled code) that the smallest size spreads over few addresses.
    const first = points[0];
    const last = points[points.length - 1];
    const total = (p) => p.heapBytes + p.arrayBufferBytes;
    const marginalBytesPerIp =
      points.length < 2 ? undefined : perIp(total(last) - total(first), last.ips - first.ips);
    return { id, name, points, marginalBytesPerIp };
  });
  const tollgate = stores[0];
  const ratio = (a, b) => Math.round((a / b) * 100) / 100;
  for (const store of stores.slice(1)) {
    // Above 1: the store needs more memory per address than Tollgate's full check does.
    store.points.forEach((p, i) => {
      p.vsTollgate = ratio(p.bytesPerIp, tollgate.points[i].bytesPerIp);
    });
    if (store.marginalBytesPerIp !== undefined)
      store.marginalVsTollgate = ratio(store.marginalBytesPerIp, tollgate.marginalBytesPerIp);
  }

  const raw = byJob.get(jobs[0].join(' '));
  const [baseline, ...samples] = raw.samples;
  const half = profile.spray / 2;
  const maxOf = (list) => Math.max(...list.map((s) => s.heapUsed));
  const firstHalfMax = maxOf(samples.filter((s) => s.checks <= half));
  const secondHalfMax = maxOf(samples.filter((s) => s.checks > half));
  const growth = secondHalfMax / firstHalfMax - 1;
  const largest = tollgate?.points[tollgate.points.length - 1];
  const spray = {
    ips: raw.ips,
    sampleEvery: raw.every,
    ms: raw.ms,
    refused: raw.refused,
    firstAddressEvicted: raw.firstAddressEvicted,
    baselineHeapBytes: baseline.heapUsed,
    maxHeapBytes: Math.max(firstHalfMax, secondHalfMax),
    maxRssBytes: Math.max(...samples.map((s) => s.rss)),
    firstHalfMaxHeapBytes: firstHalfMax,
    secondHalfMaxHeapBytes: secondHalfMax,
    secondHalfGrowthPct: Math.round(growth * 1000) / 10,
    // What the heap would have needed without bounds, at the per-address cost measured above.
    unboundedEstimateBytes: largest === undefined ? undefined : Math.round(largest.bytesPerIp * raw.ips),
    bounded: growth <= PLATEAU_TOLERANCE,
    verdict: growth <= PLATEAU_TOLERANCE ? 'bounded' : 'NOT bounded',
    samples: raw.samples,
  };

  return {
    setup: {
      sizes: profile.sizes,
      measure:
        'heapUsed + arrayBuffers after two forced collections, after minus before, divided by the number of distinct addresses; one process per store and size',
      addresses:
        'bench/lib/addresses.mjs addressAt: half dotted IPv4, half IPv6 (full, ::-compressed, upper case, IPv4-mapped), each its own counter, flat strings',
      tollgate:
        'one key with a whitelist of one URL, a per-IP and a daily cap, Europe/London; createMemoryStore({ maxEntries: ips + 10 }) so nothing is evicted',
      peers:
        'RateLimiterMemory({ points: 1e12, duration: 86400 }).consume(ip); MemoryStore after init({ windowMs: 86400000 }), increment(ip); both awaited',
      spray:
        'Tollgate with createMemoryStore() defaults (100,000 counters) and the engine defaults (address keyer 10,000, counter specs 50,000 per key and day, URL answers 10,000 per key)',
      plateauTolerancePct: PLATEAU_TOLERANCE * 100,
    },
    stores,
    // The same numbers as one row per store and size, for charts and spreadsheets.
    perIp: stores.flatMap((store) =>
      store.points.map((p) => ({ store: store.id, name: store.name, ips: p.ips, bytesPerIp: p.bytesPerIp })),
    ),
    spray,
  };
}

const mb = (bytes) => fmt(bytes / 2 ** 20, 1);
const count = (n) => n.toLocaleString('en-US');

/**
 * The lines bench/run.mjs prints for a memory result; `table` is bench/lib/report.mjs's.
 *
 * @example
 * for (const line of printMemoryResult(result, table)) console.log(line);
 */
export function printMemoryResult(result, table) {
  const rows = [];
  for (const store of result.stores) {
    for (const p of store.points) {
      rows.push([
        store.name,
        count(p.ips),
        fmt(p.bytesPerIp),
        fmt(p.heapBytesPerIp),
        fmt(p.arrayBufferBytesPerIp),
        count(p.fillMs),
        p.vsTollgate === undefined ? '1.00' : p.vsTollgate.toFixed(2),
      ]);
    }
  }
  const { spray } = result;
  const { sizes } = result.setup;
  const lines = [
    table(
      ['store', 'addresses', 'bytes/address', 'heap', 'array buffers', 'fill ms', 'store/Tollgate'],
      rows,
    ),
    '(after forced GC, own process per store and size; store/Tollgate > 1 means the store needs more than Tollgate)',
    '',
    `One more address, from ${count(sizes[0])} to ${count(sizes[sizes.length - 1])} (fixed costs left out):`,
    table(
      ['store', 'bytes/address', 'store/Tollgate'],
      result.stores.map((s) => [
        s.name,
        fmt(s.marginalBytesPerIp),
        s.marginalVsTollgate === undefined ? '1.00' : s.marginalVsTollgate.toFixed(2),
      ]),
    ),
    '',
    `Spray: ${count(spray.ips)} distinct addresses through Tollgate on the default bounds, heap after GC every ${count(spray.sampleEvery)}:`,
    table(
      ['checks', 'heap MiB', 'array buffers MiB', 'rss MiB'],
      spray.samples.map((s) => [count(s.checks), mb(s.heapUsed), mb(s.arrayBuffers), mb(s.rss)]),
    ),
    `Heap peaked at ${mb(spray.maxHeapBytes)} MiB (${mb(spray.baselineHeapBytes)} MiB before the engine); ` +
      `second half ${spray.secondHalfGrowthPct >= 0 ? '+' : ''}${spray.secondHalfGrowthPct}% over the first: ` +
      `${spray.verdict.toUpperCase()} (at most +${result.setup.plateauTolerancePct}% allowed)` +
      (spray.unboundedEstimateBytes === undefined
        ? ''
        : `; unbounded it would need about ${mb(spray.unboundedEstimateBytes)} MiB`),
  ];
  return lines;
}
