// Finds every value an app's query parser could read as `api_key`, so the key Tollgate checks is the one the app sees.

/** The query parameter the API key is read from when the header is absent. */
export const API_KEY_QUERY = 'api_key';

// qs names the top-level key by the text before the first bracket or, for a name that starts
// with one, by the first bracket group: `api_key[0]`, `api_key[` and `[api_key]x` are all `api_key`.
const QS_NESTED = `${API_KEY_QUERY}[`;
const QS_GROUP = `[${API_KEY_QUERY}]`;

/**
 * Adds to `into` (distinct, non-empty, in order) every value of the query string `query` (without
 * the `?`) that a framework's parser may hand the app as `api_key`:
 *
 * - names are decoded as every parser decodes them, so `api%5Fkey` and `%61pi_key` are `api_key`;
 * - qs (Express 4's default parser, and Express 5's or Fastify's when configured) also reads
 *   `api_key[]`, `api_key[0]`, `api_key[x]`, `api_key%5B%5D` and `[api_key]` as `api_key`, and
 *   splits a pair at `]=` when it has one;
 * - a value whose percent-encoding does not decode (`%E0`, `a%41%zz`) is read differently by
 *   different parsers, so it is added both decoded the WHATWG way and as written: it then
 *   counts as two keys, and the request is refused as ambiguous rather than guessed at.
 *
 * Stops once `into` holds two values: two are already ambiguous, and a spray of bracketed names
 * must not cost more. A query that spells out neither `api_key` nor any `%` escape is not scanned.
 *
 * @example
 * const keys = ['pk_header_key'];
 * addQueryKeys(keys, 'q=1&api%5Fkey=pk_other'); // keys: ['pk_header_key', 'pk_other']
 */
export function addQueryKeys(into: string[], query: string): void {
  if (!query.includes(API_KEY_QUERY) && !query.includes('%')) return;
  let start = 0;
  while (start < query.length && into.length < 2) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (end > start) {
      const part = query.slice(start, end);
      if (part.includes('%') || part.includes(API_KEY_QUERY)) readPart(into, part);
    }
    start = end + 1;
  }
}

function readPart(into: string[], part: string): void {
  // URLSearchParams, node:querystring, fast-querystring (Fastify) and Hono: the name ends at the
  // first `=`. A name that decodes to `api_key` decodes the same way in all of them, since any
  // escape left undecoded, or decoded to U+FFFD, leaves something that is not `api_key`.
  const eq = part.indexOf('=');
  const name = eq === -1 ? part : part.slice(0, eq);
  if (eq !== -1 && decodeName(name) === API_KEY_QUERY) addValue(into, part.slice(eq + 1));
  // qs, as older and current releases split the pair: on the raw text, and after turning
  // %5B/%5D into brackets (qs 6.15 and later).
  qsPair(into, part);
  if (part.includes('%')) {
    const cleaned = part.replace(/%5B/gi, '[').replace(/%5D/gi, ']');
    if (cleaned !== part) qsPair(into, cleaned);
  }
}

function qsPair(into: string[], part: string): void {
  const bracketEquals = part.indexOf(']=');
  const pos = bracketEquals === -1 ? part.indexOf('=') : bracketEquals + 1;
  if (pos === -1) return;
  const key = qsDecode(part.slice(0, pos));
  if (key === API_KEY_QUERY || key.startsWith(QS_NESTED) || key.startsWith(QS_GROUP)) {
    push(into, qsDecode(part.slice(pos + 1)));
  }
}

function decodeName(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

// A value as URLSearchParams reads it, and, when the escapes do not all decode, also as written
// (qs and fast-querystring then keep it raw; Hono keeps the runs that fail raw).
function addValue(into: string[], raw: string): void {
  const plain = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!plain.includes('%')) {
    push(into, plain);
    return;
  }
  try {
    push(into, decodeURIComponent(plain));
  } catch {
    push(into, new URLSearchParams(`k=${raw}`).get('k') as string);
    push(into, plain);
  }
}

// qs's own decoder: `+` is a space, then decodeURIComponent, or the text as it is when that throws.
function qsDecode(raw: string): string {
  const plain = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!plain.includes('%')) return plain;
  try {
    return decodeURIComponent(plain);
  } catch {
    return plain;
  }
}

function push(into: string[], value: string): void {
  if (value !== '' && into.length < 2 && !into.includes(value)) into.push(value);
}
