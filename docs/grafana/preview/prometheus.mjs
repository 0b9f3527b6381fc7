// A real Prometheus on loopback, its storage backfilled from OpenMetrics by promtool, answering the dashboard's queries.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';

/** A port that was free a moment ago on 127.0.0.1 (Prometheus cannot say which port 0 gave it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Loads `openMetrics` into a new TSDB under `dir` with promtool. */
export function backfill(openMetrics, dir) {
  const input = join(dir, 'scrapes.om');
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  writeFileSync(input, openMetrics);
  const run = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data], {
    encoding: 'utf8',
  });
  if (run.error !== undefined) throw new Error(`promtool: ${run.error.message} (apt-get install prometheus)`);
  if (run.status !== 0) throw new Error(`promtool failed:\n${run.stderr}`);
  return data;
}

/** Starts Prometheus on the TSDB at `data`, scraping nothing; resolves once it answers queries. */
export async function startPrometheus(data, dir) {
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 15s\n');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=10y',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr.on('data', (chunk) => {
      log += chunk;
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      const ready = await Promise.race([
        fetch(`${base}/-/ready`).then(
          (r) => r.ok,
          () => false,
        ),
        exited.then(() => 'exited'),
      ]);
      if (ready === true) return prometheusClient(base, child);
      if (ready === 'exited') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill();
    if (attempt >= 3) throw new Error(`prometheus did not start:\n${log}`);
  }
}

function prometheusClient(base, child) {
  const ask = async (path, params) => {
    const res = await fetch(`${base}${path}?${new URLSearchParams(params)}`);
    const body = await res.json();
    if (body.status !== 'success') throw new Error(`${params.query}: ${body.error}`);
    return body.data.result;
  };
  return {
    /** An instant query at `time` (ms): [{ metric, value: [t, "v"] }]. */
    query: (query, time) => ask('/api/v1/query', { query, time: String(time / 1000) }),
    /** A range query: [{ metric, values: [[t, "v"], ...] }]. */
    queryRange: (query, start, end, stepMs) =>
      ask('/api/v1/query_range', {
        query,
        start: String(start / 1000),
        end: String(end / 1000),
        step: String(stepMs / 1000),
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}
