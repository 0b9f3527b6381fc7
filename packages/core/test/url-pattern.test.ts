// Tests for the allowedUrls whitelist compiler: documented examples, config errors and properties.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TollgateError } from '../src/errors.js';
import { compileUrlPatterns } from '../src/url-pattern.js';

type Case = readonly [pattern: string, headerValue: string, admitted: boolean];

function runTable(cases: readonly Case[]): void {
  it.each(cases)('%s vs %s → %s', (pattern, headerValue, admitted) => {
    expect(compileUrlPatterns([pattern])(headerValue)).toBe(admitted);
  });
}

function expectPatternError(patterns: readonly string[]): void {
  let thrown: unknown;
  try {
    compileUrlPatterns(patterns);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TollgateError);
  expect((thrown as TollgateError).code).toBe('ERR_TOLLGATE_INVALID_URL_PATTERN');
}

describe('URL-prefix patterns', () => {
  describe('classic examples', () => {
    runTable([
      ['https://foo.com', 'https://foo.com/', true],
      ['https://foo.com', 'https://foo.com/bar', true],
      ['https://foo.com', 'https://foo.com', true],
    ]);
  });

  describe('scheme, host and port', () => {
    runTable([
      ['https://foo.com', 'HTTPS://FOO.com/', true],
      ['HTTPS://FOO.COM', 'https://foo.com/', true],
      ['https://foo.com', 'https://foo.com:443/', true],
      ['https://foo.com:443', 'https://foo.com/', true],
      ['http://foo.com:80', 'http://foo.com/', true],
      ['https://foo.com', 'https://foo.com./x', true],
      ['https://foo.com.', 'https://foo.com/x', true],
      ['https://foo.com', 'http://foo.com/', false],
      ['http://foo.com', 'https://foo.com/', false],
      ['https://foo.com', 'https://foo.com:8443/', false],
      ['https://foo.com:8443', 'https://foo.com/', false],
      ['https://foo.com', 'https://app.foo.com/', false],
      ['https://foo.com', 'wss://foo.com/', false],
      ['https://foo.com', 'ftp://foo.com/', false],
      ['http://localhost:3000', 'http://localhost:3000/x', true],
      ['http://localhost:3000', 'http://localhost:3001/', false],
      ['http://localhost:3000', 'http://localhost/', false],
      ['http://127.0.0.1:3000', 'http://127.0.0.1:3000/', true],
      ['http://[::1]:8080', 'http://[::1]:8080/x', true],
      ['http://[0:0::1]:8080', 'http://[::1]:8080/', true],
      ['http://[::1]:8080', 'http://[::2]:8080/', false],
      ['https://bücher.example', 'https://xn--bcher-kva.example/', true],
      ['https://xn--bcher-kva.example', 'https://BÜCHER.example/', true],
    ]);
  });

  describe('request userinfo, query and fragment never take part', () => {
    runTable([
      ['https://foo.com', 'https://foo.com/bar?x=1#y', true],
      ['https://foo.com', 'https://user:pw@foo.com/', true],
      ['https://foo.com/bar', 'https://foo.com/bar?q', true],
      ['https://foo.com/bar', 'https://foo.com/?/bar', false],
      ['https://foo.com/bar', 'https://foo.com/#/bar', false],
    ]);
  });

  describe('hostile look-alikes', () => {
    runTable([
      ['https://foo.com', 'https://foo.com.evil.net/', false],
      ['https://foo.com', 'https://foo.com@evil.com/', false],
      ['https://foo.com', 'https://foo.com:443@evil.com/', false],
      ['https://foo.com', 'https://evil.com#@foo.com', false],
      ['https://foo.com', 'https://evilfoo.com/', false],
      ['https://foo.com', 'https://evil.com/?u=https://foo.com', false],
      ['https://foo.com', 'https://evil.com/#https://foo.com', false],
      ['https://foo.com', 'https://evil.com/https://foo.com', false],
      ['https://foo.com', 'https://foo.com,.evil.com/', false],
    ]);
  });

  describe('paths', () => {
    runTable([
      ['https://foo.com/', 'https://foo.com/anything', true],
      ['https://foo.com/bar', 'https://foo.com/bar', true],
      ['https://foo.com/bar', 'https://foo.com/bar/', true],
      ['https://foo.com/bar', 'https://foo.com/bar/x', true],
      ['https://foo.com/bar', 'https://foo.com/barn', false],
      ['https://foo.com/bar', 'https://foo.com/ba', false],
      ['https://foo.com/bar', 'https://foo.com/', false],
      ['https://foo.com/bar', 'https://foo.com', false],
      ['https://foo.com/bar', 'https://foo.com/x/bar', false],
      ['https://foo.com/bar', 'https://foo.com/BAR', false],
      ['https://foo.com/bar', 'https://foo.com/bar/../admin', false],
      ['https://foo.com/bar', 'https://foo.com/bar/%2e%2e/admin', false],
      ['https://foo.com/bar', 'https://foo.com/bar%2Fx', false],
      ['https://foo.com/bar/', 'https://foo.com/bar/x', true],
      ['https://foo.com/bar/', 'https://foo.com/bar/', true],
      ['https://foo.com/bar/', 'https://foo.com/bar', false],
      ['https://foo.com/bar/', 'https://foo.com/barn', false],
      ['https://foo.com/a/../bar', 'https://foo.com/bar/x', true],
      ['https://foo.com/café', 'https://foo.com/café', true],
      ['https://foo.com/café', 'https://foo.com/caf%C3%A9/x', true],
      ['https://foo.com/café', 'https://foo.com/caf%c3%a9', true],
      ['https://foo.com/caf%c3%a9', 'https://foo.com/café', true],
    ]);
  });
});

