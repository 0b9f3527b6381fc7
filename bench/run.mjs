// Runs Tollgate's benchmarks and prints a table each; `--quick` is the smoke test's tiny version.
//
//   node bench/run.mjs                 full run (about 8 minutes), writes bench/results/<name>.{json,svg}
//   node bench/run.mjs --quick         a few seconds, writes to a temp dir (or --out DIR)
//   node bench/run.mjs --only redis    one benchmark (decision, http, redis, memory, scaling)
//   node bench/run.mjs --only http --cpu-prof-dir DIR   the HTTP benchmark with every server profiled
//
// The Redis benchmark needs a Redis server: REDIS_URL, else redis://127.0.0.1:6379.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decisionChart, httpChart, memoryChart, redisChart, scalingChart } from './charts.mjs';
import { PROFILES, runDecisionBenchmark, TARGET_RATIO } from './decision.mjs';
import { HTTP_PROFILES, printHttpResult, runHttpBenchmark } from './http.mjs';
import { fmt, machineInfo, table } from './lib/report.mjs';
import { MEMORY_PROFILES, printMemoryResult, runMemoryBenchmark } from './memory.mjs';
import { REDIS_PROFILES, REDIS_TARGET_RATIO, runRedisBenchmark } from './redis.mjs';
import { printScalingResult, runScalingBenchmark, SCALING_PROFILES } from './scaling.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    'cpu-prof-dir': { type: 'string' },
  },
});
const BENCHMARKS = ['decision', 'http', 'redis', 'memory', 'scaling'];
if (args.only !== undefined && !BENCHMARKS.includes(args.only)) {
  console.error(`--only: expected one of ${BENCHMARKS.join(', ')}`);
  process.exit(2);
}

const mode = args.quick ? 'quick' : 'full';
const machine = machineInfo();
// A quick run is a smoke test: it must not touch the committed results.
const outDir =
  args.out ??
  (args.quick
    ? mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
    : fileURLToPath(new URL('./results/', import.meta.url)));
mkdirSync(outDir, { recursive: true });

/** Writes the result as JSON with the machine it ran on, and its chart as SVG. */
function save(name, result, chart) {
  const outFile = join(outDir, `${name}.json`);
  writeFileSync(outFile, `${JSON.stringify({ benchmark: name, mode, machine, ...result }, null, 2)}\n`);
  const svgFile = join(outDir, `${name}.svg`);
  writeFileSync(svgFile, chart(result));
  console.log(`\nWrote ${outFile} and ${svgFile}\n`);
}

