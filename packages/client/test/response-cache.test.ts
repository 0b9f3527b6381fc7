// The encrypted response cache: what is stored is ciphertext only, tampering is a miss, freshness and Vary hold.

import { describe, expect, it } from 'vitest';
import { createResponseCache } from '../src/response-cache.js';

const NOW = Date.UTC(2026, 10, 23, 12);
const URL_A = new URL('https://api.example.com/v1/customers/4711?email=ada%40example.com');
const MARKER = 'CONFIDENTIAL-BODY-MARKER';

function setup(limits: Partial<{ maxEntries: number; maxBytes: number; maxEntryBytes: number }> = {}) {
  const clock = { t: NOW };
  const cache = createResponseCache({
    maxEntries: 10,
    maxBytes: 1 << 20,
    maxEntryBytes: 1 << 16,
    ...limits,
    now: () => clock.t,
  });
  return { clock, cache };
}

function response(body: string, headers: Record<string, string> = {}) {
  return new Response(body, {
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=60', ...headers },
  });
}

const contains = (haystack: Uint8Array, needle: string) =>
  Buffer.from(haystack).includes(Buffer.from(needle, 'utf8'));

describe('createResponseCache', () => {
  it('gives back the stored status, headers and body, with Age, until max-age runs out', async () => {
    const { clock, cache } = setup();
    const original = response(`{"m":"${MARKER}"}`, { 'X-Request-Id': 'r1', 'Set-Cookie': 'sid=abc' });
    await cache.put(URL_A, new Headers(), original);
    expect(await original.text()).toContain(MARKER); // the caller still has the body

    clock.t += 59_000;
    const hit = await cache.get(URL_A, new Headers());
    expect(hit?.ageMs).toBe(59_000);
    expect(hit?.response.status).toBe(200);
    expect(hit?.response.headers.get('x-request-id')).toBe('r1');
    expect(hit?.response.headers.get('age')).toBe('59');
    expect(hit?.response.headers.has('set-cookie')).toBe(false);
    expect(await hit?.response.text()).toBe(`{"m":"${MARKER}"}`);

    clock.t += 1000;
    expect(await cache.get(URL_A, new Headers())).toBeUndefined();
  });

  it('stores neither the body, nor the URL, nor header values in the clear', async () => {
    const { cache } = setup();
    await cache.put(URL_A, new Headers(), response(`{"m":"${MARKER}"}`, { 'X-Request-Id': 'request-id-77' }));
    expect(cache.entries.size).toBe(1);
    for (const [key, value] of cache.entries.entries()) {
      expect(key).toMatch(/^[0-9a-f]{64}$/); // an HMAC, not the URL
      for (const secret of [MARKER, 'customers/4711', 'ada', 'request-id-77', 'application/json']) {
        expect(contains(value, secret)).toBe(false);
      }
    }
  });

  it('treats a tampered entry, or one moved to another URL, as a miss', async () => {
    const { cache } = setup();
    const other = new URL('https://api.example.com/v1/other');
    await cache.put(URL_A, new Headers(), response('a'));
    const [keyA] = [...cache.entries.keys()] as [string];
    await cache.put(other, new Headers(), response('b'));
    const keyB = [...cache.entries.keys()].find((k) => k !== keyA) as string;
    const valueB = cache.entries.get(keyB) as Uint8Array;

    cache.entries.set(keyA, valueB); // b's ciphertext under a's key: its AAD no longer matches
    expect(await cache.get(URL_A, new Headers())).toBeUndefined();
    expect(cache.entries.has(keyA)).toBe(false);

    const flipped = valueB.slice();
    flipped[flipped.length - 1] = (flipped.at(-1) ?? 0) ^ 1;
    cache.entries.set(keyB, flipped);
    expect(await cache.get(other, new Headers())).toBeUndefined();
  });

  it("cannot read another cache's entries: each has its own key", async () => {
    const one = setup().cache;
    const two = setup().cache;
    await one.put(URL_A, new Headers(), response('x'));
    for (const [k, v] of one.entries.entries()) two.entries.set(k, v);
    expect(await two.get(URL_A, new Headers())).toBeUndefined();
  });

  it('does not store no-store, no max-age, Vary: *, or oversized responses', async () => {
    const { cache } = setup({ maxEntryBytes: 100 });
    await cache.put(URL_A, new Headers(), response('x', { 'Cache-Control': 'no-store' }));
    await cache.put(URL_A, new Headers(), response('x', { 'Cache-Control': 'public' }));
    await cache.put(URL_A, new Headers(), response('x', { Vary: '*' }));
    await cache.put(URL_A, new Headers(), response('x'.repeat(101)));
    await cache.put(URL_A, new Headers(), response('x'.repeat(101), { 'Content-Length': '101' }));
    expect(cache.entries.size).toBe(0);
  });

  it('matches Vary headers against the stored request', async () => {
    const { cache } = setup();
    await cache.put(
      URL_A,
      new Headers({ 'Accept-Language': 'de' }),
      response('hallo', { Vary: 'Accept-Language' }),
    );
    expect(await cache.get(URL_A, new Headers({ 'Accept-Language': 'en' }))).toBeUndefined();
    const hit = await cache.get(URL_A, new Headers({ 'Accept-Language': 'de' }));
    expect(await hit?.response.text()).toBe('hallo');
  });

  it('evicts the least recently used entry past maxEntries', async () => {
    const { cache } = setup({ maxEntries: 2 });
    const urls = ['a', 'b', 'c'].map((p) => new URL(`https://api.example.com/${p}`));
    for (const u of urls) await cache.put(u, new Headers(), response(u.pathname));
    expect(await cache.get(urls[0] as URL, new Headers())).toBeUndefined();
    expect(await (await cache.get(urls[2] as URL, new Headers()))?.response.text()).toBe('/c');
  });
});
