// The Grafana dashboard of docs/grafana: its JSON is the typed source serialised, its layout sound, and every query parses and selects series a real engine exports.

import type { Panel, RowPanel } from '@grafana/schema';
import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { parser } from '@prometheus-io/lezer-promql';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboard } from '../../../docs/grafana/dashboard.js';
import { createEngine } from '../src/engine.js';
import { createMemoryStore } from '../src/memory-store.js';
import type { Store } from '../src/store.js';
import { BACKEND_KEY, examplePolicy, manualClock, NOON_UTC, OPEN_KEY, WEB_KEY } from './fixtures.js';
import { get, parseSamples, type Sample, startExporter } from './prometheus-scrape.js';

const WEB = { apiKey: WEB_KEY, origin: 'https://shop.example.com', ip: '203.0.113.9' };
/** Labels Prometheus adds to every series it scrapes. */
const TARGET_LABELS = { job: 'api', instance: '127.0.0.1:9464' };
/** What Grafana puts in for its own variables before the query reaches Prometheus. */
const GRAFANA_VARIABLES: Record<string, string> = { __rate_interval: '1m', __range: '6h', __interval: '15s' };

let provider: MeterProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
  provider = undefined;
  metrics.disable();
});

type AnyPanel = Panel | RowPanel;
const panels = dashboard.panels as AnyPanel[];
const isRow = (p: AnyPanel): p is RowPanel => p.type === 'row';
const queries = panels.flatMap((p) =>
  isRow(p)
    ? []
    : (p.targets ?? []).map((t) => ({
        panel: p.title ?? '',
        ...(t as { expr: string; refId: string; legendFormat: string }),
      })),
);
const variableQueries = (dashboard.templating.list ?? []).flatMap((v) =>
  v.type === 'query' ? [{ name: v.name, query: String(v.query) }] : [],
);

/** `$name` and `${name}` references in a text. */
function variablesIn(text: string): string[] {
  return [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => m[1] as string);
}

/** The text Prometheus would get: Grafana's variables, and ours set to `values`. */
function interpolate(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => {
    const value = GRAFANA_VARIABLES[name] ?? values[name];
    if (value === undefined) throw new Error(`no value for ${whole}`);
    return value;
  });
}

interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}
interface Selector {
  metric: string;
  matchers: Matcher[];
}
interface Parsed {
  errors: number[];
  selectors: Selector[];
  grouping: string[];
}

/** Parses PromQL with Prometheus's own grammar; returns the syntax errors, vector selectors and grouping labels. */
function parsePromql(expr: string): Parsed {
  const out: Parsed = { errors: [], selectors: [], grouping: [] };
  const text = (n: { from: number; to: number }) => expr.slice(n.from, n.to);
  parser.parse(expr).iterate({
    enter(ref) {
      if (ref.type.isError) out.errors.push(ref.from);
      const node = ref.node;
      if (ref.name === 'VectorSelector') {
        const id = node.getChild('Identifier');
        const matchers: Matcher[] = [];
        for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
          const label = m.getChild('LabelName');
          const op = m.getChild('MatchOp');
          const value = m.getChild('StringLiteral');
          if (label === null || op === null || value === null) throw new Error(`odd matcher in ${expr}`);
          matchers.push({
            label: text(label),
            op: text(op) as Matcher['op'],
            value: JSON.parse(text(value)) as string,
          });
        }
        out.selectors.push({ metric: id === null ? '' : text(id), matchers });
      }
      if (ref.name === 'GroupingLabels') {
        for (const l of node.getChildren('LabelName')) out.grouping.push(text(l));
      }
    },
  });
  return out;
}

/** PromQL's matching: a missing label is the empty string, and a regex matches the whole value. */
function matches(sample: Sample, selector: Selector): boolean {
  if (sample.name !== selector.metric) return false;
  return selector.matchers.every(({ label, op, value }) => {
    const v = sample.labels[label] ?? '';
    if (op === '=') return v === value;
    if (op === '!=') return v !== value;
    const hit = new RegExp(`^(?:${value})$`).test(v);
    return op === '=~' ? hit : !hit;
  });
}

