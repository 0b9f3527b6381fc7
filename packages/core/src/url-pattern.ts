// Compiles a key's allowedUrls whitelist into a matcher for raw Origin / Referer header values.

import { TollgateError } from './errors.js';

/**
 * A compiled whitelist: true when a raw Origin or Referer header value is admitted.
 * Never throws: a value that is not a single http(s) URL (Origin `null`, a comma-joined
 * list, an empty string, garbage) is simply not admitted.
 *
 * @example
 * const admits: UrlMatcher = compileUrlPatterns(['https://shop.example.com']);
 * admits('https://shop.example.com/cart'); // true
 * admits('null'); // false
 */
export type UrlMatcher = (headerValue: string) => boolean;

/** Longest pattern accepted at setup; longer ones are almost certainly a paste accident. */
const MAX_PATTERN_LENGTH = 2048;
/** Longest header value we are willing to parse; longer values are refused unparsed. */
export const MAX_HEADER_LENGTH = 4096;

/** Which hosts a pattern admits, relative to its own host. */
type HostRule = 'exact' | 'self-or-subdomains' | 'subdomains-only';

interface CompiledPattern {
  /** `http:` or `https:` for URL-prefix patterns; undefined admits both. */
  readonly protocol: string | undefined;
  readonly hostRule: HostRule;
  /** Effective port (`443` rather than ``); undefined admits any port. */
  readonly port: string | undefined;
  readonly admitsPath: (path: string) => boolean;
}

// A request host must look like a DNS name or an IPv6 literal. URL accepts more (commas,
// `*`, `!` and so on), which would let a forged value like `https://evil.com,.foo.com`
// reach `foo.com` through the parent-domain walk below.
const HOST_NAME = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$|^\[[0-9a-f:.]+\]$/;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;
const SCHEME = /^([^/]*):\/\//;
const EXPLICIT_PORT = /:(\d*)$/;
const PERCENT_ESCAPE = /%[0-9a-f]{2}/gi;

/**
 * Compiles patterns once, at setup. Throws TollgateError ERR_TOLLGATE_INVALID_URL_PATTERN for a bad pattern.
 *
 * Pattern kinds (see docs/url-whitelist.md):
 * - `https://shop.example.com/app`: URL prefix. Same scheme, same host, same port (the
 *   scheme's default when none is written), path `/app` on a segment boundary.
 * - `example.org/checkout`: schemeless. http or https, the host or any subdomain of it,
 *   any port unless one is written, path on a segment boundary.
 * - `*.example.net/*`: a leading `*.` admits subdomains at any depth but not the apex;
 *   `*` in the path matches any run of characters, `/` included.
 *
 * An empty list admits nothing; "no whitelist" is the caller's decision.
 *
 * @example
 * const admits = compileUrlPatterns(['https://foo.com', 'bar.com/shop', '*.baz.net']);
 * admits('https://foo.com/any/path');        // true
 * admits('https://app.bar.com/shop/cart');   // true
 * admits('https://evilbar.com/shop');        // false
 * admits('https://foo.com.evil.net/');       // false
 * admits('https://baz.net/');                // false: the apex is not a subdomain
 */
export function compileUrlPatterns(patterns: readonly string[]): UrlMatcher {
  // Indexed by pattern host, so a request only looks at patterns for its own host and
  // its parent domains rather than scanning the whole list.
  const byHost = new Map<string, CompiledPattern[]>();
  for (const pattern of patterns) {
    const { host, compiled } = compilePattern(pattern);
    const list = byHost.get(host);
    if (list === undefined) byHost.set(host, [compiled]);
    else list.push(compiled);
  }
  if (byHost.size === 0) return () => false;

  return (headerValue) => {
    if (typeof headerValue !== 'string' || headerValue.length > MAX_HEADER_LENGTH) return false;
    let url: URL;
    try {
      url = new URL(headerValue);
    } catch {
      return false;
    }
    const protocol = url.protocol;
    if (protocol !== 'http:' && protocol !== 'https:') return false;
    const host = withoutTrailingDot(url.hostname);
    if (!HOST_NAME.test(host)) return false;
    const port = url.port === '' ? defaultPort(protocol) : url.port;
    const path = normalisePath(url.pathname);

    let candidateHost = host;
    let isSelf = true;
    for (;;) {
      const candidates = byHost.get(candidateHost);
      if (candidates !== undefined) {
        for (const c of candidates) {
          if (isSelf ? c.hostRule === 'subdomains-only' : c.hostRule === 'exact') continue;
          if (c.protocol !== undefined && c.protocol !== protocol) continue;
          if (c.port !== undefined && c.port !== port) continue;
          if (c.admitsPath(path)) return true;
        }
      }
      const dot = candidateHost.indexOf('.');
      if (dot < 0) return false;
      candidateHost = candidateHost.slice(dot + 1);
      isSelf = false;
    }
  };
}

