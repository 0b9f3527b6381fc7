// The notification-target parser: the documented forms, what is refused and why, and that labels never show a path, query or mailbox.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isInvalidNotifyTarget,
  isLoopbackHostname,
  MAX_NOTIFY_TARGET_LENGTH,
  type NotifyTarget,
  parseNotifyTarget,
} from '../src/notify-target.js';

function valid(raw: unknown): NotifyTarget {
  const t = parseNotifyTarget(raw);
  if (isInvalidNotifyTarget(t)) throw new Error(`refused ${JSON.stringify(raw)}: ${t.error}`);
  return t;
}

// Everything a label may be: nothing, a bare scheme, an origin, or a domain (never a path, query or mailbox).
const LABEL_SHAPE = /^(?:|\*|\*@[a-z0-9.<>[\]:_-]+|[a-z][a-z0-9+.-]*:|https?:\/\/[^/?#@\s]+)$/;

describe('parseNotifyTarget: the documented forms', () => {
  it.each([
    ['ops@example.com', 'email', '*@example.com'],
    ['first.last+tollgate@mail.example.co.uk', 'email', '*@mail.example.co.uk'],
    ["o'brien!#$%&*/=?^_`{|}~-@example.com", 'email', '*@example.com'],
    ['ops@xn--bcher-kva.example', 'email', '*@xn--bcher-kva.example'],
    ['  ops@Example.COM ', 'email', '*@example.com'],
    ['https://hooks.example.com/services/T0/B0/XXXX?token=abc#frag', 'webhook', 'https://hooks.example.com'],
    ['HTTPS://Hooks.Example.com:8443/x', 'webhook', 'https://hooks.example.com:8443'],
    ['https://10.0.0.5/hook', 'webhook', 'https://10.0.0.5'],
    ['http://127.0.0.1:8080/x', 'webhook', 'http://127.0.0.1:8080'],
    ['http://127.0.0.2/hook', 'webhook', 'http://127.0.0.2'],
    ['http://localhost:9000/hook', 'webhook', 'http://localhost:9000'],
    ['http://[::1]:9/x', 'webhook', 'http://[::1]:9'],
    ['http://0x7f.1/x', 'webhook', 'http://127.0.0.1'],
  ])('accepts %s as %s, shown as %s', (raw, kind, label) => {
    expect(valid(raw)).toMatchObject({ kind, label });
  });

  it('marks plain http (to loopback) as such, and https as not', () => {
    const http = valid('http://localhost:9000/hook');
    const https = valid('https://hooks.example.com/x');
    expect(http.kind === 'webhook' && http.plainHttp).toBe(true);
    expect(https.kind === 'webhook' && https.plainHttp).toBe(false);
  });

  it('drops the fragment of a webhook URL and matches emails case-insensitively', () => {
    const a = valid('https://hooks.example.com/x?y=1#one');
    const b = valid('https://hooks.example.com/x?y=1');
    expect(a.kind === 'webhook' && a.url.href).toBe('https://hooks.example.com/x?y=1');
    expect(a.id).toBe(b.id);
    expect(valid('Ops@Example.com').id).toBe(valid('ops@example.com').id);
    expect(valid(' ops@example.com ')).toMatchObject({ address: 'ops@example.com' });
  });

  it('hands out a fresh URL each time, so one caller cannot change another’s', () => {
    const a = valid('https://hooks.example.com/x');
    const b = valid('https://hooks.example.com/x');
    expect(a.kind === 'webhook' && b.kind === 'webhook' && a.url !== b.url).toBe(true);
  });
});

describe('parseNotifyTarget: what is refused, as which kind, and why', () => {
  it.each([
    ['a..b@example.com', 'email', /before the @/],
    ['.ops@example.com', 'email', /before the @/],
    ['ops.@example.com', 'email', /before the @/],
    ['Ops <ops@example.com>', 'email', /display name/],
    ['"quoted"@example.com', 'email', /quotes/],
    ['ops@example', 'email', /host name with a dot/],
    ['ops@@example.com', 'email', /before the @/],
    ['ops@-example.com', 'email', /host name/],
    ['ops@example..com', 'email', /host name/],
    ['ops@[127.0.0.1]', 'email', /host name/],
    ['ops@10.0.0.1', 'email', /not an IP address/],
    ['ops@example.com\r\nBcc: x@example.com', 'email', /before the @/],
    ['ops @example.com', 'email', /before the @/],
    [`${'a'.repeat(65)}@example.com`, 'email', /64 characters/],
    [`ops@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com`, 'email', /254/],
    ['@example.com', 'email', /before the @/],
    ['http://hooks.example.com/x', 'webhook', /loopback/],
    ['http://10.0.0.1/x', 'webhook', /loopback/],
    ['http://127.0.0.1.example.com/x', 'webhook', /loopback/],
    ['http://localhost./x', 'webhook', /loopback/],
    ['http://api.localhost/x', 'webhook', /loopback/],
    ['http://[::ffff:127.0.0.1]/x', 'webhook', /loopback/],
    ['https://user:pass@hooks.example.com/x', 'webhook', /user name or password/],
    ['https://user@hooks.example.com/x', 'webhook', /user name or password/],
    ['ftp://files.example.com/x', 'webhook', /https/],
    ['https://', 'webhook', /valid URL/],
    ['https://hooks.exa mple.com/x', 'webhook', /white space/],
    ['https://hooks.example.com/x\ty', 'webhook', /white space/],
    ['https://hooks.example.com/\r\nHost: evil', 'webhook', /white space/],
    ['hooks.example.com/x', 'unknown', /neither/],
    ['', 'unknown', /neither/],
    ['x'.repeat(MAX_NOTIFY_TARGET_LENGTH + 1), 'unknown', /2048/],
    [42, 'unknown', /not a string/],
    [null, 'unknown', /not a string/],
  ])('refuses %j as %s', (raw, kind, error) => {
    const t = parseNotifyTarget(raw);
    expect(isInvalidNotifyTarget(t)).toBe(true);
    expect(t.kind).toBe(kind);
    expect(isInvalidNotifyTarget(t) && t.error).toMatch(error);
  });

  it('accepts an address of exactly 254 characters and a URL of exactly 2048', () => {
    const address = `ops@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(54)}.com`;
    expect(address).toHaveLength(254);
    expect(valid(address).kind).toBe('email');
    const base = 'https://hooks.example.com/';
    expect(valid(base + 'x'.repeat(MAX_NOTIFY_TARGET_LENGTH - base.length)).kind).toBe('webhook');
  });

  it('never puts the value in the error, nor a path or query in the label', () => {
    const t = parseNotifyTarget('user@hooks.example.com/services/PATHTOKEN?x=QUERYTOKEN');
    expect(t).toMatchObject({ kind: 'email', label: '*' });
    expect(JSON.stringify(t)).not.toMatch(/PATHTOKEN|QUERYTOKEN|user/);
    const u = parseNotifyTarget('https://alice:SECRET@hooks.example.com/PATHTOKEN');
    expect(JSON.stringify(u)).not.toMatch(/SECRET|PATHTOKEN|alice/);
  });

  it('knows loopback hostnames as URL spells them', () => {
    for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.10.20.30', '127.255.255.255', '[::1]']) {
      expect(isLoopbackHostname(h)).toBe(true);
    }
    for (const h of [
      '128.0.0.1',
      '127.0.0.1.example.com',
      'localhost.example.com',
      'api.localhost',
      '[::2]',
    ]) {
      expect(isLoopbackHostname(h)).toBe(false);
    }
  });
});

describe('parseNotifyTarget: properties', () => {
  const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-');
  const hostLabel = fc.string({ unit: alnum, minLength: 1, maxLength: 10 }).map((l) => `x${l}x`);
  const host = fc.array(hostLabel, { minLength: 2, maxLength: 4 }).map((labels) => labels.join('.'));

  it('shows only the origin of any https URL', () => {
    // Built from small parts: fast-check's own web arbitraries take seconds to generate.
    const port = fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined });
    const segments = fc.array(fc.string(), { maxLength: 4 });
    const params = fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 3 });
    fc.assert(
      fc.property(host, port, segments, params, (h, p, path, query) => {
        const authority = p === undefined ? h : `${h}:${p}`;
        const pathPart = path.map((x) => `/${encodeURIComponent(x)}`).join('');
        const queryPart = query
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
          .join('&');
        const raw = `https://${authority}${pathPart}?${queryPart}#${encodeURIComponent(path.join())}`;
        const t = valid(raw);
        expect(t.label).toBe(new URL(raw).origin);
        expect(t.label.slice('https://'.length)).not.toMatch(/[/?#]/);
      }),
      { verbose: true },
    );
  });

  it('shows only the domain of any email address, accepted or not', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (address) => {
        const t = parseNotifyTarget(address);
        expect(t.kind).toBe('email');
        expect(t.label).toBe(`*@${address.slice(address.lastIndexOf('@') + 1).toLowerCase()}`);
      }),
      { verbose: true },
    );
  });

  it('never throws, and labels any string as nothing more than a scheme, an origin or a domain', () => {
    // Strings that look like targets, and strings that do not.
    const unit = fc.constantFrom(...'aZ09.-_@:/?#[]<>%+ \t\r\n"\'!~é\u0000\u00a0');
    const tail = fc.string({ unit, maxLength: 40 });
    const lookalike = fc
      .tuple(fc.constantFrom('', 'https://', 'http://', 'HTTP://', 'ftp://', 'ops@', 'x@y.', ' '), tail)
      .map(([head, rest]) => head + rest);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), lookalike), (raw) => {
        const t = parseNotifyTarget(raw);
        expect(t.label).toMatch(LABEL_SHAPE);
        if (isInvalidNotifyTarget(t)) {
          expect(t.error.length).toBeGreaterThan(0);
          if (raw.length >= 8) expect(t.error).not.toContain(raw.trim());
        }
      }),
      { verbose: true, numRuns: 2000 },
    );
  });

  it('accepts any address built from the documented parts, and gives the same id in any case', () => {
    const atomUnit = fc.constantFrom(..."abcXYZ019!#$%&'*+/=?^_`{|}~-");
    const atom = fc.string({ unit: atomUnit, minLength: 1, maxLength: 8 });
    const local = fc.array(atom, { minLength: 1, maxLength: 4 }).map((a) => a.join('.'));
    fc.assert(
      fc.property(local, host, (l, h) => {
        const address = `${l}@${h}`;
        const t = valid(address);
        expect(t).toMatchObject({ kind: 'email', address, label: `*@${h}` });
        expect(valid(address.toUpperCase()).id).toBe(t.id);
      }),
      { verbose: true },
    );
  });
});
