// Runs Tollgate's benchmarks and prints a table; `--quick` is the smoke test's tiny version.
//
//   node bench/run.mjs            full run, writes bench/results/decision.json
//   node bench/run.mjs --quick    a few seconds, writes to a temp dir (or --out DIR)

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PROFILES, runDecisionBenchmark, TARGET_RATIO } from './decision.mjs';
import { fmt, machineInfo, table } from './lib/report.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

const mode = args.quick ? 'quick' : 'full';
const profile = PROFILES[mode];
const machine = machineInfo();

console.log(`Tollgate decision benchmark (${mode})`);
console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}`);
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

// A quick run is a smoke test: it must not touch the committed results.
const outDir =
  args.out ??
  (args.quick
    ? mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
    : fileURLToPath(new URL('./results/', import.meta.url)));
mkdirSync(outDir, { recursive: true });
const outFile = join(outDir, 'decision.json');
writeFileSync(outFile, `${JSON.stringify({ benchmark: 'decision', mode, machine, ...result }, null, 2)}\n`);
console.log(`\nWrote ${outFile}`);