console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}\n`);

async function decisionBenchmark() {
  const profile = PROFILES[mode];
  console.log(`== Decision benchmark, memory store (${mode})`);
  console.log(
    `${profile.ips} distinct IPs cycled, ${profile.batch} ops per sample, ` +
      `${profile.timeMs} ms per task after ${profile.warmupMs} ms warm-up\n`,
  );
  const result = await runDecisionBenchmark(profile);

  const row = (c) => [
    c.name,
    fmt(c.meanNs),
    fmt(c.p50Ns),
    fmt(c.p99Ns),
    `±${fmt(c.rmePct, 2)}%`,
    c.opsPerSec.toLocaleString('en-US'),
    c.vsTollgate === undefined ? '1.00' : c.vsTollgate.ratio.toFixed(2),
  ];
  console.log(
    table(
      ['contender', 'mean ns/op', 'p50', 'p99', 'rme', 'ops/s', 'peer/Tollgate'],
      result.contenders.map(row),
    ),
  );
  console.log(
    "(p50/p99 are of per-op averages over each sample's batch; ratio > 1 means Tollgate is faster)\n",
  );

  for (const c of result.contenders.slice(1)) {
    console.log(`Tollgate full check is ${c.vsTollgate.words} ${c.name}`);
  }
  const { target } = result;
  console.log(
    `\nTarget: ${target.description}: ${target.met ? 'MET' : 'MISSED'} ` +
      `(${target.measured.toFixed(2)}× measured, ${TARGET_RATIO}× required)` +
      `${target.met ? '' : '; see docs/performance.md for where the time goes'}\n`,
  );

  console.log('Where a Tollgate check spends its time (each part measured alone):');
  console.log(
    table(
      ['part', 'mean ns/op', 'p50', 'p99', 'rme'],
      result.parts.map((p) => [p.name, fmt(p.meanNs), fmt(p.p50Ns), fmt(p.p99Ns), `±${fmt(p.rmePct, 2)}%`]),
    ),
  );
  save('decision', result, decisionChart);
}

async function redisBenchmark() {
  const profile = REDIS_PROFILES[mode];
  console.log(`== Redis benchmark (${mode})`);
  console.log(
    `${profile.ips} distinct IPs cycled, ${profile.timeMs} ms per round, median of ${profile.rounds} ` +
      'round(s), Tollgate and the peer alternating\n',
  );
  const result = await runRedisBenchmark(profile);
  console.log(`Redis: ${result.redis}`);
  console.log(
    table(
      ['concurrent requests', 'Tollgate checks/s', 'RateLimiterRedis consumes/s', 'Tollgate/peer'],
      result.rows.map((r) => [
        String(r.concurrency),
        r.tollgatePerSec.toLocaleString('en-US'),
        r.peerPerSec.toLocaleString('en-US'),
        r.ratio.toFixed(2),
      ]),
    ),
  );
  console.log('(Tollgate: URL-free key, per-IP and daily counters in one script; the peer: one counter)\n');
  const { exhausted, target } = result;
  console.log(
    `Exhausted key: ${exhausted.checks} refused checks needed ${exhausted.roundTrips} Redis round trips ` +
      `(${exhausted.withoutRoundTripPct}% answered locally)`,
  );
  console.log(
    `Target: ${target.description}: ${target.met ? 'MET' : 'MISSED'} ` +
      `(${target.measured.toFixed(2)}× at the worst concurrency, ${REDIS_TARGET_RATIO}× required)`,
  );
  const { replicated } = result;
  console.log(`\nwaitForReplicas ${JSON.stringify(replicated.waitForReplicas)}, on ${replicated.redis}:`);
  console.log(
    table(
      [
        'concurrent requests',
        'Tollgate checks/s',
        'with WAIT checks/s',
        'RateLimiterRedis/s',
        'WAIT/Tollgate',
        'WAIT/peer',
      ],
      replicated.rows.map((r) => [
        String(r.concurrency),
        r.tollgatePerSec.toLocaleString('en-US'),
        r.waitPerSec.toLocaleString('en-US'),
        r.peerPerSec.toLocaleString('en-US'),
        r.waitVsTollgate.toFixed(2),
        r.waitVsPeer.toFixed(2),
      ]),
    ),
  );
  save('redis', result, redisChart);
}

async function memoryBenchmark() {
  console.log(`== Memory benchmark (${mode})`);
  const result = await runMemoryBenchmark(MEMORY_PROFILES[mode]);
  for (const line of printMemoryResult(result, table)) console.log(line);
  save('memory', result, memoryChart);
}

async function scalingBenchmark() {
  console.log(`== Scaling benchmark (${mode})`);
  const result = await runScalingBenchmark(SCALING_PROFILES[mode]);
  for (const line of printScalingResult(result, table)) console.log(line);
  save('scaling', result, scalingChart);
}

async function httpBenchmark() {
  console.log(`== HTTP overhead benchmark (${mode})`);
  // Pinning moves this process to one core; it runs in the middle of the run only when asked alone,
  // or after the in-process benchmarks, which it would otherwise slow.
  // --cpu-prof-dir DIR profiles every server too (DIR/*.cpuprofile, written when each exits).
  const profDir = args['cpu-prof-dir'];
  const nodeArgs = profDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
  const result = await runHttpBenchmark(HTTP_PROFILES[mode], { nodeArgs });
  for (const line of printHttpResult(result, table)) console.log(line);
  save('http', result, httpChart);
}

const wanted = (name) => args.only === undefined || args.only === name;
if (wanted('decision')) await decisionBenchmark();
if (wanted('redis')) await redisBenchmark();
if (wanted('memory')) await memoryBenchmark();
if (wanted('scaling')) await scalingBenchmark();
if (wanted('http')) await httpBenchmark();
