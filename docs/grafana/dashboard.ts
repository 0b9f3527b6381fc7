// The Tollgate Grafana dashboard, typed by Grafana's own schema; tollgate-dashboard.json beside it is this, serialised.
//
// Edit this file, not the JSON: `npx vitest run packages/core/test/grafana-dashboard.test.ts --update`
// rewrites the JSON, and the same test fails while the two differ. The test also checks every
// query against the metrics a real engine exports.

import {
  BarGaugeDisplayMode,
  BarGaugeNamePlacement,
  BarGaugeSizing,
  BarGaugeValueMode,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  type Dashboard,
  DashboardCursorSync,
  type DataSourceRef,
  FieldColorModeId,
  type FieldConfig,
  GraphDrawStyle,
  type GraphFieldConfig,
  GraphGradientMode,
  GraphThresholdsStyleMode,
  type GridPos,
  LegendDisplayMode,
  LineInterpolation,
  type Panel,
  PercentChangeColorMode,
  SortOrder,
  StackingMode,
  type ThresholdsConfig,
  ThresholdsMode,
  TooltipDisplayMode,
  type VariableModel,
  VariableRefresh,
  VariableSort,
  VisibilityMode,
  VizOrientation,
} from '@grafana/schema';
import type { Options as BarGaugeOptions } from '@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type { Options as TimeSeriesOptions } from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

/** Every query goes to the data source picked in the `datasource` variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal.
const prometheus: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** The selector every decision query shares: the picked jobs and key ids. */
const decisions = 'job=~"$job", tollgate_key_id=~"$key_id"';

/** A Prometheus query of a panel. Grafana stores it as a plain object. */
type PromTarget = {
  refId: string;
  datasource: DataSourceRef;
  expr: string;
  legendFormat: string;
  range: boolean;
  instant: boolean;
  editorMode: 'code';
};

function query(refId: string, expr: string, legendFormat: string, instant = false): PromTarget {
  return { refId, datasource: prometheus, expr, legendFormat, range: !instant, instant, editorMode: 'code' };
}

/**
 * A panel's `options` and `fieldConfig.defaults.custom` are plain records in the dashboard schema;
 * each panel type's own interface checks them first, then they are copied into one.
 */
function plain(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value));
}

function thresholds(...steps: [string, number | null][]): ThresholdsConfig {
  return { mode: ThresholdsMode.Absolute, steps: steps.map(([color, value]) => ({ color, value })) };
}

const okThresholds = thresholds(['green', null]);
/** Share of the daily cap: the `threshold` events fire at 90% and 100%. */
const capThresholds = thresholds(['green', null], ['orange', 0.9], ['red', 1]);

interface PanelBase {
  id: number;
  title: string;
  description: string;
  gridPos: GridPos;
  targets: PromTarget[];
  defaults: FieldConfig;
}

function timeseries(
  p: PanelBase & { custom?: GraphFieldConfig; options?: Partial<TimeSeriesOptions> },
): Panel {
  const custom: GraphFieldConfig = {
    drawStyle: GraphDrawStyle.Line,
    lineInterpolation: LineInterpolation.Linear,
    lineWidth: 1,
    fillOpacity: 10,
    gradientMode: GraphGradientMode.None,
    showPoints: VisibilityMode.Never,
    spanNulls: false,
    stacking: { mode: StackingMode.None, group: 'A' },
    thresholdsStyle: { mode: GraphThresholdsStyleMode.Off },
    ...p.custom,
  };
  const options: TimeSeriesOptions = {
    legend: { showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] },
    tooltip: { mode: TooltipDisplayMode.Multi, sort: SortOrder.Descending },
    ...p.options,
  };
  return {
    id: p.id,
    type: 'timeseries',
    title: p.title,
    description: p.description,
    gridPos: p.gridPos,
    datasource: prometheus,
    targets: p.targets,
    fieldConfig: {
      defaults: { color: { mode: FieldColorModeId.PaletteClassic }, custom: plain(custom), ...p.defaults },
      overrides: [],
    },
    options: plain(options),
  };
}

function stat(p: PanelBase): Panel {
  const options: StatOptions = {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    orientation: VizOrientation.Auto,
    colorMode: BigValueColorMode.Value,
    graphMode: BigValueGraphMode.Area,
    justifyMode: BigValueJustifyMode.Auto,
    textMode: BigValueTextMode.Auto,
    wideLayout: true,
    showPercentChange: false,
    percentChangeColorMode: PercentChangeColorMode.Standard,
  };
  return {
    id: p.id,
    type: 'stat',
    title: p.title,
    description: p.description,
    gridPos: p.gridPos,
    datasource: prometheus,
    targets: p.targets,
    fieldConfig: { defaults: { color: { mode: FieldColorModeId.Thresholds }, ...p.defaults }, overrides: [] },
    options: plain(options),
  };
}

