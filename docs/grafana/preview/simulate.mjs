// A real Tollgate engine driven through six simulated hours of traffic, its Prometheus exporter read every 15 s.
//
// Nothing here is drawn by hand: the engine decides every request (memory store, its own clock set
// to the simulated time), and each scrape is the exporter's own text. What is made up is the
// traffic: how many requests each key sends, and the incidents (a key guesser, a scraper over its
// per-IP cap, a partner over its daily cap, an eight-minute store outage).

import { createRequire } from 'node:module';
import { createEngine, createMemoryStore } from '../../../packages/core/dist/index.js';

// The OpenTelemetry SDK and exporter are devDependencies of @tollgate/core, so resolve them from there.
const fromCore = createRequire(new URL('../../../packages/core/package.json', import.meta.url));
const { MeterProvider } = await import(fromCore.resolve('@opentelemetry/sdk-metrics'));
const { PrometheusExporter, PrometheusSerializer } = await import(
  fromCore.resolve('@opentelemetry/exporter-prometheus')
);

/** Monday 2026-11-23, 12:00 to 18:00 UTC. */
export const START = Date.UTC(2026, 10, 23, 12);
export const END = Date.UTC(2026, 10, 23, 18);
export const SCRAPE_MS = 15_000;
/** The labels Prometheus would add when scraping this process. */
const TARGET = { job: 'api', instance: 'api-1:9464' };

const policy = {
  keys: [
    {
      id: 'shop-web',
      key: 'pk_live_preview_web_00000001',
      allowedUrls: ['https://shop.example.com'],
      dailyLimit: 75_000,
      perIpDailyLimit: 1_500,
      timeZone: 'Europe/London',
    },
    {
      id: 'shop-backend',
      key: 'sk_live_preview_backend_0001',
      dailyLimit: 100_000,
      ipForwarding: true,
      timeZone: 'America/New_York',
    },
    { id: 'partner-feed', key: 'sk_live_preview_partner_0001', dailyLimit: 30_000, timeZone: 'UTC' },
    { id: 'mobile-app', key: 'pk_live_preview_mobile_00001', dailyLimit: 125_000, timeZone: 'Asia/Tokyo' },
  ],
};
const key = Object.fromEntries(policy.keys.map((k) => [k.id, k.key]));

/** A small seeded generator, so every run sends the same traffic. */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs the simulation. Returns every scrape's samples, each with its time, as Prometheus would
 * have stored them (target labels added, `target_info` left out).
 */