describe('schemeless patterns', () => {
  describe('classic examples', () => {
    runTable([
      ['foo.com/bar', 'https://foo.com/bar', true],
      ['foo.com/bar', 'https://app.foo.com/bar', true],
    ]);
  });

  describe('host and subdomains on a label boundary, either scheme, any port', () => {
    runTable([
      ['foo.com/bar', 'http://foo.com/bar', true],
      ['foo.com/bar', 'https://app.foo.com/bar/x', true],
      ['foo.com/bar', 'https://a.b.foo.com/bar/', true],
      ['foo.com/bar', 'https://foo.com:8443/bar', true],
      ['foo.com/bar', 'https://foo.com/barn', false],
      ['foo.com/bar', 'https://foo.com/', false],
      ['foo.com/bar', 'ftp://foo.com/bar', false],
      ['foo.com', 'https://foo.com', true],
      ['foo.com', 'http://app.foo.com:8080/x', true],
      ['foo.com', 'https://foo.co/', false],
      ['foo.com', 'https://com/', false],
      ['FOO.com/bar', 'https://foo.COM/bar', true],
      ['bücher.example', 'https://shop.xn--bcher-kva.example/', true],
      ['127.0.0.1', 'http://127.0.0.1:5173/', true],
      ['127.0.0.1', 'http://127.0.0.2/', false],
    ]);
  });

  describe('a written port must match', () => {
    runTable([
      ['localhost:3000', 'http://localhost:3000/', true],
      ['localhost:3000', 'http://app.localhost:3000/', true],
      ['localhost:3000', 'http://localhost:3001/', false],
      ['localhost:3000', 'http://localhost/', false],
      ['foo.com:80', 'http://foo.com/', true],
      ['foo.com:80', 'https://foo.com:80/', true],
      ['foo.com:80', 'https://foo.com/', false],
      ['[::1]:3000', 'http://[::1]:3000/', true],
    ]);
  });

  describe('hostile look-alikes', () => {
    runTable([
      ['foo.com/bar', 'https://evilfoo.com/bar', false],
      ['foo.com/bar', 'https://evil.com/?r=foo.com/bar', false],
      ['foo.com/bar', 'https://evil.com/x/foo.com/bar', false],
      ['foo.com/bar', 'https://evil.com/#foo.com/bar', false],
      ['foo.com/bar', 'https://foo.com@evil.com/bar', false],
      ['foo.com/bar', 'https://foo.com.evil.net/bar', false],
      ['foo.com/bar', 'https://evil.com,.foo.com/bar', false],
      ['foo.com', 'https://evilfoo.com/', false],
      ['foo.com', 'https://foo.com.evil.net/', false],
    ]);
  });
});

