// Draws the dashboard as a static HTML page in Grafana's dark layout: its grid, panel types, units, thresholds, legends.
//
// It reads everything it draws from the dashboard JSON (titles, gridPos, panel type, unit, decimals,
// min/max, thresholds, stacking, legend formats) and from Prometheus's answers to its queries. It
// draws only what this dashboard uses: timeseries, stat and bargauge panels.

const COLUMN_GAP = 8;
const ROW_HEIGHT = 30;
const NAMED = { green: '#73BF69', orange: '#FF9830', red: '#F2495C', yellow: '#FADE2A', blue: '#5794F2' };
const PALETTE = [
  '#73BF69',
  '#F2CC0C',
  '#8AB8FF',
  '#FF780A',
  '#F2495C',
  '#5794F2',
  '#B877D9',
  '#FF9830',
  '#96D98D',
];

const html = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const color = (name) => NAMED[name] ?? name;

/** Grafana's `{{label}}` legend format, filled from a series' labels. */
const legendName = (format, metric) =>
  format.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, label) => metric[label] ?? '');

/** A value in the panel's unit, as Grafana writes it (for the units this dashboard uses). */
function formatValue(v, { unit, decimals }) {
  if (v === null || !Number.isFinite(v)) return 'No data';
  const fixed = (x, d) => x.toFixed(d ?? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2));
  if (unit === 'percentunit') return `${fixed(v * 100, decimals ?? 1)}%`;
  if (unit === 'reqps') return `${fixed(v, decimals)} req/s`;
  if (unit === 'ms') return `${fixed(v, decimals ?? 3)} ms`;
  if (Math.abs(v) >= 1000) return `${fixed(v / 1000, 1)} K`;
  return fixed(v, decimals ?? 0);
}

/** The colour of the last threshold step at or below `v`. */
function thresholdColor(v, thresholds) {
  let c = thresholds?.steps?.[0]?.color ?? 'green';
  for (const step of thresholds?.steps ?? []) if (step.value !== null && v >= step.value) c = step.color;
  return color(c);
}

/** Ticks at 1, 2, 2.5 or 5 × 10^n from 0 to at least `max`. */
function ticks(max) {
  if (!(max > 0)) return [0, 1];
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const out = [];
  for (let t = 0; t < max + step / 2; t += step) out.push(t);
  if (out.at(-1) < max) out.push(out.at(-1) + step);
  return out;
}

const number = (s) => {
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
};

