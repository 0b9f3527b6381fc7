// Redirects and credentials: every hop checked for HTTPS, credentials kept to the base URL's origin.

import { describe, expect, it } from 'vitest';
import { createClient, type FetchLike, InsecureUrlError, RedirectError } from '../src/index.js';

const KEY = 'pk_test_transport_4d5e6f';
const BASE = 'https://api.example.com';

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
}

/** A fake network: `routes` answers each URL; every request is recorded. */
function network(routes: Record<string, (req: Sent) => Response>) {
  const sent: Sent[] = [];
  const fetch: FetchLike = async (input, init) => {
    const req: Sent = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: init?.body == null ? null : await new Response(init.body).text(),
    };
    expect(init?.redirect).toBe('manual');
    sent.push(req);
    const route = routes[req.url];
    return route ? route(req) : new Response('not found', { status: 404 });
  };
  return { sent, fetch };
}

const redirect = (status: number, location: string) => () =>
  new Response(null, { status, headers: { Location: location } });
const ok = () => new Response('ok');

describe('redirects', () => {
  it('refuses an https → http redirect before sending anything to it', async () => {
    const net = network({ [`${BASE}/a`]: redirect(302, 'http://api.example.com/b') });
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch: net.fetch });
    const error = await client('/a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsecureUrlError);
    expect((error as Error).message).toContain('redirect target http://api.example.com');
    expect(net.sent.map((s) => s.url)).toEqual([`${BASE}/a`]);
  });

  it('refuses a redirect to loopback http unless allowInsecureLoopback is set', async () => {
    const net = network({ [`${BASE}/a`]: redirect(302, 'http://127.0.0.1:9/b') });
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch: net.fetch });
    await expect(client('/a')).rejects.toBeInstanceOf(InsecureUrlError);
  });

  it('keeps credentials on same-origin hops and drops them, the caller ones too, once the origin changes', async () => {
    const net = network({
      [`${BASE}/a`]: redirect(301, '/b'),
      [`${BASE}/b`]: redirect(302, 'https://cdn.example.net/c'),
      'https://cdn.example.net/c': redirect(302, `${BASE}/d`),
      [`${BASE}/d`]: ok,
    });
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch: net.fetch });
    const res = await client('/a', {
      headers: { Authorization: 'Basic eDp5', Cookie: 'sid=1', Accept: 'text/plain' },
    });
    expect(await res.text()).toBe('ok');
    expect(net.sent.map((s) => [s.url, s.headers.get('x-api-key'), s.headers.get('authorization')])).toEqual([
      [`${BASE}/a`, KEY, 'Basic eDp5'],
      [`${BASE}/b`, KEY, 'Basic eDp5'],
      ['https://cdn.example.net/c', null, null],
      // Back on the base origin, but chosen by another origin's redirect: no credentials.
      [`${BASE}/d`, null, null],
    ]);
    expect(net.sent.every((s) => s.headers.get('accept') === 'text/plain')).toBe(true);
    expect(net.sent.slice(2).every((s) => !s.headers.has('cookie'))).toBe(true);
  });

  it('drops a bearer token on a cross-origin hop', async () => {
    const net = network({
      [`${BASE}/a`]: redirect(307, 'https://other.example.com/b'),
      'https://other.example.com/b': ok,
    });
    const client = createClient({ baseUrl: BASE, tokenProvider: () => 'tok_abcdef123456', fetch: net.fetch });
    await client('/a');
    expect(net.sent.map((s) => s.headers.get('authorization'))).toEqual(['Bearer tok_abcdef123456', null]);
  });

  it('turns 303, and 301/302 after a POST, into a GET without a body; 307/308 keep method and body', async () => {
    const net = network({
      [`${BASE}/303`]: redirect(303, '/done'),
      [`${BASE}/302`]: redirect(302, '/done'),
      [`${BASE}/307`]: redirect(307, '/done'),
      [`${BASE}/308`]: redirect(308, '/done'),
      [`${BASE}/done`]: ok,
    });
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch: net.fetch });
    for (const path of ['/303', '/302', '/307', '/308']) {
      await client(path, { method: 'POST', body: 'payload', headers: { 'Content-Type': 'text/plain' } });
    }
    const finals = net.sent.filter((s) => s.url.endsWith('/done'));
    expect(finals.map((s) => [s.method, s.body, s.headers.get('content-type')])).toEqual([
      ['GET', null, null],
      ['GET', null, null],
      ['POST', 'payload', 'text/plain'],
      ['POST', 'payload', 'text/plain'],
    ]);
  });

  it('stops after maxRedirects with RedirectError', async () => {
    const net = network({ [`${BASE}/loop`]: redirect(302, '/loop') });
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch: net.fetch, maxRedirects: 3 });
    await expect(client('/loop')).rejects.toMatchObject({ code: 'ERR_TOLLGATE_CLIENT_REDIRECT' });
    expect(net.sent).toHaveLength(4);
  });

  it("honours the caller's redirect: 'manual' and 'error'", async () => {
    const net = network({ [`${BASE}/a`]: redirect(302, '/b') });
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch: net.fetch });
    expect((await client('/a', { redirect: 'manual' })).status).toBe(302);
    await expect(client('/a', { redirect: 'error' })).rejects.toBeInstanceOf(RedirectError);
  });

  it('refuses to follow a redirect whose target the runtime hides (a browser opaqueredirect)', async () => {
    const opaque = {
      type: 'opaqueredirect',
      status: 0,
      headers: new Headers(),
      body: null,
    } as unknown as Response;
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch: async () => opaque });
    await expect(client('/a')).rejects.toBeInstanceOf(RedirectError);
  });

  it('will not replay a streamed body for a 307', async () => {
    const net = network({ [`${BASE}/a`]: redirect(307, '/b'), [`${BASE}/b`]: ok });
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch: net.fetch });
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('x'));
        c.close();
      },
    });
    await expect(client('/a', { method: 'PUT', body, duplex: 'half' } as RequestInit)).rejects.toBeInstanceOf(
      RedirectError,
    );
  });
});

describe('request URLs', () => {
  it('sends credentials only to the base origin; other HTTPS origins get the request without them', async () => {
    const net = network({ 'https://elsewhere.example.org/x': ok });
    const client = createClient({ baseUrl: `${BASE}/v1`, apiKey: KEY, fetch: net.fetch });
    await client('https://elsewhere.example.org/x');
    await client('/x');
    expect(net.sent.map((s) => [s.url, s.headers.get('x-api-key')])).toEqual([
      ['https://elsewhere.example.org/x', null],
      [`${BASE}/v1/x`, KEY],
    ]);
  });

  it('refuses plain-HTTP and credential-carrying request URLs', async () => {
    const net = network({});
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch: net.fetch });
    await expect(client('http://api.example.com/x')).rejects.toBeInstanceOf(InsecureUrlError);
    await expect(client(new URL('https://u:p@api.example.com/x'))).rejects.toBeInstanceOf(InsecureUrlError);
    expect(net.sent).toEqual([]);
  });

  it('uses a configured API key header', async () => {
    const net = network({ [`${BASE}/x`]: ok });
    const client = createClient({ baseUrl: BASE, apiKey: KEY, apiKeyHeader: 'Api-Key', fetch: net.fetch });
    await client('/x');
    expect(net.sent[0]?.headers.get('api-key')).toBe(KEY);
    expect(net.sent[0]?.headers.has('x-api-key')).toBe(false);
  });
});