describe('wildcards', () => {
  describe('a leading "*." host label admits subdomains at any depth, not the apex', () => {
    runTable([
      ['*.example.com/*', 'https://a.example.com/x/y', true],
      ['*.example.com/*', 'https://a.b.example.com/', true],
      ['*.example.com/*', 'http://a.example.com:8080/', true],
      ['*.example.com/*', 'https://example.com/', false],
      ['*.example.com/*', 'https://evilexample.com/', false],
      ['*.example.com/*', 'https://a.example.com.evil.net/', false],
      ['*.example.com', 'https://a.example.com/', true],
      ['https://*.example.com', 'https://a.example.com/', true],
      ['https://*.example.com', 'https://a.b.example.com/x', true],
      ['https://*.example.com', 'https://example.com/', false],
      ['https://*.example.com', 'http://a.example.com/', false],
      ['https://*.example.com', 'https://a.example.com:8443/', false],
    ]);
  });

  describe('"*" in the path matches any run of characters, "/" included', () => {
    runTable([
      ['example.com/*', 'https://example.com/', true],
      ['example.com/*', 'https://example.com', true],
      ['example.com/*', 'https://example.com/any/path/at/all', true],
      ['example.com/a/*/c', 'https://example.com/a/x/c', true],
      ['example.com/a/*/c', 'https://example.com/a/x/y/c', true],
      ['example.com/a/*/c', 'https://example.com/a/x/c/d', true],
      ['example.com/a/*/c', 'https://example.com/a/x/cd', false],
      ['example.com/a/*/c', 'https://example.com/a/c', false],
      ['example.com/a/*/c', 'https://example.com/b/x/c', false],
      ['example.com/a/*/c', 'https://example.com/a/cd/c', true],
      ['example.com/a*', 'https://example.com/a', true],
      ['example.com/a*', 'https://example.com/abc/d', true],
      ['example.com/a*', 'https://example.com/b', false],
      ['example.com/*/admin/', 'https://example.com/x/admin/y', true],
      ['example.com/*/admin/', 'https://example.com/x/admin', false],
      ['example.com/*.js', 'https://example.com/static/app.js', true],
      ['example.com/*.js', 'https://example.com/app.js/x', true],
      ['example.com/*.js', 'https://example.com/static/app.json', false],
      ['example.com/*/b/*/d', 'https://example.com/x/b/y/b/z/d', true],
      ['example.com/*/b/*/d', 'https://example.com/x/b/y/dd', false],
    ]);
  });
});

describe('header values that are not one http(s) URL match nothing and never throw', () => {
  const admits = compileUrlPatterns(['foo.com', 'https://foo.com', '*.foo.com/*']);
  it.each([
    ['Origin null', 'null'],
    ['empty', ''],
    ['blank', ' '],
    ['a list with a space', 'https://foo.com, https://foo.com'],
    ['a list without a space', 'https://foo.com,https://foo.com'],
    ['no scheme', 'foo.com'],
    ['scheme-relative', '//foo.com'],
    ['garbage', 'garbage'],
    ['javascript URL', 'javascript:alert(1)//foo.com'],
    ['data URL', 'data:text/html,foo.com'],
    ['blob URL', 'blob:https://foo.com/0f2c'],
    ['file URL', 'file:///foo.com'],
    ['longer than 4096 characters (host)', `https://${'a'.repeat(5000)}.foo.com/`],
    ['longer than 4096 characters (path)', `https://foo.com/${'a'.repeat(5000)}`],
  ])('%s', (_what, headerValue) => {
    expect(admits(headerValue)).toBe(false);
  });

  it('admits the same URL when it is short enough', () => {
    expect(admits(`https://foo.com/${'a'.repeat(4000)}`)).toBe(true);
  });
});

