// The HTTP overhead benchmark: one hello-world route's requests/s, bare, with Tollgate and with the usual limiter.

import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { ALLOWED_URLS, ORIGIN } from './decision.mjs';
import { FRAMEWORKS, PEER_LIMITERS, ROUTE, VARIANTS } from './http/apps.mjs';
import { loadRound, REQUEST_HEADERS, verifyServer } from './http/load.mjs';
import { pinLoadGenerator, startServer } from './http/processes.mjs';
import { table as defaultTable, fmt } from './lib/report.mjs';

/**
 * Sizes for a full run and for the smoke test's `--quick` run. Each round runs every variant
 * of a framework once, bare first; `warmupSec` of load per server comes before the rounds.
 */
export const HTTP_PROFILES = {
  full: { connections: 64, durationSec: 5, rounds: 3, warmupSec: 2, sampleMs: 1000 },
  quick: { connections: 4, durationSec: 0.3, rounds: 1, warmupSec: 0.1, sampleMs: 100 },
};

/** The target from the issue: Tollgate costs less than this share of the bare framework's requests/s. */
export const HTTP_TARGET_COST_PCT = 3;

const FRAMEWORK_NAMES = { express: 'Express', koa: 'Koa', fastify: 'Fastify' };

function variantName(framework, variant) {
  if (variant === 'bare') return 'bare';
  return variant === 'tollgate' ? `@tollgate/${framework}` : PEER_LIMITERS[framework];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round(n, decimals = 1) {
  if (n === undefined) return undefined;
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}

function versionOf(name) {
  try {
    const url = new URL(`./node_modules/${name}/package.json`, import.meta.url);
    return JSON.parse(readFileSync(url, 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * Starts each framework's three servers in child processes (on their own CPU when taskset
 * and a second core are there), checks each does the work it claims, then loads them in
 * turn with autocannon from this process, alternating bare, Tollgate and the peer round by
 * round. Reports per variant the median requests/s and its spread over the rounds, latency,
 * failures, and the ratio to the bare framework (the median of the per-round ratios).
 * Throws if a server fails its checks or any request fails or is answered with a non-2xx.
 * `options.nodeArgs` go to every server's node, e.g. `['--cpu-prof', '--cpu-prof-dir=/tmp/prof']`.
 *
 * @example
 * const result = await runHttpBenchmark(HTTP_PROFILES.quick);
 * result.frameworks[0].variants[1].costPct; // Tollgate's cost on Express, in % of bare requests/s
 */
export async function runHttpBenchmark(profile, { nodeArgs = [] } = {}) {
  const { connections, durationSec, rounds, warmupSec } = profile;
  const pin = pinLoadGenerator();
  const loadBefore = loadavg();
  const frameworks = [];
  try {
    for (const framework of FRAMEWORKS) {
      frameworks.push(await benchmarkFramework(framework, profile, pin, nodeArgs));
    }
  } finally {
    pin.restore();
  }

  const loadAfter = loadavg();
  const tollgate = frameworks.map((f) => f.variants.find((v) => v.id === 'tollgate'));
  const worst = Math.max(...tollgate.map((v) => v.costPct));
  const worstCpu = tollgate.some((v) => v.cpuCostPct === undefined)
    ? undefined
    : Math.max(...tollgate.map((v) => v.cpuCostPct));
  return {
    setup: {
      route: `GET ${ROUTE}`,
      requestHeaders: REQUEST_HEADERS,
      allowedUrls: ALLOWED_URLS,
      origin: ORIGIN,
      client: '127.0.0.1',
      note: 'every request comes from 127.0.0.1, so every per-IP counter sees one address',
      connections,
      pipelining: 1,
      durationSecPerRound: durationSec,
      rounds,
      warmupSecPerServer: warmupSec,
      loadGenerator: `autocannon ${versionOf('autocannon')}, in the benchmark process`,
      pinning: pin.pinned
        ? { pinned: true, loadGeneratorCpu: pin.loadCpu, serverCpu: pin.serverCpu }
        : { pinned: false, reason: pin.reason },
      // Other work on the machine shows up as noise, and as servers using well under 100 % of their CPU.
      loadAverage1m: { before: round(loadBefore[0], 2), after: round(loadAfter[0], 2), cores: cpus().length },
      versions: Object.fromEntries(
        ['express', 'express-rate-limit', 'koa', 'koa-ratelimit', 'fastify', '@fastify/rate-limit'].map(
          (name) => [name, versionOf(name)],
        ),
      ),
    },
    frameworks,
    target: {
      description: `Tollgate costs under ${HTTP_TARGET_COST_PCT}% of the bare framework's requests/s, on every framework`,
      required: HTTP_TARGET_COST_PCT,
      measured: worst,
      met: worst < HTTP_TARGET_COST_PCT,
      // Not what the target is judged on: the worst cost measured by server CPU time per request.
      measuredByServerCpu: worstCpu,
    },
  };
}

async function benchmarkFramework(framework, profile, pin, nodeArgs) {
  const { connections, durationSec, rounds, warmupSec, sampleMs } = profile;
  const servers = [];
  try {
    // Started one by one: three node processes booting at once on one core slow each other down.
    for (const variant of VARIANTS) servers.push(await startServer(framework, variant, pin, nodeArgs));
    for (const server of servers) await verifyServer(server);
    for (const server of servers) {
      assertClean(server, await loadRound(server, { connections, durationSec: warmupSec, sampleMs }));
    }
    const byVariant = Object.fromEntries(VARIANTS.map((v) => [v, []]));
    for (let r = 0; r < rounds; r++) {
      for (const server of servers) {
        const result = await loadRound(server, { connections, durationSec, sampleMs });
        assertClean(server, result);
        byVariant[server.variant].push(result);
      }
    }
    // The checks again: a limiter that started refusing would have shown up as non-2xx, but
    // one that stopped counting would not.
    for (const server of servers) await verifyServer(server);
    return {
      id: framework,
      name: FRAMEWORK_NAMES[framework],
      variants: VARIANTS.map((variant) => summarise(framework, variant, byVariant[variant], byVariant.bare)),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

function assertClean(server, result) {
  const { errors, timeouts, non2xx, completed } = result;
  if (errors > 0 || non2xx > 0 || completed === 0) {
    throw new Error(
      `${server.framework}/${server.variant}: ${completed} responses, ${non2xx} non-2xx, ` +
        `${errors} errors (${timeouts} timeouts); every request must succeed`,
    );
  }
}

function summarise(framework, variant, results, bareResults) {
  const rps = results.map((r) => r.requestsPerSec);
  const med = median(rps);
  const ratios = results.map((r, i) => r.requestsPerSec / bareResults[i].requestsPerSec);
  const ratio = median(ratios);
  // The same comparison by the server's CPU time per request, which other processes taking
  // turns on the server's core disturb far less than they disturb requests/s.
  const cpuRatios = results.map((r, i) =>
    r.serverCpuUsPerRequest === undefined
      ? undefined
      : bareResults[i].serverCpuUsPerRequest / r.serverCpuUsPerRequest,
  );
  const cpuRatio = cpuRatios.includes(undefined) ? undefined : median(cpuRatios);
  const optional = (pick) => {
    const values = results.map(pick);
    return values.includes(undefined) ? undefined : median(values);
  };
  return {
    id: variant,
    name: variantName(framework, variant),
    requestsPerSec: {
      median: Math.round(med),
      mean: Math.round(rps.reduce((a, b) => a + b, 0) / rps.length),
      min: Math.round(Math.min(...rps)),
      max: Math.round(Math.max(...rps)),
      spreadPct: round(((Math.max(...rps) - Math.min(...rps)) / med) * 100),
      rounds: rps.map(Math.round),
    },
    latencyMs: {
      p50: median(results.map((r) => r.latencyP50Ms)),
      p99: median(results.map((r) => r.latencyP99Ms)),
    },
    completed: results.reduce((a, r) => a + r.completed, 0),
    errors: results.reduce((a, r) => a + r.errors, 0),
    timeouts: results.reduce((a, r) => a + r.timeouts, 0),
    non2xx: results.reduce((a, r) => a + r.non2xx, 0),
    serverCpuPct: round(optional((r) => r.serverCpuPct)),
    serverCpuUsPerRequest: round(
      optional((r) => r.serverCpuUsPerRequest),
      2,
    ),
    loadGeneratorCpuPct: round(median(results.map((r) => r.loadCpuPct))),
    ratio: round(ratio, 3),
    costPct: round((1 - ratio) * 100),
    roundRatios: ratios.map((x) => round(x, 3)),
    cpuCostPct: cpuRatio === undefined ? undefined : round((1 - cpuRatio) * 100),
  };
}

/**
 * The lines to print for a result of `runHttpBenchmark`: a table per framework and variant,
 * then the target. `table` is lib/report.mjs's unless another is given.
 *
 * @example
 * for (const line of printHttpResult(result, table)) console.log(line);
 */
export function printHttpResult(result, table = defaultTable) {
  const { setup, target } = result;
  const rows = [];
  for (const f of result.frameworks) {
    for (const v of f.variants) {
      rows.push([
        v.id === 'bare' ? `${f.name} (bare)` : `${f.name} + ${v.name}`,
        v.requestsPerSec.median.toLocaleString('en-US'),
        `±${fmt(v.requestsPerSec.spreadPct / 2)}%`,
        String(v.latencyMs.p50),
        String(v.latencyMs.p99),
        fmt(v.serverCpuPct, 0),
        fmt(v.serverCpuUsPerRequest),
        v.ratio.toFixed(3),
        v.id === 'bare' ? '-' : `${fmt(v.costPct)}%`,
        v.id === 'bare' ? '-' : `${fmt(v.cpuCostPct)}%`,
      ]);
    }
  }
  const pinning = setup.pinning.pinned
    ? `load generator on CPU ${setup.pinning.loadGeneratorCpu}, servers on CPU ${setup.pinning.serverCpu}`
    : `not pinned (${setup.pinning.reason})`;
  return [
    `${setup.route}, ${setup.connections} connections, ${setup.durationSecPerRound} s per round, ` +
      `median of ${setup.rounds} round(s) after ${setup.warmupSecPerServer} s warm-up; ${pinning}`,
    `${setup.note}\n`,
    table(
      ['server', 'req/s', 'spread', 'p50 ms', 'p99 ms', 'CPU %', 'CPU µs/req', 'vs bare', 'cost', 'CPU cost'],
      rows,
    ),
    '(spread: half the range of requests/s over the rounds, relative to the median; vs bare: median of ' +
      "the per-round ratios of requests/s to the bare server's, cost = 1 - that; CPU: the server process's " +
      'time from /proc, CPU cost = 1 - bare CPU µs/req ÷ this CPU µs/req, per round, median)',
    `1-minute load average ${setup.loadAverage1m.before} before, ${setup.loadAverage1m.after} after ` +
      `on ${setup.loadAverage1m.cores} cores; a server well under 100 % CPU was waiting for the load or for its core\n`,
    `Target: ${target.description}: ${target.met ? 'MET' : 'MISSED'} ` +
      `(worst Tollgate cost ${fmt(target.measured)}%, under ${target.required}% required; ` +
      `by server CPU time ${fmt(target.measuredByServerCpu)}%)`,
  ];
}