export async function simulate() {
  const rand = random(20261123);
  let t = START;
  let storeDown = false;
  const memory = createMemoryStore();
  const store = {
    consume(specs, now) {
      if (storeDown) throw new Error('connection is closed');
      return memory.consume(specs, now);
    },
  };
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const engine = createEngine({ policy, store, meter: provider.getMeter('tollgate'), now: () => t });
  const serializer = new PrometheusSerializer();

  const client = (n) => `2001:db8:${(n % 5000).toString(16)}::1`;
  const send = (input) => engine.check({ secure: true, ...input });
  const web = (origin = 'https://shop.example.com') =>
    send({ apiKey: key['shop-web'], origin, ip: client(Math.floor(rand() * 5000)) });
  const backend = () =>
    send({ apiKey: key['shop-backend'], ip: '198.51.100.20', sourceIp: client(Math.floor(rand() * 5000)) });
  const partner = () => send({ apiKey: key['partner-feed'], ip: '198.51.100.40' });
  const mobile = () => send({ apiKey: key['mobile-app'], ip: client(Math.floor(rand() * 5000)) });

  // The morning before the window: each key's count so far today, at its own day's start.
  t = START - 1;
  for (let i = 0; i < 30_000; i++) web();
  for (let i = 0; i < 10_000; i++) backend();
  for (let i = 0; i < 15_000; i++) partner();
  for (let i = 0; i < 95_000; i++) mobile();

  const carry = new Map();
  /** How many requests of `name` in one scrape interval at `perSecond`, fractions carried over. */
  const count = (name, perSecond) => {
    const exact = (perSecond * SCRAPE_MS) / 1000 + (carry.get(name) ?? 0);
    const n = Math.floor(exact);
    carry.set(name, exact - n);
    return n;
  };
  const minute = (h, m) => Date.UTC(2026, 10, 23, h, m);

  const scrapes = [];
  for (let at = START; at <= END; at += SCRAPE_MS) {
    const from = at - SCRAPE_MS;
    // An afternoon swell with some noise, the same for every key.
    const load = (1 + 0.25 * Math.sin(((at - START) / (END - START)) * Math.PI)) * (0.9 + 0.2 * rand());
    storeDown = at > minute(16, 20) && at <= minute(16, 28);
    const batch = [
      ['web', 1.5 * load, () => web()],
      ['copycat', 0.02 * load, () => web('https://copycat.example.net')],
      ['backend', 2.25 * load, backend],
      ['partner', 1.25 * load, partner],
      ['mobile', 1 * load, mobile],
      ['no-key', 0.05, () => send({ ip: client(7) })],
    ];
    if (at > minute(13, 0)) {
      // One address scraping through the browser key, soon over its per-IP cap.
      batch.push([
        'scraper',
        0.5,
        () => send({ apiKey: key['shop-web'], origin: 'https://shop.example.com', ip: '203.0.113.66' }),
      ]);
    }
    if (at > minute(14, 10) && at <= minute(14, 25)) {
      // Someone guessing keys: a new one each time.
      batch.push([
        'guesser',
        3,
        () => send({ apiKey: `pk_live_${Math.floor(rand() * 1e12).toString(36)}`, ip: '192.0.2.9' }),
      ]);
    }
    const planned = batch.flatMap(([name, perSecond, run]) =>
      Array.from({ length: count(name, perSecond) }, () => run),
    );
    // Interleaved, each at its own moment within the interval.
    for (let i = 0; i < planned.length; i++) {
      const j = i + Math.floor(rand() * (planned.length - i));
      [planned[i], planned[j]] = [planned[j], planned[i]];
    }
    for (let i = 0; i < planned.length; i++) {
      t = from + Math.floor(((i + 1) * SCRAPE_MS) / (planned.length + 1));
      await planned[i]();
    }
    t = at;
    const { resourceMetrics } = await exporter.collect();
    scrapes.push({ at, samples: parseSamples(serializer.serialize(resourceMetrics)) });
  }
  await provider.shutdown();
  return scrapes;
}

/** Reads the sample lines of the Prometheus text format, adding the target labels. */
function parseSamples(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] === 'target_info') continue;
    const labels = {};
    for (const [, name, value] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name] = value;
    }
    samples.push({ name: m[1], labels: { ...labels, ...TARGET }, value: m[3] });
  }
  return samples;
}

/**
 * The scrapes as OpenMetrics with timestamps, which `promtool tsdb create-blocks-from openmetrics`
 * loads. Every sample name is its own family of type unknown: Prometheus stores samples by name and
 * labels alone, so PromQL reads them as it reads scraped ones.
 */
export function toOpenMetrics(scrapes) {
  const series = new Map();
  for (const { at, samples } of scrapes) {
    for (const s of samples) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      const id = `${s.name}{${labels}}`;
      let entry = series.get(id);
      if (entry === undefined) {
        entry = { name: s.name, points: [] };
        series.set(id, entry);
      }
      entry.points.push(`${id} ${s.value} ${at / 1000}`);
    }
  }
  const byName = new Map();
  for (const entry of series.values()) {
    const lines = byName.get(entry.name) ?? [];
    lines.push(...entry.points);
    byName.set(entry.name, lines);
  }
  const out = [];
  for (const [name, lines] of byName) out.push(`# TYPE ${name} unknown`, ...lines);
  out.push('# EOF', '');
  return out.join('\n');
}