describe('lists', () => {
  it('admits what any pattern admits', () => {
    const admits = compileUrlPatterns([
      'https://shop.example.com',
      'example.org/checkout',
      '*.example.net/*',
    ]);
    expect(admits('https://shop.example.com/cart')).toBe(true);
    expect(admits('https://pay.example.org/checkout/1')).toBe(true);
    expect(admits('https://cdn.example.net/x')).toBe(true);
    expect(admits('https://example.net/x')).toBe(false);
    expect(admits('https://example.org/')).toBe(false);
    expect(admits('http://shop.example.com/')).toBe(false);
  });

  it('an empty list admits nothing', () => {
    expect(compileUrlPatterns([])('https://foo.com/')).toBe(false);
  });

  it('patterns sharing a host are all tried', () => {
    const admits = compileUrlPatterns(['https://foo.com/a', 'https://foo.com/b', 'foo.com:8080']);
    expect(admits('https://foo.com/a/1')).toBe(true);
    expect(admits('https://foo.com/b/1')).toBe(true);
    expect(admits('http://x.foo.com:8080/c')).toBe(true);
    expect(admits('https://foo.com/c')).toBe(false);
  });
});

describe('config errors', () => {
  const badPatterns: readonly (readonly [why: string, pattern: string])[] = [
    ['empty', ''],
    ['blank', '   '],
    ['lone star', '*'],
    ['star inside a label', 'foo*.com'],
    ['star inside a label', 'f*o.com'],
    ['star glued to a label', '*foo.com'],
    ['star in a middle label', 'foo.*.com'],
    ['two star labels', '*.*.foo.com'],
    ['star as the port', 'foo.com:*'],
    ['star as the scheme', '*://foo.com'],
    ['star in the scheme', 'http*://foo.com'],
    ['star inside a label of a URL', 'https://foo*.com'],
    ['star glued to a label of a URL', 'https://*foo.com'],
    ['star with nothing after it', '*.'],
    ['star on an IPv4 address', '*.127.0.0.1'],
    ['star on an IPv6 address', '*.[::1]'],
    ['space', 'foo .com'],
    ['space in the path', 'foo.com/a b'],
    ['tab', 'foo.com\t'],
    ['newline', 'https://foo.com/\n'],
    ['userinfo in a URL', 'https://user@foo.com'],
    ['userinfo without a scheme', 'user:pw@foo.com'],
    ['query', 'foo.com/?x'],
    ['query in a URL', 'https://foo.com/?q=1'],
    ['fragment', 'foo.com#x'],
    ['ftp scheme', 'ftp://foo.com'],
    ['ws scheme', 'ws://foo.com'],
    ['javascript scheme', 'javascript://foo.com'],
    ['no host', 'https://'],
    ['no host without a scheme', '//foo.com'],
    ['only a path', '/path'],
    ['port out of range', 'http://foo.com:99999'],
    ['port not a number', 'foo.com:abc'],
    ['empty port', 'foo.com:'],
    ['empty port in a URL', 'https://foo.com:'],
    ['unclosed IPv6 bracket', 'https://[::1'],
    ['backslash', 'foo.com\\bar'],
    ['comma in the host', 'https://foo,bar.com'],
    ['bad IPv4-looking host', 'foo.123'],
    ['too long', `foo.com/${'a'.repeat(2041)}`],
  ];
  const shown = (pattern: string) =>
    JSON.stringify(pattern.length > 40 ? `${pattern.slice(0, 40)}…` : pattern);
  it.each(badPatterns.map(([why, pattern]) => [why, shown(pattern), pattern] as const))(
    '%s: %s',
    (_why, _shown, pattern) => {
      expectPatternError([pattern]);
    },
  );

  it('accepts a pattern of exactly 2048 characters', () => {
    const pattern = `foo.com/${'a'.repeat(2040)}`;
    expect(pattern).toHaveLength(2048);
    expect(compileUrlPatterns([pattern])(`https://foo.com/${'a'.repeat(2040)}`)).toBe(true);
  });

  it('rejects a non-string pattern from untyped config', () => {
    expectPatternError([42 as unknown as string]);
  });

  it('rejects the whole list when one pattern is bad', () => {
    expectPatternError(['https://ok.example.com', 'foo*.com']);
  });
});

