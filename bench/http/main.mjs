// Runs the HTTP benchmark on its own, printing its table and writing its JSON like bench/run.mjs does.
//
//   node bench/http/main.mjs                       full run (about 3 minutes), writes bench/results/http.json
//   node bench/http/main.mjs --quick               a few seconds, writes to a temp dir (or --out DIR)
//   node bench/http/main.mjs --cpu-prof-dir DIR    profiles every server too (DIR/*.cpuprofile, on exit)

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HTTP_PROFILES, printHttpResult, runHttpBenchmark } from '../http.mjs';
import { machineInfo, table } from '../lib/report.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    'cpu-prof-dir': { type: 'string' },
  },
});

const mode = args.quick ? 'quick' : 'full';
const machine = machineInfo();
// A quick run is a smoke test: it must not touch the committed results.
const outDir =
  args.out ??
  (args.quick
    ? mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
    : fileURLToPath(new URL('../results/', import.meta.url)));
mkdirSync(outDir, { recursive: true });
const profDir = args['cpu-prof-dir'];
const nodeArgs = profDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`];

console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}\n`);
console.log(`== HTTP overhead benchmark (${mode})`);
const result = await runHttpBenchmark(HTTP_PROFILES[mode], { nodeArgs });
for (const line of printHttpResult(result, table)) console.log(line);

const outFile = join(outDir, 'http.json');
writeFileSync(outFile, `${JSON.stringify({ benchmark: 'http', mode, machine, ...result }, null, 2)}\n`);
console.log(`\nWrote ${outFile}\n`);
