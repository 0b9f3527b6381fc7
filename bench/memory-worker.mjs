// One memory measurement in a process of its own, so heaps never mix: bench/memory.mjs starts it with --expose-gc.
//
//   node --expose-gc bench/memory-worker.mjs <store> <ips>          heap before and after <ips> distinct addresses
//   node --expose-gc bench/memory-worker.mjs spray <ips> <every>    Tollgate with default bounds, heap every <every>
//
// Prints one line of JSON on stdout.

import { createEngine, createMemoryStore } from '@tollgate/core';
import { MemoryStore } from 'express-rate-limit';
import rateLimiterFlexible from 'rate-limiter-flexible';
// The store's key builders, as the engine uses them: core's internals, built but exported to no user.
import { createDayClock, createIpKeyer } from '../packages/core/dist/internal.js';
import { addressAt } from './lib/addresses.mjs';

const { RateLimiterMemory } = rateLimiterFlexible;

const API_KEY = 'pk_bench_memory_0123456789';
const ORIGIN = 'https://app.example.com';
const TIME_ZONE = 'Europe/London';
const KEY_ID = 'web';

/** The stores this worker can fill, by the id the parent passes. */
const STORES = {
  // The whole check: the engine's own bounded caches (address keyer, counter specs, URL answers) included.
  tollgate: (n) => {
    const engine = tollgateEngine(createMemoryStore({ maxEntries: n + 10 }));
    return {
      add: (ip) => engine.check({ apiKey: API_KEY, origin: ORIGIN, ip }),
      // A second check of the first address must see its counter still there: nothing was evicted.
      countOf: (ip) => engine.check({ apiKey: API_KEY, origin: ORIGIN, ip }).limits[0].used - 1,
    };
  },
  // The memory store alone, given counter keys shaped as the engine builds them: the normalised address
  // after a day scope made once per day, so the store is charged for what it keeps and nothing else.
  'tollgate-store': (n) => {
    const store = createMemoryStore({ maxEntries: n + 10 });
    const ipKey = createIpKeyer({ cacheSize: 1 });
    const clock = createDayClock(TIME_ZONE);
    let day;
    let scope = '';
    let daily;
    const specs = (ip, now) => {
      const window = clock.window(now);
      if (window !== day) {
        day = window;
        scope = `${KEY_ID}:${day.day}`;
        daily = { key: `${scope}:daily`, limit: 1e12, expiresAt: day.end, scope };
      }
      return [{ key: `${scope}:ip:${ipKey(ip)}`, limit: 1e9, expiresAt: day.end, scope }, daily];
    };
    return {
      add: (ip) => {
        const now = Date.now();
        return store.consume(specs(ip, now), now);
      },
      countOf: (ip) => {
        const now = Date.now();
        return store.consume(specs(ip, now), now).counts[0] - 1;
      },
    };
  },
  // One counter per address, points never reached, a one-day window (as bench/decision.mjs sets it up).
  rlf: () => {
    const limiter = new RateLimiterMemory({ points: 1e12, duration: 86_400 });
    return {
      add: (ip) => limiter.consume(ip),
      countOf: async (ip) => (await limiter.get(ip))?.consumedPoints ?? 0,
    };
  },
  erl: () => {
    const store = new MemoryStore();
    store.init({ windowMs: 86_400_000 });
    return {
      add: (ip) => store.increment(ip),
      countOf: async (ip) => (await store.get(ip))?.totalHits ?? 0,
    };
  },
};

function tollgateEngine(store) {
  return createEngine({
    policy: {
      keys: [
        {
          id: KEY_ID,
          key: API_KEY,
          allowedUrls: [ORIGIN],
          dailyLimit: 1e12,
          perIpDailyLimit: 1e9,
          timeZone: TIME_ZONE,
        },
      ],
    },
    store,
  });
}

// Two full collections: the first can leave work (weak references, finalisers) for the second.
function settledMemory() {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external, rss: m.rss };
}

async function measure(storeId, n) {
  const make = STORES[storeId];
  if (make === undefined) throw new Error(`unknown store "${storeId}"`);
  // Compile the generator before the baseline so its code is not counted.
  for (let i = 0; i < 1000; i++) addressAt(i);
  const before = settledMemory();
  const store = make(n);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const r = store.add(addressAt(i));
    if (r instanceof Promise) await r;
  }
  const fillMs = performance.now() - start;
  const after = settledMemory();
  // Read after the second reading (which keeps the store alive through it): the store must still hold the
  // first address's counter, else it was measured holding fewer than `n`.
  const firstCount = await store.countOf(addressAt(0));
  return {
    store: storeId,
    ips: n,
    before,
    after,
    heapBytes: after.heapUsed - before.heapUsed,
    arrayBufferBytes: after.arrayBuffers - before.arrayBuffers,
    rssBytes: after.rss - before.rss,
    fillMs: Math.round(fillMs),
    firstAddressKept: firstCount === 1,
  };
}

async function spray(n, every) {
  for (let i = 0; i < 1000; i++) addressAt(i);
  const samples = [{ checks: 0, ...settledMemory() }];
  // The defaults a user gets: createMemoryStore() bounds the counters at 100k.
  const engine = tollgateEngine(createMemoryStore());
  const start = performance.now();
  let refused = 0;
  for (let i = 0; i < n; i++) {
    const d = engine.check({ apiKey: API_KEY, origin: ORIGIN, ip: addressAt(i) });
    if (!d.allowed) refused++;
    if ((i + 1) % every === 0 || i + 1 === n) samples.push({ checks: i + 1, ...settledMemory() });
  }
  const ms = performance.now() - start;
  // The first address's counter was evicted long ago: its next check counts from one again.
  const first = engine.check({ apiKey: API_KEY, origin: ORIGIN, ip: addressAt(0) });
  return {
    store: 'tollgate-default-bounds',
    ips: n,
    every,
    refused,
    ms: Math.round(ms),
    firstAddressEvicted: first.limits[0].used === 1,
    samples,
  };
}

if (typeof globalThis.gc !== 'function') throw new Error('start the memory worker with node --expose-gc');
const [what, nArg, everyArg] = process.argv.slice(2);
const n = Number(nArg);
if (!Number.isSafeInteger(n) || n < 1)
  throw new Error(`expected a positive number of addresses, got ${nArg}`);
const result = what === 'spray' ? await spray(n, Number(everyArg)) : await measure(what, n);
process.stdout.write(`${JSON.stringify(result)}\n`);
