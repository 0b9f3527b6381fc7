// Reads how long a server asks the client to wait: Retry-After (RFC 9110) and RateLimit (draft-ietf-httpapi-ratelimit-headers-08).

import type { RateLimitItem } from './errors.js';

// These parsers see whatever a server (or anything in between) sends, so they accept any string,
// never throw, and return only finite, non-negative numbers or nothing.

// A year: longer than any wait a client would honour, short enough to stay well inside Date's range.
const MAX_WAIT_MS = 365 * 24 * 3600 * 1000;

/**
 * `Retry-After` in milliseconds from `now`: delta-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`, or the obsolete RFC 850 and asctime forms). A date in the
 * past is 0. Anything else is `undefined`.
 *
 * @example
 * parseRetryAfter('30', now) // 30000
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, MAX_WAIT_MS);
  // Date.parse accepts almost anything ("1" is the year 2001), so insist on an HTTP date's day name.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i.test(v)) return undefined;
  const at = Date.parse(v);
  if (!Number.isFinite(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_WAIT_MS);
}

/**
 * The items of a `RateLimit` header: `"daily";r=9;t=43200, "ip-daily";r=0;t=43200`. Items and
 * parameters that do not parse are skipped; `r` and `t` must be non-negative integers.
 *
 * @example
 * parseRateLimit('"daily";r=0;t=60') // [{ name: 'daily', remaining: 0, resetSeconds: 60 }]
 */
export function parseRateLimit(value: string | null | undefined): RateLimitItem[] {
  if (typeof value !== 'string') return [];
  const items: RateLimitItem[] = [];
  for (const raw of splitOutsideQuotes(value, ',')) {
    const [head = '', ...params] = splitOutsideQuotes(raw, ';').map((p) => p.trim());
    const name = itemName(head);
    if (name === undefined) continue;
    let remaining: number | undefined;
    let resetSeconds: number | undefined;
    for (const p of params) {
      const m = /^([a-z*][a-z0-9_.*-]*)\s*=\s*(\d{1,15})$/i.exec(p);
      if (m === null) continue;
      const n = Number(m[2]);
      if (m[1] === 'r') remaining = n;
      else if (m[1] === 't') resetSeconds = n;
    }
    items.push({
      name,
      ...(remaining === undefined ? {} : { remaining }),
      ...(resetSeconds === undefined ? {} : { resetSeconds }),
    });
  }
  return items;
}

/**
 * How long to wait before the next request can succeed, in ms, from a 429 or 503's headers:
 * the later of `Retry-After` and the reset of the exhausted (`r=0`) `RateLimit` items.
 * `undefined` when neither says.
 *
 * @example
 * serverWaitMs(response.headers, Date.now())
 */
export function serverWaitMs(
  headers: { get(name: string): string | null },
  now: number,
): { waitMs: number | undefined; limits: RateLimitItem[] } {
  const limits = parseRateLimit(headers.get('ratelimit'));
  let waitMs = parseRetryAfter(headers.get('retry-after'), now);
  for (const l of limits) {
    if (l.remaining === 0 && l.resetSeconds !== undefined) {
      const ms = Math.min(l.resetSeconds * 1000, MAX_WAIT_MS);
      waitMs = waitMs === undefined ? ms : Math.max(waitMs, ms);
    }
  }
  return { waitMs, limits };
}

function itemName(head: string): string | undefined {
  // A structured-field item is a token or a quoted string; draft-8 uses quoted policy names.
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(head);
  if (quoted) return (quoted[1] as string).replace(/\\(.)/g, '$1');
  return /^[a-z*][a-z0-9_.:/%*-]*$/i.test(head) ? head : undefined;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === sep && !quoted) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}