// Generators for properties. Labels start with a letter and TLDs are alphabetic, so no
// generated host is mistaken for an IPv4 address; path segments never contain `.`, so no
// dot segment can move a URL out from under its prefix.
const label = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
const tld = fc.constantFrom('com', 'net', 'org', 'io');
const host = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), tld)
  .map(([labels, top]) => [...labels, top].join('.'));
const segment = fc.stringMatching(/^[A-Za-z0-9_~-]{1,8}$/);
const path = fc.array(segment, { maxLength: 3 }).map((segments) => segments.map((s) => `/${s}`).join(''));
const scheme = fc.constantFrom('http', 'https');
const subdomain = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.'));
const queryOrFragment = fc.constantFrom('', '?a=1', '#top', '?q=x#y');
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
// `.test` is never generated for a pattern host, so an attacker host is never the pattern
// host nor one of its subdomains.
const attackerHost = label.map((l) => `${l}.attacker.test`);

type Kind = 'prefix' | 'schemeless' | 'wildcard';
const patternParts = fc.record({
  kind: fc.constantFrom<Kind>('prefix', 'schemeless', 'wildcard'),
  scheme,
  host,
  path,
});
function buildPattern(p: { kind: Kind; scheme: string; host: string; path: string }): string {
  if (p.kind === 'prefix') return `${p.scheme}://${p.host}${p.path}`;
  if (p.kind === 'wildcard') return `*.${p.host}${p.path}`;
  return `${p.host}${p.path}`;
}

/** Upper-cases the characters whose position is marked in the (repeating) mask. */
function applyCase(text: string, mask: readonly boolean[]): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    out += mask[i % mask.length] === true ? char.toUpperCase() : char;
  }
  return out;
}