/** What is wrong with `expr` against `samples`, once our variables are set to `values`; empty when nothing is. */
function problems(
  expr: string,
  legendFormat: string,
  samples: Sample[],
  values: Record<string, string>,
): string[] {
  const parsed = parsePromql(interpolate(expr, values));
  const found: string[] = [];
  if (parsed.errors.length > 0) found.push(`syntax error at ${parsed.errors.join(', ')}`);
  if (parsed.selectors.length === 0) found.push('selects nothing');
  const selected: Sample[] = [];
  for (const s of parsed.selectors) {
    const hits = samples.filter((sample) => matches(sample, s));
    if (hits.length === 0)
      found.push(
        `no series for ${s.metric}{${s.matchers.map((m) => `${m.label}${m.op}"${m.value}"`).join(',')}}`,
      );
    selected.push(...hits);
  }
  for (const label of parsed.grouping) {
    if (!selected.some((s) => label in s.labels))
      found.push(`grouped by ${label}, a label none of its series has`);
  }
  for (const [, label] of legendFormat.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)) {
    if (!parsed.grouping.includes(label as string))
      found.push(`legend names ${label}, which the query does not keep`);
  }
  return [...new Set(found)];
}

/** Real decisions of every kind the panels show, scraped over HTTP as Prometheus would. */
async function scrapeRealEngine(): Promise<Sample[]> {
  const { exporter, port } = await startExporter();
  provider = new MeterProvider({ readers: [exporter] });
  metrics.setGlobalMeterProvider(provider);
  // A real memory store behind a switch: while down, consume throws, as a Redis store does.
  const inner = createMemoryStore();
  let down = false;
  const store: Store = {
    consume(specs, now) {
      if (down) throw new Error('connection is closed');
      return inner.consume(specs, now);
    },
  };
  const engine = createEngine({
    policy: examplePolicy({ webPerIp: 3, webDaily: 10 }),
    store,
    meter: metrics.getMeter('tollgate'),
    now: manualClock(NOON_UTC).now,
  });
  for (let i = 0; i < 4; i++) await engine.check(WEB); // 3 allowed, then 429 ip_daily_limit
  await engine.check({ apiKey: BACKEND_KEY, ip: '198.51.100.4' });
  await engine.check({ apiKey: OPEN_KEY, ip: '198.51.100.4' });
  await engine.check({ apiKey: 'pk_live_nope_0000000000', ip: '198.51.100.1' }); // 401 unknown_key
  await engine.check({ ...WEB, origin: 'https://evil.example.net' }); // 403 origin_not_allowed
  down = true;
  // 503 store_unavailable, for the key the one-key pass picks
  expect((await engine.check({ ...WEB, ip: '203.0.113.10' })).code).toBe('store_unavailable');
  down = false;

  const res = await get(port, '/metrics');
  expect(res.status).toBe(200);
  return parseSamples(res.body).map((s) => ({ ...s, labels: { ...s.labels, ...TARGET_LABELS } }));
}