function barGauge(p: PanelBase): Panel {
  const options: BarGaugeOptions = {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    orientation: VizOrientation.Horizontal,
    displayMode: BarGaugeDisplayMode.Gradient,
    valueMode: BarGaugeValueMode.Color,
    namePlacement: BarGaugeNamePlacement.Left,
    showUnfilled: true,
    sizing: BarGaugeSizing.Auto,
    minVizHeight: 16,
    minVizWidth: 8,
    maxVizHeight: 300,
    legend: { showLegend: false, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] },
  };
  return {
    id: p.id,
    type: 'bargauge',
    title: p.title,
    description: p.description,
    gridPos: p.gridPos,
    datasource: prometheus,
    targets: p.targets,
    fieldConfig: { defaults: { color: { mode: FieldColorModeId.Thresholds }, ...p.defaults }, overrides: [] },
    options: plain(options),
  };
}

/** One usage ratio per key: the busiest process's count over the cap (see docs/monitoring.md). */
const usageRatio = `max by (tollgate_key_id) (tollgate_daily_used{${decisions}}) / max by (tollgate_key_id) (tollgate_daily_limit{${decisions}})`;

const latency = (q: number) =>
  `histogram_quantile(${q}, sum by (le) (rate(tollgate_check_duration_bucket{job=~"$job"}[$__rate_interval])))`;

const variables: VariableModel[] = [
  {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    refresh: VariableRefresh.onDashboardLoad,
  },
  {
    name: 'job',
    label: 'Job',
    description: 'The Prometheus jobs that scrape your Tollgate processes.',
    type: 'query',
    datasource: prometheus,
    query: 'label_values(tollgate_decisions_total, job)',
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { text: 'All', value: '$__all' },
    refresh: VariableRefresh.onTimeRangeChanged,
    sort: VariableSort.alphabeticalAsc,
  },
  {
    name: 'key_id',
    label: 'Key id',
    description: "The policy's key ids; `unknown` holds the requests refused before a key was identified.",
    type: 'query',
    datasource: prometheus,
    query: 'label_values(tollgate_decisions_total{job=~"$job"}, tollgate_key_id)',
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { text: 'All', value: '$__all' },
    refresh: VariableRefresh.onTimeRangeChanged,
    sort: VariableSort.alphabeticalAsc,
  },
];

