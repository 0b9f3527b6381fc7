// Renders docs/images/grafana-dashboard.png: the dashboard JSON's panels, each query answered by a real Prometheus.
//
//   npx -y pnpm@10.34.8 --filter @tollgate/core build
//   node docs/grafana/render-preview.mjs            writes docs/images/grafana-dashboard.png
//   node docs/grafana/render-preview.mjs --html     also keeps the HTML page, and says where
//
// Needs `prometheus`, `promtool` and `chromium` on PATH (Debian: apt-get install prometheus chromium).
// Steps: a real engine decides six simulated hours of traffic and its exporter is read every 15 s
// (preview/simulate.mjs); promtool loads those scrapes into a Prometheus TSDB and a Prometheus on
// loopback answers each panel's query as Grafana would send it (preview/prometheus.mjs); the page
// is drawn from the dashboard JSON and those answers (preview/render.mjs) and headless Chromium
// takes its picture. No Grafana is involved: Debian does not package it.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backfill, startPrometheus } from './preview/prometheus.mjs';
import { renderHtml } from './preview/render.mjs';
import { END, SCRAPE_MS, START, simulate, toOpenMetrics } from './preview/simulate.mjs';

const { values: args } = parseArgs({ options: { html: { type: 'boolean', default: false } } });
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const dashboard = JSON.parse(readFileSync(here('./tollgate-dashboard.json'), 'utf8'));
const output = here('../images/grafana-dashboard.png');

/** One point a minute across the window: what Grafana asks for a panel about 360 points wide. */
const STEP_MS = 60_000;
/**
 * Grafana's own variables as it would fill them for this range and step. `$__rate_interval` is
 * max(`$__interval` + scrape interval, 4 × scrape interval).
 */
const GRAFANA = {
  __interval: `${STEP_MS / 1000}s`,
  __rate_interval: `${Math.max(STEP_MS + SCRAPE_MS, 4 * SCRAPE_MS) / 1000}s`,
  __range: `${(END - START) / 1000}s`,
};
/** The dashboard's variables at their defaults: the data source, and All for the others. */
const ours = Object.fromEntries(
  dashboard.templating.list.map((v) => [
    v.name,
    v.type === 'datasource' ? 'prometheus' : (v.allValue ?? '.*'),
  ]),
);
const interpolate = (expr) =>
  expr.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name) => {
    const value = GRAFANA[name] ?? ours[name];
    if (value === undefined) throw new Error(`no value for ${whole}`);
    return value;
  });

const dir = mkdtempSync(join(tmpdir(), 'tollgate-preview-'));
let prometheus;
try {
  console.log('simulating six hours of traffic through a real engine ...');
  const scrapes = await simulate();
  console.log(`backfilling ${scrapes.length} scrapes into Prometheus ...`);
  const data = backfill(toOpenMetrics(scrapes), dir);
  prometheus = await startPrometheus(data, dir);

  const answers = new Map();
  for (const panel of dashboard.panels) {
    const targets = [];
    for (const t of panel.targets) {
      const expr = interpolate(t.expr);
      const result = t.instant
        ? await prometheus.query(expr, END)
        : await prometheus.queryRange(expr, START, END, STEP_MS);
      if (result.length === 0)
        throw new Error(`${panel.title} ${t.refId}: Prometheus found no series for ${expr}`);
      targets.push({ legendFormat: t.legendFormat, result });
    }
    answers.set(panel.id, targets);
  }

  const note =
    'Preview drawn by docs/grafana/render-preview.mjs from tollgate-dashboard.json, not a Grafana screenshot: ' +
    "each panel's query answered by Prometheus over six simulated hours of a real Tollgate engine " +
    '(memory store; a key guesser at 14:10, a scraper over its per-IP cap, partner-feed over its daily cap, ' +
    'an 8-minute store outage at 16:20; mobile-app resets at its Tokyo midnight, 15:00 UTC).';
  const page = join(dir, 'dashboard.html');
  writeFileSync(page, renderHtml(dashboard, answers, { start: START, end: END, stepMs: STEP_MS }, note));

  const profile = join(dir, 'chromium');
  const shot = join(dir, 'dashboard.png');
  const chromium = spawnSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      `--screenshot=${shot}`,
      '--window-size=1432,1210',
      `file://${page}`,
    ],
    { encoding: 'utf8' },
  );
  if (chromium.error !== undefined)
    throw new Error(`chromium: ${chromium.error.message} (apt-get install chromium)`);
  if (chromium.status !== 0) throw new Error(`chromium failed:\n${chromium.stderr}`);
  copyFileSync(shot, output);
  console.log(`wrote ${output}`);
  if (args.html) {
    const kept = join(tmpdir(), 'tollgate-dashboard-preview.html');
    copyFileSync(page, kept);
    console.log(`the page: ${kept}`);
  }
} finally {
  await prometheus?.stop();
  rmSync(dir, { recursive: true, force: true });
}