describe('Grafana dashboard', () => {
  it('is the typed source, serialised: docs/grafana/tollgate-dashboard.json', async () => {
    await expect(`${JSON.stringify(dashboard, null, 2)}\n`).toMatchFileSnapshot(
      '../../../docs/grafana/tollgate-dashboard.json',
    );
  });

  it('lays its panels out on the 24-column grid without overlaps, ids unique', () => {
    const ids = new Set<number>();
    const boxes: { title: string; x: number; y: number; w: number; h: number }[] = [];
    for (const p of panels) {
      expect(isRow(p)).toBe(false);
      const { id, gridPos, title = '' } = p;
      if (id === undefined || gridPos === undefined) throw new Error(`${title}: no id or gridPos`);
      expect(ids.has(id), `${title}: id ${id} twice`).toBe(false);
      ids.add(id);
      const { x = 0, y = 0, w, h } = gridPos;
      expect(
        x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24,
        `${title}: gridPos ${JSON.stringify(gridPos)}`,
      ).toBe(true);
      for (const b of boxes) {
        const apart = x + w <= b.x || b.x + b.w <= x || y + h <= b.y || b.y + b.h <= y;
        expect(apart, `${title} overlaps ${b.title}`).toBe(true);
      }
      boxes.push({ title, x, y, w, h });
    }
    expect(dashboard.uid.length).toBeLessThanOrEqual(40);
  });

  it('asks the picked Prometheus data source, with variables it defines before their use', () => {
    const defined: string[] = [];
    for (const v of dashboard.templating.list ?? []) {
      for (const used of variablesIn(JSON.stringify(v.query ?? '') + JSON.stringify(v.datasource ?? '')))
        expect(defined, `variable ${v.name} uses $${used} before it is defined`).toContain(used);
      defined.push(v.name);
    }
    expect(defined[0]).toBe('datasource');
    for (const p of panels) {
      if (isRow(p)) continue;
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal.
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, `${p.title}: refIds ${refIds}`).toBe(refIds.length);
      expect(refIds.length).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        expect(t.datasource).toEqual(p.datasource);
        for (const used of variablesIn(String(t.expr))) {
          if (!(used in GRAFANA_VARIABLES)) expect(defined, `${p.title}: $${used}`).toContain(used);
        }
      }
    }
  });

  it('the query checker catches a misspelt metric, a wrong label value, a bad group, a syntax error', () => {
    const samples: Sample[] = [
      { name: 'tollgate_decisions_total', labels: { tollgate_outcome: 'refused', job: 'api' }, value: 1 },
    ];
    const ok = 'sum by (tollgate_outcome) (rate(tollgate_decisions_total{job=~"$job"}[$__rate_interval]))';
    expect(problems(ok, '{{tollgate_outcome}}', samples, { job: '.*' })).toEqual([]);
    expect(problems(ok, '{{tollgate_outcome}}', samples, { job: 'ap' })).toHaveLength(2); // regexes are anchored
    expect(problems(ok.replace('decisions', 'decision'), '', samples, { job: '.*' })[0]).toMatch(/no series/);
    expect(problems(ok.replace('=~"$job"', '="refuse"'), '', samples, {})[0]).toMatch(/no series/);
    expect(problems(ok.replace('by (tollgate_outcome)', 'by (code)'), '', samples, { job: '.*' })).toEqual([
      'grouped by code, a label none of its series has',
    ]);
    expect(problems(ok, '{{tollgate_code}}', samples, { job: '.*' })[0]).toMatch(
      /legend names tollgate_code/,
    );
    expect(problems(ok.replace('))', ')'), '', samples, { job: '.*' })[0]).toMatch(/syntax error/);
  });

  it('every query parses and selects series a real engine exports, for all keys and for one', async () => {
    const samples = await scrapeRealEngine();
    expect(queries.length).toBeGreaterThan(0);
    const everyKey = { job: '.*', key_id: '.*', datasource: 'x' };
    const oneKey = { job: TARGET_LABELS.job, key_id: 'shop-web', datasource: 'x' };
    const found: string[] = [];
    for (const values of [everyKey, oneKey]) {
      for (const q of queries) {
        for (const p of problems(q.expr, q.legendFormat, samples, values))
          found.push(`${q.panel} ${q.refId} (key_id ${values.key_id}): ${p}`);
      }
      for (const v of variableQueries) {
        const m = /^label_values\((.*), *([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(v.query);
        if (m === null) throw new Error(`${v.name}: not label_values(selector, label)`);
        const [, selector = '', label = ''] = m;
        const parsed = parsePromql(interpolate(selector, values));
        const hits = samples.filter((s) => parsed.selectors.some((sel) => matches(s, sel)));
        if (parsed.errors.length > 0 || !hits.some((s) => label in s.labels))
          found.push(`variable ${v.name}: no ${label} on ${selector}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("shows every metric family Tollgate exports, and only Tollgate's", async () => {
    const samples = await scrapeRealEngine();
    const queried = new Set(
      queries.flatMap((q) =>
        parsePromql(interpolate(q.expr, { job: '.*', key_id: '.*' })).selectors.map((s) => s.metric),
      ),
    );
    // A histogram is one family of three series names; the dashboard reads its buckets.
    const family = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
    const exported = new Set(samples.map((s) => family(s.name)).filter((n) => n.startsWith('tollgate_')));
    expect([...new Set([...queried].map(family))].sort()).toEqual([...exported].sort());
    expect([...exported].sort()).toEqual([
      'tollgate_check_duration',
      'tollgate_daily_limit',
      'tollgate_daily_used',
      'tollgate_decisions_total',
      'tollgate_store_failures_total',
    ]);
  });
});
