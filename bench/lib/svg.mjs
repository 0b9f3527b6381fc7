// Dependency-free SVG charts for the benchmark results: grouped bars and log-x lines.

const PALETTE = ['#2563eb', '#f97316', '#16a34a', '#9333ea', '#dc2626', '#0891b2'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text) {
  return String(text).replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c],
  );
}

/** A round axis maximum at or above `max`: 1, 2 or 5 times a power of ten. */
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** Short labels for axis ticks: 1.5k, 2M. */
export function shortNumber(value) {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k`;
  return trim(value);
}

function trim(n) {
  return String(Number(n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2)));
}

function frame(width, height, title, body) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="600" ${FONT}>${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

const LEGEND_PER_ROW = 3;
const LEGEND_ROW = 18;

/** Rows of legend entries under the plot, three to a row; `y` is the first row's baseline. */
function legend(names, x, y) {
  return names.map((name, i) => {
    const lx = x + (i % LEGEND_PER_ROW) * 230;
    const ly = y + Math.floor(i / LEGEND_PER_ROW) * LEGEND_ROW;
    return (
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/>` +
      `<text x="${lx + 18}" y="${ly}" font-size="12" ${FONT}>${escapeXml(name)}</text>`
    );
  });
}

/** Extra height for legends of more than one row. */
function legendHeight(count) {
  return (Math.ceil(count / LEGEND_PER_ROW) - 1) * LEGEND_ROW;
}

/** Margins and plot size shared by every chart. */
function plotArea(width, baseHeight) {
  const left = 70;
  const top = 60;
  return { left, top, plotW: width - left - 20, plotH: baseHeight - top - 70 };
}

/** Horizontal grid lines and value labels at quarters of `max`. */
function yGrid(left, top, plotW, plotH, max) {
  const lines = [];
  for (let t = 0; t <= 4; t++) {
    const value = (max * t) / 4;
    const y = top + plotH - (plotH * t) / 4;
    lines.push(
      `<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#e5e7eb"/>`,
      `<text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="11" ${FONT}>${shortNumber(value)}</text>`,
    );
  }
  return lines;
}

/**
 * A grouped bar chart: one group per label, one bar per series in each group, a value label
 * on every bar.
 *
 * @example
 * barChart({ title: 'Checks/s', unit: 'checks/s', series: ['Tollgate', 'peer'],
 *   groups: [{ label: '1', values: [8600, 18900] }, { label: '64', values: [151000, 98000] }] });
 */
export function barChart({ title, unit, series, groups, width = 760, height: baseHeight = 380 }) {
  const height = baseHeight + legendHeight(series.length);
  const { left, top, plotW, plotH } = plotArea(width, baseHeight);
  const max = niceMax(Math.max(...groups.flatMap((g) => g.values.filter((v) => Number.isFinite(v)))));
  const body = [];
  body.push(...yGrid(left, top, plotW, plotH, max));
  body.push(
    `<text x="16" y="${top + plotH / 2}" transform="rotate(-90 16 ${top + plotH / 2})" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(unit)}</text>`,
  );
  const groupW = plotW / groups.length;
  const barW = Math.min(48, (groupW * 0.8) / series.length);
  groups.forEach((group, g) => {
    const x0 = left + g * groupW + (groupW - barW * series.length) / 2;
    group.values.forEach((value, s) => {
      if (!Number.isFinite(value)) return;
      const h = (plotH * value) / max;
      const x = x0 + s * barW;
      const y = top + plotH - h;
      body.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[s % PALETTE.length]}"><title>${escapeXml(`${series[s]}: ${value}`)}</title></rect>`,
        `<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle" font-size="10" ${FONT}>${shortNumber(value)}</text>`,
      );
    });
    body.push(
      `<text x="${(left + g * groupW + groupW / 2).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(group.label)}</text>`,
    );
  });
  body.push(...legend(series, left, baseHeight - 20));
  return frame(width, height, title, body);
}

/**
 * A line chart over a logarithmic x axis (sizes growing by powers of ten), one line per series.
 *
 * @example
 * lineChart({ title: 'ns per check', xLabel: 'keys', yLabel: 'ns',
 *   series: [{ label: 'keys', points: [[10, 900], [100000, 950]] }] });
 */
export function lineChart({ title, xLabel, yLabel, series, width = 760, height: baseHeight = 380 }) {
  const height = baseHeight + legendHeight(series.length);
  const { left, top, plotW, plotH } = plotArea(width, baseHeight);
  const xs = series.flatMap((s) => s.points.map((p) => p[0])).filter((x) => x > 0);
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((y) => Number.isFinite(y));
  const lo = Math.floor(Math.log10(Math.min(...xs)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...xs))));
  const max = niceMax(Math.max(...ys));
  const px = (x) => left + ((Math.log10(x) - lo) / (hi - lo)) * plotW;
  const py = (y) => top + plotH - (plotH * y) / max;
  const body = [];
  body.push(...yGrid(left, top, plotW, plotH, max));
  for (let e = lo; e <= hi; e++) {
    const x = px(10 ** e);
    body.push(
      `<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotH}" stroke="#f3f4f6"/>`,
      `<text x="${x}" y="${top + plotH + 16}" text-anchor="middle" font-size="11" ${FONT}>${shortNumber(10 ** e)}</text>`,
    );
  }
  body.push(
    `<text x="${left + plotW / 2}" y="${top + plotH + 34}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(xLabel)}</text>`,
    `<text x="16" y="${top + plotH / 2}" transform="rotate(-90 16 ${top + plotH / 2})" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const pts = s.points.filter((p) => p[0] > 0 && Number.isFinite(p[1]));
    body.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ')}"/>`,
      ...pts.map(
        (p) =>
          `<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${color}"><title>${escapeXml(`${s.label}: ${p[0]} → ${p[1]}`)}</title></circle>`,
      ),
    );
  });
  body.push(
    ...legend(
      series.map((s) => s.label),
      left,
      height - 20,
    ),
  );
  return frame(width, height, title, body);
}