describe('properties', () => {
  it('any string as a header value never throws and yields a boolean', () => {
    const admits = compileUrlPatterns(['foo.com', 'https://foo.com/a', '*.foo.com/*', 'localhost:3000']);
    const headerValue = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.webUrl().map((u) => `${u}, https://foo.com`),
      fc.constantFrom('null', '', 'https://', 'http://[', 'http://%', 'https://foo.com:99999/'),
    );
    fc.assert(
      fc.property(headerValue, (value) => {
        expect(typeof admits(value)).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });

  it('a URL-prefix pattern admits itself extended by "/" and any path-safe tail', () => {
    fc.assert(
      fc.property(scheme, host, path, path, queryOrFragment, (s, h, p, rest, extra) => {
        const pattern = `${s}://${h}${p}`;
        const admits = compileUrlPatterns([pattern]);
        expect(admits(pattern)).toBe(true);
        expect(admits(`${pattern}/${rest.slice(1)}${extra}`)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a schemeless pattern admits its host and any subdomain, on either scheme and any port', () => {
    fc.assert(
      fc.property(host, path, subdomain, scheme, port, path, (h, p, sub, s, n, rest) => {
        const admits = compileUrlPatterns([`${h}${p}`]);
        const portPart = n === undefined ? '' : `:${n}`;
        expect(admits(`${s}://${h}${portPart}${p}${rest}`)).toBe(true);
        expect(admits(`${s}://${sub}.${h}${portPart}${p}${rest}`)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a wildcard pattern admits any subdomain but never the apex', () => {
    fc.assert(
      fc.property(host, subdomain, scheme, path, (h, sub, s, p) => {
        const admits = compileUrlPatterns([`*.${h}/*`]);
        expect(admits(`${s}://${sub}.${h}${p}`)).toBe(true);
        expect(admits(`${s}://${h}${p}`)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('hostile URLs built around the pattern are never admitted', () => {
    fc.assert(
      fc.property(patternParts, scheme, attackerHost, label, (parts, s, evil, prefix) => {
        const pattern = buildPattern(parts);
        const { host: h, path: p } = parts;
        const admits = compileUrlPatterns([pattern]);
        const hostile = [
          `${s}://${h}.evil${p}`,
          `${s}://${h}.${evil}${p}`,
          `${s}://${prefix}${h}${p}`,
          `${s}://evil${h}${p}`,
          `${s}://${h}@${evil}${p}`,
          `${s}://${h}:443@${evil}${p}`,
          `${s}://${pattern}@${evil}${p}`,
          `${s}://${evil}/?r=${pattern}`,
          `${s}://${evil}/?${h}${p}`,
          `${s}://${evil}/#${pattern}`,
          `${s}://${evil}#@${h}${p}`,
          `${s}://${evil}/x/${pattern}`,
          `${s}://${evil}/${h}${p}`,
          `${s}://${h},.${evil}${p}`,
          `${s}://${evil},.${h}${p}`,
        ];
        for (const url of hostile) {
          expect(admits(url), url).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the case of scheme and host changes no answer, in the pattern or in the request', () => {
    const caseMask = fc.array(fc.boolean(), { minLength: 1, maxLength: 16 });
    fc.assert(
      fc.property(
        patternParts,
        fc.record({ s: scheme, shape: fc.integer({ min: 0, max: 3 }), sub: subdomain, rest: path }),
        caseMask,
        caseMask,
        (parts, request, patternMask, requestMask) => {
          const h = parts.host;
          const requestHost = [h, `${request.sub}.${h}`, `evil${h}`, `${h}.evil`][request.shape] ?? h;
          const pattern = buildPattern(parts);
          const tail = `${parts.path}${request.rest}`;
          const expected = compileUrlPatterns([pattern])(`${request.s}://${requestHost}${tail}`);

          const casedPattern = buildPattern({
            ...parts,
            scheme: applyCase(parts.scheme, patternMask),
            host: applyCase(h, patternMask),
          });
          const casedUrl = `${applyCase(request.s, requestMask)}://${applyCase(requestHost, requestMask)}${tail}`;
          expect(compileUrlPatterns([casedPattern])(`${request.s}://${requestHost}${tail}`)).toBe(expected);
          expect(compileUrlPatterns([pattern])(casedUrl)).toBe(expected);
          expect(compileUrlPatterns([casedPattern])(casedUrl)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a list admits exactly what one of its patterns admits alone', () => {
    const listAndRequest = fc.array(patternParts, { minLength: 1, maxLength: 6 }).chain((list) =>
      fc.record({
        list: fc.constant(list),
        target: fc.constantFrom(...list),
        s: scheme,
        sub: fc.option(subdomain, { nil: undefined }),
        rest: path,
      }),
    );
    fc.assert(
      fc.property(listAndRequest, ({ list, target, s, sub, rest }) => {
        const patterns = list.map(buildPattern);
        const requestHost = sub === undefined ? target.host : `${sub}.${target.host}`;
        const url = `${s}://${requestHost}${target.path}${rest}`;
        const alone = patterns.some((pattern) => compileUrlPatterns([pattern])(url));
        expect(compileUrlPatterns(patterns)(url)).toBe(alone);
      }),
      { numRuns: 500 },
    );
  });
});
