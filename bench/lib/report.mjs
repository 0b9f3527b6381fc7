// Turns tinybench results into per-operation numbers, a plain-text table and a JSON record.

import { cpus, platform, release, totalmem } from 'node:os';

/**
 * What the numbers were measured on; goes into every results file.
 *
 * @example
 * machineInfo(); // { cpu: 'AMD EPYC ...', cores: 2, node: 'v20.19.0', date: '2026-...', ... }
 */
export function machineInfo() {
  const list = cpus();
  return {
    cpu: list[0]?.model ?? 'unknown',
    cores: list.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()} ${release()}`,
    arch: process.arch,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
}

/**
 * Per-operation statistics for a task whose every sample ran `batch` operations. tinybench
 * reports each sample in milliseconds; one operation is sample / batch. The percentiles are
 * therefore percentiles of batch averages, not of single operations (a single sub-microsecond
 * call is too short to time on its own without the clock dominating).
 *
 * @example
 * perOp(task, 1000); // { meanNs: 212.4, p50Ns: 205.1, p99Ns: 330.9, rmePct: 0.4, samples: 9400, ... }
 */
export function perOp(task, batch) {
  const r = task.result;
  if (r === undefined) throw new Error(`${task.name}: no result`);
  if (r.error !== undefined) throw new Error(`${task.name}: ${r.error.message}`, { cause: r.error });
  const lat = r.latency;
  const ns = (ms) => (ms === undefined ? undefined : round((ms * 1e6) / batch));
  return {
    meanNs: ns(lat.mean),
    p50Ns: ns(lat.p50),
    p99Ns: ns(lat.p99),
    minNs: ns(lat.min),
    maxNs: ns(lat.max),
    sdNs: ns(lat.sd),
    rmePct: round(lat.rme),
    opsPerSec: Math.round((batch * 1000) / lat.mean),
    samples: lat.samples.length,
    batch,
  };
}

/**
 * "2.3× faster" / "1.4× slower": how Tollgate's time compares to a peer's.
 *
 * @example
 * compare(200, 460); // { ratio: 2.3, words: '2.30× faster than' }
 */
export function compare(tollgateNs, peerNs) {
  const ratio = peerNs / tollgateNs;
  const words = ratio >= 1 ? `${ratio.toFixed(2)}× faster than` : `${(1 / ratio).toFixed(2)}× slower than`;
  return { ratio: round(ratio, 3), words };
}

/**
 * A fixed-width table: the first column left-aligned, the rest right-aligned.
 *
 * @example
 * console.log(table(['name', 'ns'], [['a', '12.0']]));
 */
export function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c] ?? '').length)));
  const line = (r) =>
    r
      .map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c])))
      .join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Fixed decimals for a table cell; '-' when missing. */
export function fmt(n, decimals = 1) {
  return n === undefined || Number.isNaN(n) ? '-' : n.toFixed(decimals);
}

function round(n, decimals = 1) {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}
