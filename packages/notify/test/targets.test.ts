// Target validation and labels: what is accepted, and that labels never show a path, query or mailbox.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailLabel, isEmailAddress, isInvalid, isLoopbackHost, parseTarget } from '../src/targets.js';

describe('parseTarget', () => {
  it.each([
    ['ops@example.com', 'email', '*@example.com'],
    ['first.last+tollgate@mail.example.co.uk', 'email', '*@mail.example.co.uk'],
    ['  ops@Example.COM ', 'email', '*@example.com'],
    ['https://hooks.example.com/services/T0/B0/XXXX?token=abc#frag', 'webhook', 'https://hooks.example.com'],
    ['HTTPS://Hooks.Example.com:8443/x', 'webhook', 'https://hooks.example.com:8443'],
  ])('accepts %s as %s, shown as %s', (raw, kind, label) => {
    const t = parseTarget(raw, false);
    expect(isInvalid(t)).toBe(false);
    expect(t).toMatchObject({ kind, label });
  });

  it('drops the fragment of a webhook URL and matches emails case-insensitively', () => {
    const a = parseTarget('https://hooks.example.com/x?y=1#one', false);
    const b = parseTarget('https://hooks.example.com/x?y=1', false);
    expect(!isInvalid(a) && a.kind === 'webhook' && a.url.href).toBe('https://hooks.example.com/x?y=1');
    expect(!isInvalid(a) && !isInvalid(b) && a.id === b.id).toBe(true);
    const c = parseTarget('Ops@Example.com', false);
    const d = parseTarget('ops@example.com', false);
    expect(!isInvalid(c) && !isInvalid(d) && c.id === d.id).toBe(true);
  });

  it.each([
    ['Ops <ops@example.com>', 'email'],
    ['ops@example', 'email'],
    ['ops@@example.com', 'email'],
    ['"quoted"@example.com', 'email'],
    ['ops@[127.0.0.1]', 'email'],
    ['ops@example.com\r\nBcc: x@example.com', 'email'],
    [`${'a'.repeat(65)}@example.com`, 'email'],
    ['http://hooks.example.com/x', 'webhook'],
    ['http://127.0.0.1:8080/x', 'webhook'],
    ['https://user:pass@hooks.example.com/x', 'webhook'],
    ['ftp://files.example.com/x', 'webhook'],
    ['https://', 'webhook'],
    ['hooks.example.com/x', 'unknown'],
    ['', 'unknown'],
    [42, 'unknown'],
    [null, 'unknown'],
  ])('refuses %j', (raw, kind) => {
    const t = parseTarget(raw, false);
    expect(isInvalid(t)).toBe(true);
    expect(t.kind).toBe(kind);
  });

  it('allows http only to loopback, and only with allowInsecureWebhooks', () => {
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://localhost/x',
      'http://[::1]:9/x',
      'http://api.localhost/x',
    ]) {
      expect(isInvalid(parseTarget(url, true))).toBe(false);
      expect(isInvalid(parseTarget(url, false))).toBe(true);
    }
    for (const url of ['http://hooks.example.com/x', 'http://10.0.0.1/x', 'http://127.0.0.1.example.com/x']) {
      expect(isInvalid(parseTarget(url, true))).toBe(true);
    }
    expect(isLoopbackHost('127.10.20.30')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });

  it('shows only the origin of any https URL (property)', () => {
    // Built from small parts: fast-check's own web arbitraries take seconds to generate.
    const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-');
    const label = fc.string({ unit: alnum, minLength: 1, maxLength: 10 }).map((l) => `x${l}x`);
    const host = fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join('.'));
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
        const t = parseTarget(raw, false);
        expect(isInvalid(t)).toBe(false);
        expect(t.label).toBe(new URL(raw).origin);
        expect(t.label).not.toMatch(/[?#]/);
        expect(t.label.slice('https://'.length)).not.toContain('/');
      }),
      { verbose: true },
    );
  });

  it('shows only the domain of any accepted email address (property)', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (address) => {
        const t = parseTarget(address, false);
        const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
        expect(t.label).toBe(`*@${domain}`);
        if (!isInvalid(t)) expect(isEmailAddress(address)).toBe(true);
      }),
      { verbose: true },
    );
  });

  it('labels a malformed address by its last @', () => {
    expect(emailLabel('no-at-sign')).toBe('*');
    expect(emailLabel('a@b@Example.com')).toBe('*@example.com');
  });
});