/** Each query's series as { name, points: [[ms, value|null]] } on the common time grid. */
function seriesOf(targets, grid) {
  const out = [];
  for (const t of targets) {
    for (const r of t.result) {
      const byTime = new Map((r.values ?? [r.value]).map(([ts, v]) => [Math.round(ts * 1000), number(v)]));
      out.push({
        name: legendName(t.legendFormat, r.metric),
        points: grid.map((ms) => [ms, byTime.get(ms) ?? null]),
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function timeseriesSvg(panel, series, range, width, height) {
  const defaults = panel.fieldConfig.defaults;
  const custom = defaults.custom ?? {};
  const stacked = custom.stacking?.mode === 'normal';
  const left = 64;
  const bottom = 18;
  const plotW = width - left - 8;
  const plotH = height - bottom - 4;
  // Stacked series are drawn on top of the ones before them.
  const drawn = series.map((s, i) => ({
    ...s,
    color: PALETTE[i % PALETTE.length],
    points: s.points.map(([ms, v], j) => {
      if (!stacked || v === null) return [ms, v];
      const below = series.slice(0, i).reduce((sum, o) => sum + (o.points[j][1] ?? 0), 0);
      return [ms, v + below];
    }),
  }));
  const steps = (defaults.thresholds?.steps ?? []).filter((s) => s.value !== null);
  const dashed = custom.thresholdsStyle?.mode === 'dashed';
  let max = Math.max(0, ...drawn.flatMap((s) => s.points.map(([, v]) => v ?? 0)));
  if (dashed) max = Math.max(max, ...steps.map((s) => s.value));
  const yTicks = ticks(max);
  const top = yTicks.at(-1);
  const x = (ms) => left + ((ms - range.start) / (range.end - range.start)) * plotW;
  const y = (v) => 4 + plotH - (v / top) * plotH;
  const parts = [];
  for (const t of yTicks) {
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(t)}" y2="${y(t)}" stroke="#2c3235"/>`);
    parts.push(
      `<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${html(formatValue(t, { ...defaults, decimals: undefined }))}</text>`,
    );
  }
  for (let ms = range.start; ms <= range.end; ms += 3_600_000) {
    const label = new Date(ms).toISOString().slice(11, 16);
    const anchor = ms === range.start ? 'start' : ms + 3_600_000 > range.end ? 'end' : 'middle';
    parts.push(`<text x="${x(ms)}" y="${height - 4}" text-anchor="${anchor}">${label}</text>`);
  }
  if (dashed) {
    for (const s of steps) {
      parts.push(
        `<line x1="${left}" x2="${left + plotW}" y1="${y(s.value)}" y2="${y(s.value)}" stroke="${color(s.color)}" stroke-dasharray="6 4"/>`,
      );
    }
  }
  const opacity = (custom.fillOpacity ?? 0) / 100;
  for (const [i, s] of drawn.entries()) {
    // Gaps where Prometheus had no value (spanNulls: false).
    const runs = [];
    let run = [];
    for (const [j, [ms, v]] of s.points.entries()) {
      if (v === null) {
        if (run.length > 0) runs.push(run);
        run = [];
      } else run.push([x(ms), y(v), j]);
    }
    if (run.length > 0) runs.push(run);
    for (const r of runs) {
      const line = r.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
      if (opacity > 0) {
        // A stacked area fills down to the series below it; the others down to 0.
        const base = stacked && i > 0 ? drawn[i - 1] : undefined;
        const under = r.map(([px, , j]) => `${px.toFixed(1)},${y(base?.points[j][1] ?? 0).toFixed(1)}`);
        parts.push(
          `<polygon points="${line} ${under.reverse().join(' ')}" fill="${s.color}" fill-opacity="${opacity}"/>`,
        );
      }
      parts.push(
        `<polyline points="${line}" fill="none" stroke="${s.color}" stroke-width="${custom.lineWidth ?? 1}"/>`,
      );
    }
  }
  const legend = drawn
    .map((s) => `<span class="key"><i style="background:${s.color}"></i>${html(s.name)}</span>`)
    .join('');
  return { svg: `<svg width="${width}" height="${height}">${parts.join('')}</svg>`, legend };
}

function statPanel(panel, series, width, height) {
  const defaults = panel.fieldConfig.defaults;
  const s = series[0];
  const values = s?.points.map(([, v]) => v).filter((v) => v !== null) ?? [];
  const last = values.at(-1) ?? null;
  const c = last === null ? '#ccccdc' : thresholdColor(last, defaults.thresholds);
  let spark = '';
  if (values.length > 1) {
    const max = Math.max(...values) || 1;
    const pts = s.points
      .filter(([, v]) => v !== null)
      .map(
        ([, v], i, all) =>
          `${((i / (all.length - 1)) * width).toFixed(1)},${(height - (v / max) * height * 0.45).toFixed(1)}`,
      );
    spark = `<svg class="spark" width="${width}" height="${height}"><polygon points="0,${height} ${pts.join(' ')} ${width},${height}" fill="${c}" fill-opacity="0.15"/><polyline points="${pts.join(' ')}" fill="none" stroke="${c}"/></svg>`;
  }
  return `${spark}<div class="stat" style="color:${c}">${html(formatValue(last, defaults))}</div>`;
}

function barGaugePanel(panel, series, width) {
  const defaults = panel.fieldConfig.defaults;
  const max = defaults.max ?? 1;
  const rows = series.map((s) => {
    const v =
      s.points
        .map(([, p]) => p)
        .filter((p) => p !== null)
        .at(-1) ?? null;
    const c = v === null ? '#555' : thresholdColor(v, defaults.thresholds);
    const share = v === null ? 0 : Math.max(0, Math.min(1, v / max));
    return `<div class="bar"><span class="name">${html(s.name)}</span><span class="track"><span class="fill" style="width:${(share * 100).toFixed(1)}%;background:linear-gradient(90deg, ${color('green')}, ${c})"></span></span><span class="value" style="color:${c}">${html(formatValue(v, defaults))}</span></div>`;
  });
  return `<div class="bars" style="width:${width}px">${rows.join('')}</div>`;
}

/**
 * The page. `answers` maps each panel id to its queries' results: [{ legendFormat, result }],
 * where result is Prometheus's (range results on `range`'s grid, instant ones at its end).
 */
export function renderHtml(dashboard, answers, range, note) {
  const width = 1400;
  const column = (width - 23 * COLUMN_GAP) / 24;
  const grid = [];
  for (let ms = range.start; ms <= range.end; ms += range.stepMs) grid.push(ms);
  let bottom = 0;
  const panels = dashboard.panels.map((panel) => {
    const { x, y, w, h } = panel.gridPos;
    const left = x * (column + COLUMN_GAP);
    const top = y * (ROW_HEIGHT + COLUMN_GAP);
    const pw = w * column + (w - 1) * COLUMN_GAP;
    const ph = h * ROW_HEIGHT + (h - 1) * COLUMN_GAP;
    bottom = Math.max(bottom, top + ph);
    const series = seriesOf(answers.get(panel.id), grid);
    const bodyH = ph - 36;
    let body;
    if (panel.type === 'timeseries') {
      const legendH = 22 * Math.ceil(series.length / 4);
      const { svg, legend } = timeseriesSvg(panel, series, range, pw - 16, bodyH - legendH);
      body = `${svg}<div class="legend">${legend}</div>`;
    } else if (panel.type === 'stat') {
      body = statPanel(panel, series, pw - 16, bodyH);
    } else if (panel.type === 'bargauge') {
      body = barGaugePanel(panel, series, pw - 16);
    } else {
      throw new Error(`panel ${panel.id}: no preview for type ${panel.type}`);
    }
    return `<section style="left:${left}px;top:${top}px;width:${pw}px;height:${ph}px"><h2>${html(panel.title)}</h2><div class="body" style="height:${bodyH}px">${body}</div></section>`;
  });
  const variables = dashboard.templating.list.map(
    (v) =>
      `<span class="var"><b>${html(v.label ?? v.name)}</b>${v.type === 'datasource' ? 'Prometheus' : 'All'}</span>`,
  );
  const from = new Date(range.start).toISOString().replace('T', ' ').slice(0, 16);
  const to = new Date(range.end).toISOString().slice(11, 16);
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; background: #111217; color: #ccccdc; font: 12px/1.4 "DejaVu Sans", sans-serif; width: ${width + 32}px; }
  header { display: flex; align-items: center; gap: 12px; padding: 14px 16px 8px; }
  header h1 { font-size: 18px; font-weight: 500; margin: 0; color: #fff; }
  header .tag { background: #1f60c4; color: #fff; border-radius: 2px; padding: 1px 6px; font-size: 11px; }
  header .time { margin-left: auto; border: 1px solid #2c3235; padding: 4px 10px; border-radius: 2px; }
  .vars { padding: 0 16px 10px; display: flex; gap: 8px; }
  .var { border: 1px solid #2c3235; border-radius: 2px; background: #181b1f; }
  .var b { font-weight: 500; background: #22252b; padding: 4px 8px; display: inline-block; margin-right: 8px; }
  .var { padding-right: 10px; }
  main { position: relative; margin: 0 16px; height: ${bottom}px; }
  section { position: absolute; background: #181b1f; border: 1px solid #2c3235; border-radius: 2px; box-sizing: border-box; overflow: hidden; }
  h2 { font-size: 13px; font-weight: 500; margin: 0; padding: 8px 8px 4px; color: #ccccdc; height: 24px; box-sizing: border-box; }
  .body { position: relative; padding: 4px 8px; }
  svg text { fill: #9fa7b3; font-size: 10px; }
  .legend { display: flex; flex-wrap: wrap; gap: 2px 14px; padding-top: 2px; }
  .key i { display: inline-block; width: 14px; height: 4px; margin: 0 6px 2px 0; border-radius: 2px; vertical-align: middle; }
  .stat { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; font-size: 34px; font-weight: 500; }
  .spark { position: absolute; left: 8px; bottom: 0; }
  .bars { display: flex; flex-direction: column; gap: 10px; padding-top: 6px; }
  .bar { display: flex; align-items: center; gap: 10px; }
  .bar .name { width: 110px; text-align: right; }
  .bar .track { flex: 1; height: 26px; background: #22252b; border-radius: 2px; overflow: hidden; }
  .bar .fill { display: block; height: 100%; }
  .bar .value { width: 56px; font-size: 18px; font-weight: 500; }
  footer { margin: 10px 16px 14px; color: #8e8e9a; font-size: 11px; }
</style></head><body>
<header><h1>${html(dashboard.title)}</h1>${dashboard.tags.map((t) => `<span class="tag">${html(t)}</span>`).join('')}<span class="time">${from} to ${to} UTC</span></header>
<div class="vars">${variables.join('')}</div>
<main>${panels.join('')}</main>
<footer>${html(note)}</footer>
</body></html>`;
}
