// Load for the HTTP benchmark: one autocannon round against a server, and the checks run before any round.

import autocannon from 'autocannon';
import { ORIGIN } from '../decision.mjs';
import { BODY, COUNTER_HEADERS, POLICY, ROUTE } from './apps.mjs';

/** What every benchmark request sends, whatever the variant: the same bytes for every server to parse. */
export const REQUEST_HEADERS = { 'x-api-key': POLICY.keys[0].key, origin: ORIGIN };

/**
 * Runs autocannon against `server` for `durationSec` and returns requests/s, latency and
 * failure counts, plus the CPU share the server and this process used meanwhile (a server
 * well below 100 % means the load generator, not the server, set the pace).
 *
 * @example
 * const round = await loadRound(server, { connections: 64, durationSec: 5, sampleMs: 1000 });
 */
export async function loadRound(server, { connections, durationSec, sampleMs }) {
  const serverCpuBefore = server.cpuSeconds();
  const ownCpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}${ROUTE}`,
    headers: REQUEST_HEADERS,
    connections,
    pipelining: 1,
    duration: durationSec,
    // autocannon stops only at a sample tick, so short rounds need short ticks.
    sampleInt: sampleMs,
  });
  const wallSec = (performance.now() - wallBefore) / 1000;
  const serverCpuAfter = server.cpuSeconds();
  const ownCpu = process.cpuUsage(ownCpuBefore);

  const completed = result.requests.total;
  // autocannon's own duration is the time from its start to its last tick, rounded to 10 ms.
  const requestsPerSec = completed / result.duration;
  const serverCpuSec =
    serverCpuBefore === undefined || serverCpuAfter === undefined
      ? undefined
      : serverCpuAfter - serverCpuBefore;
  return {
    requestsPerSec,
    completed,
    durationSec: result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    serverCpuPct: serverCpuSec === undefined ? undefined : (serverCpuSec / wallSec) * 100,
    serverCpuUsPerRequest: serverCpuSec === undefined ? undefined : (serverCpuSec / completed) * 1e6,
    loadCpuPct: ((ownCpu.user + ownCpu.system) / 1e3 / (wallSec * 1e3)) * 100,
  };
}

/**
 * Fails unless the server answers the benchmark request with 200 and the hello body, and,
 * for a limited variant, unless its limiter visibly counted: the remaining count in its
 * rate-limit header goes down from one request to the next. A Tollgate server must also
 * refuse a foreign Origin, which shows the whitelist is applied, not skipped.
 *
 * @example
 * await verifyServer(server); // throws with the reason if the variant would measure a shortcut
 */
export async function verifyServer(server) {
  const { framework, variant, port } = server;
  const url = `http://127.0.0.1:${port}${ROUTE}`;
  const where = `${framework}/${variant}`;
  const get = async (headers = REQUEST_HEADERS) => {
    const res = await fetch(url, { headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  };

  const first = await get();
  const second = await get();
  for (const res of [first, second]) {
    if (res.status !== 200 || res.text !== JSON.stringify(BODY)) {
      throw new Error(`${where}: expected 200 ${JSON.stringify(BODY)}, got ${res.status} ${res.text}`);
    }
  }
  if (variant === 'bare') return;

  const header = COUNTER_HEADERS[variant][framework];
  const remaining = (res) => {
    const value = res.headers.get(header);
    if (value === null) throw new Error(`${where}: no ${header} header, so the limiter did not run`);
    // Structured `RateLimit` ("name";r=N;t=S) or a plain number (X-RateLimit-Remaining).
    const n = Number(/(?:^|;)\s*r=(\d+)/.exec(value)?.[1] ?? value);
    if (!Number.isFinite(n))
      throw new Error(`${where}: cannot read a remaining count from ${header}: ${value}`);
    return n;
  };
  if (!(remaining(second) < remaining(first))) {
    throw new Error(
      `${where}: ${header} did not go down (${first.headers.get(header)} then ${second.headers.get(header)}), ` +
        'so the limiter is not counting',
    );
  }
  if (variant === 'tollgate') {
    const foreign = await get({ ...REQUEST_HEADERS, origin: 'https://app.example.org' });
    if (foreign.status !== 403) {
      throw new Error(`${where}: a foreign Origin got ${foreign.status}, so the whitelist is not applied`);
    }
  }
}