function compilePattern(pattern: unknown): { host: string; compiled: CompiledPattern } {
  if (typeof pattern !== 'string') {
    throw new TollgateError(
      'ERR_TOLLGATE_INVALID_URL_PATTERN',
      `${String(pattern)}: a URL pattern must be a string, got ${typeof pattern}`,
    );
  }
  const fail = (why: string): never => {
    const shown = pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern;
    throw new TollgateError('ERR_TOLLGATE_INVALID_URL_PATTERN', `${JSON.stringify(shown)}: ${why}`);
  };

  if (pattern.trim() === '') fail('the pattern is empty');
  if (pattern.length > MAX_PATTERN_LENGTH)
    fail(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  if (hasSpaceOrControl(pattern)) fail('the pattern contains whitespace or a control character');
  if (pattern === '*') fail('a lone "*" is not a pattern; omit allowedUrls to allow any origin');
  if (pattern.includes('?') || pattern.includes('#')) {
    fail(
      'a query ("?") or fragment ("#") cannot be part of a pattern; only scheme, host, port and path are matched',
    );
  }
  // URL reads `\` as `/` in http(s) URLs; refusing it keeps our own split in step with URL's.
  if (pattern.includes('\\')) fail('use "/" rather than "\\"');

  const wildcardMisplaced =
    '"*" is only allowed as a whole leading host label ("*.example.com") or in the path';
  let protocol: string | undefined;
  let rest = pattern;
  const scheme = SCHEME.exec(pattern);
  if (scheme !== null) {
    const name = (scheme[1] ?? '').toLowerCase();
    if (name.includes('*')) fail(wildcardMisplaced);
    if (name !== 'http' && name !== 'https') {
      fail(`only http:// and https:// URLs can be whitelisted, not ${JSON.stringify(`${name}://`)}`);
    }
    protocol = `${name}:`;
    rest = pattern.slice(scheme[0].length);
  }

  const slash = rest.indexOf('/');
  let authority = slash < 0 ? rest : rest.slice(0, slash);
  const pathPart = slash < 0 ? '' : rest.slice(slash);
  if (authority === '') fail('the pattern has no host');
  if (authority.includes('@')) fail('a user name or password ("user@") cannot be part of a pattern');
  const wildcard = authority.startsWith('*.');
  if (wildcard) authority = authority.slice(2);
  if (authority.includes('*')) fail(wildcardMisplaced);
  const explicitPort = EXPLICIT_PORT.exec(authority);
  if (explicitPort !== null && explicitPort[1] === '') fail('the port after ":" is empty');

  let parsed: URL;
  try {
    parsed = new URL(`${protocol ?? 'http:'}//${authority}${pathPart}`);
  } catch {
    return fail('not a valid URL or host name');
  }
  const host = withoutTrailingDot(parsed.hostname);
  if (host === '') fail('the pattern has no host');
  if (!HOST_NAME.test(host)) fail(`${JSON.stringify(host)} is not a valid host name`);
  if (wildcard && (IPV4.test(host) || host.startsWith('[')))
    fail('"*." cannot be put in front of an IP address');

  const effectivePort = parsed.port === '' ? defaultPort(parsed.protocol) : parsed.port;
  let hostRule: HostRule;
  if (wildcard) hostRule = 'subdomains-only';
  else hostRule = protocol === undefined ? 'self-or-subdomains' : 'exact';

  return {
    host,
    compiled: {
      protocol,
      hostRule,
      // A URL-prefix pattern always pins the port (its scheme's default when none is
      // written); a schemeless one only when it names a port.
      port: protocol !== undefined || explicitPort !== null ? effectivePort : undefined,
      admitsPath: compilePath(normalisePath(parsed.pathname)),
    },
  };
}

/**
 * Turns a URL-normalised pattern path into a prefix test. Without `*`, the request path
 * must equal it or continue with `/` (unless it already ends in `/`), so `/bar` admits
 * `/bar/x` but not `/barn`. With `*`, each `*` matches any run of characters, `/`
 * included, and the same boundary rule applies after the last literal part.
 */
function compilePath(patternPath: string): (path: string) => boolean {
  if (patternPath === '/' || patternPath === '') return () => true;
  const parts = patternPath.split('*');
  const first = parts[0] ?? '';
  if (parts.length === 1) {
    if (first.endsWith('/')) return (path) => path.startsWith(first);
    return (path) =>
      path.startsWith(first) && (path.length === first.length || path.charCodeAt(first.length) === 0x2f);
  }
  const middle = parts.slice(1, -1);
  const last = parts[parts.length - 1] ?? '';
  const needsBoundary = last !== '' && !last.endsWith('/');
  return (path) => {
    if (!path.startsWith(first)) return false;
    // Placing each middle part as early as possible leaves the most room for the rest,
    // so a greedy left-to-right scan finds a match whenever one exists.
    let at = first.length;
    for (const part of middle) {
      const found = path.indexOf(part, at);
      if (found < 0) return false;
      at = found + part.length;
    }
    let found = path.indexOf(last, at);
    if (!needsBoundary) return found >= 0;
    while (found >= 0) {
      const end = found + last.length;
      if (end === path.length || path.charCodeAt(end) === 0x2f) return true;
      found = path.indexOf(last, found + 1);
    }
    return false;
  };
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

// `foo.com.` is the fully qualified spelling of `foo.com`: same DNS name, same owner.
function withoutTrailingDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

// URL keeps percent-escapes as written; upper-casing their hex digits makes `%c3%a9` and
// `%C3%A9` compare equal without decoding anything (decoding could turn `%2F` into `/`).
function normalisePath(path: string): string {
  return path.includes('%') ? path.replace(PERCENT_ESCAPE, (pct) => pct.toUpperCase()) : path;
}

function hasSpaceOrControl(text: string): boolean {
  if (/\s/.test(text)) return true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