const panels: Panel[] = [
  stat({
    id: 1,
    title: 'Checks per second',
    description: 'Requests decided by Tollgate, allowed and refused.',
    gridPos: { x: 0, y: 0, w: 6, h: 4 },
    targets: [query('A', `sum(rate(tollgate_decisions_total{${decisions}}[$__rate_interval]))`, 'checks/s')],
    defaults: { unit: 'reqps', thresholds: okThresholds },
  }),
  stat({
    id: 2,
    title: 'Refused',
    description: 'Share of the checks that were refused (any 4xx or 503).',
    gridPos: { x: 6, y: 0, w: 6, h: 4 },
    targets: [
      query(
        'A',
        `sum(rate(tollgate_decisions_total{${decisions}, tollgate_outcome="refused"}[$__rate_interval])) / sum(rate(tollgate_decisions_total{${decisions}}[$__rate_interval]))`,
        'refused',
      ),
    ],
    defaults: {
      unit: 'percentunit',
      decimals: 1,
      thresholds: thresholds(['green', null], ['orange', 0.2], ['red', 0.5]),
    },
  }),
  stat({
    id: 3,
    title: 'Check latency p99',
    description:
      'engine.check, store round trip included. The histogram has no key id, so the key filter does not apply.',
    gridPos: { x: 12, y: 0, w: 6, h: 4 },
    targets: [query('A', latency(0.99), 'p99')],
    defaults: {
      unit: 'ms',
      decimals: 3,
      thresholds: thresholds(['green', null], ['orange', 5], ['red', 25]),
    },
  }),
  stat({
    id: 4,
    title: 'Failed store calls',
    description:
      'Checks in the time range whose store call failed and were decided by the failure mode instead.',
    gridPos: { x: 18, y: 0, w: 6, h: 4 },
    targets: [
      query('A', 'sum(increase(tollgate_store_failures_total{job=~"$job"}[$__range]))', 'failed', true),
    ],
    defaults: { unit: 'short', decimals: 0, thresholds: thresholds(['green', null], ['red', 1]) },
  }),
  timeseries({
    id: 5,
    title: 'Decisions by code',
    description: '`ok`, `preflight`, and each refusal code of docs/errors.md.',
    gridPos: { x: 0, y: 4, w: 12, h: 8 },
    targets: [
      query(
        'A',
        `sum by (tollgate_code) (rate(tollgate_decisions_total{${decisions}}[$__rate_interval]))`,
        '{{tollgate_code}}',
      ),
    ],
    defaults: { unit: 'reqps', min: 0, thresholds: okThresholds },
    custom: { stacking: { mode: StackingMode.Normal, group: 'A' }, fillOpacity: 25 },
  }),
  timeseries({
    id: 6,
    title: 'Refusals by key',
    description:
      'Refused checks by key id and code. `unknown` is the key id of 401s for a missing or unknown key.',
    gridPos: { x: 12, y: 4, w: 12, h: 8 },
    targets: [
      query(
        'A',
        `sum by (tollgate_key_id, tollgate_code) (rate(tollgate_decisions_total{${decisions}, tollgate_outcome="refused"}[$__rate_interval]))`,
        '{{tollgate_key_id}} {{tollgate_code}}',
      ),
    ],
    defaults: { unit: 'reqps', min: 0, thresholds: okThresholds },
  }),
  timeseries({
    id: 7,
    title: 'Check latency',
    description:
      'Quantiles of engine.check, store round trip included, from the sub-millisecond histogram buckets.',
    gridPos: { x: 0, y: 12, w: 12, h: 8 },
    targets: [
      query('A', latency(0.5), 'p50'),
      query('B', latency(0.9), 'p90'),
      query('C', latency(0.99), 'p99'),
    ],
    defaults: { unit: 'ms', min: 0, thresholds: okThresholds },
  }),
  timeseries({
    id: 8,
    title: 'Store failures',
    description:
      'Failed store calls by failure mode, and the 503 store_unavailable refusals they caused (fail-closed, or a full fallback).',
    gridPos: { x: 12, y: 12, w: 12, h: 8 },
    targets: [
      query(
        'A',
        'sum by (tollgate_failure_mode) (rate(tollgate_store_failures_total{job=~"$job"}[$__rate_interval]))',
        'failed store calls ({{tollgate_failure_mode}})',
      ),
      query(
        'B',
        `sum(rate(tollgate_decisions_total{${decisions}, tollgate_code="store_unavailable"}[$__rate_interval]))`,
        '503 store_unavailable',
      ),
    ],
    defaults: { unit: 'reqps', min: 0, thresholds: okThresholds },
  }),
  barGauge({
    id: 9,
    title: 'Daily usage against cap',
    description:
      "Each capped key's allowed requests today over its dailyLimit, as of its last request; 0 from the key's midnight.",
    gridPos: { x: 0, y: 20, w: 12, h: 8 },
    targets: [query('A', usageRatio, '{{tollgate_key_id}}', true)],
    defaults: { unit: 'percentunit', min: 0, max: 1, decimals: 0, thresholds: capThresholds },
  }),
  timeseries({
    id: 10,
    title: 'Daily usage over time',
    description: 'The same share over time: it climbs through the day and drops at each key’s midnight.',
    gridPos: { x: 12, y: 20, w: 12, h: 8 },
    targets: [query('A', usageRatio, '{{tollgate_key_id}}')],
    defaults: { unit: 'percentunit', min: 0, thresholds: capThresholds },
    custom: { thresholdsStyle: { mode: GraphThresholdsStyleMode.Dashed } },
  }),
];

/**
 * The dashboard: decisions by code, refusals by key, latency, store failures, and each key's
 * use of its daily cap. Import it with a Prometheus data source (docs/monitoring.md).
 */
export const dashboard = {
  uid: 'tollgate-overview',
  title: 'Tollgate',
  description: 'Decisions, refusals, latency, store failures and daily usage of a Tollgate engine.',
  tags: ['tollgate'],
  editable: true,
  graphTooltip: DashboardCursorSync.Crosshair,
  time: { from: 'now-6h', to: 'now' },
  refresh: '30s',
  schemaVersion: 39,
  version: 1,
  templating: { list: variables },
  annotations: { list: [] },
  panels,
} satisfies Dashboard;
