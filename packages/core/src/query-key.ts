// Finds every value an app's query parser could read as `api_key`, so the key Tollgate checks is the one the app sees.

/** The query parameter the API key is read from when the header is absent. */
export const API_KEY_QUERY = 'api_key';

// qs names the top-level key by the text before the first bracket or, for a name that starts
// with one, by the first bracket group: `api_key[0]`, `api_key[` and `[api_key]x` are all `api_key`.
const QS_NESTED = `${API_KEY_QUERY}[`;
const QS_GROUP = `[${API_KEY_QUERY}]`;
// A `%` that does not start an escape: decodeURIComponent throws on it, URLSearchParams keeps it.
const STRAY_PERCENT = /%(?![0-9A-Fa-f]{2})/;

/**
 * Adds to `into` (distinct, non-empty, in order) every value of the query string `query` (without
 * the `?`) that a framework's parser may hand the app as `api_key`:
 *
 * - names are decoded as every parser decodes them, so `api%5Fkey` and `%61pi_key` are `api_key`;
 * - qs (Express 4's default parser, and Express 5's or Fastify's when configured) also reads
 *   `api_key[]`, `api_key[0]`, `api_key[x]`, `api_key%5B%5D` and `[api_key]` as `api_key`, and
 *   splits a pair at `]=` (or `%5D=`, from qs 6.15) when it has one;
 * - a value whose escapes do not decode (`%E0`, `a%41%zz`) is read differently by different
 *   parsers, so it is added both decoded the URLSearchParams way and as written: it then
 *   counts as two keys, and the request is refused as ambiguous rather than guessed at.
 *
 * Names are matched without decoding them (so hostile escapes cost no exception), and a name
 * that only looks like `api_key` through an escape qs would refuse to decode still counts: the
 * set is never smaller than what a parser reads, at worst larger. Stops once `into` holds two
 * values: two are already ambiguous. A query that spells out neither `api_key` nor any `%`
 * escape is not scanned at all.
 *
 * @example
 * const keys = ['pk_header_key'];
 * addQueryKeys(keys, 'q=1&api%5Fkey=pk_other'); // keys: ['pk_header_key', 'pk_other']
 */
export function addQueryKeys(into: string[], query: string): void {
  if (!query.includes(API_KEY_QUERY) && !query.includes('%')) return;
  const state: ScanState = { lastValue: undefined };
  let start = 0;
  while (start < query.length && into.length < 2) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    readPart(into, query, start, end, state);
    start = end + 1;
  }
}

/** What the scan of one query remembers: the last raw value read, so a repeated one costs nothing. */
interface ScanState {
  lastValue: string | undefined;
}

// The pair is `query[start, end)`; nothing is sliced unless its name reads as api_key.
function readPart(into: string[], query: string, start: number, end: number, state: ScanState): void {
  const eq = indexIn(query, start, end, 0x3d /* = */);
  if (eq === -1) return;
  // URLSearchParams, node:querystring, fast-querystring (Fastify) and Hono: the name ends at the
  // first `=`, and only `api_key` itself is api_key.
  if (decodedPrefix(query, start, eq, API_KEY_QUERY) === eq) addValue(into, query, eq + 1, end, state);
  // qs splits at the first `]=` when there is one; from 6.15 it reads %5D as `]` first.
  const bracketEquals = indexIn(query, start, end, 0x5d /* ] */, 0x3d /* = */);
  const older = bracketEquals === -1 ? eq : bracketEquals + 1;
  let newer = older;
  const escaped = firstEscapedBracketEquals(query, start, bracketEquals === -1 ? end : bracketEquals);
  if (escaped !== -1) newer = escaped + 3;
  if (qsNamesApiKey(query, start, older)) addValue(into, query, older + 1, end, state);
  if (newer !== older && qsNamesApiKey(query, start, newer)) addValue(into, query, newer + 1, end, state);
}

// Both scans stop at the end of the pair: an indexOf that ran on to the end of the query
// would make a query of many pairs cost the square of its length.

/** The first `c` in `text[from, to)`, or -1. With `next`, the first `c` followed by `next`. */
function indexIn(text: string, from: number, to: number, c: number, next = -1): number {
  for (let i = from; i < to; i++) {
    if (text.charCodeAt(i) === c && (next === -1 || (i + 1 < to && text.charCodeAt(i + 1) === next)))
      return i;
  }
  return -1;
}

/** The first `%5D=` (any case) in `text[from, to)`, or -1. */
function firstEscapedBracketEquals(text: string, from: number, to: number): number {
  for (let i = from; i + 4 <= to; i++) {
    if (
      text.charCodeAt(i) === 0x25 &&
      text.charCodeAt(i + 1) === 0x35 &&
      (text.charCodeAt(i + 2) | 0x20) === 0x64 &&
      text.charCodeAt(i + 3) === 0x3d
    ) {
      return i;
    }
  }
  return -1;
}

function qsNamesApiKey(text: string, from: number, end: number): boolean {
  return (
    decodedPrefix(text, from, end, API_KEY_QUERY) === end ||
    decodedPrefix(text, from, end, QS_NESTED) !== -1 ||
    decodedPrefix(text, from, end, QS_GROUP) !== -1
  );
}

/**
 * Where in `text[from, to)` the ASCII `prefix` ends once `+` and `%XX` escapes are decoded, or -1
 * when the decoded text does not start with it. No exception, no allocation.
 */
function decodedPrefix(text: string, from: number, to: number, prefix: string): number {
  let i = from;
  for (let p = 0; p < prefix.length; p++) {
    if (i >= to) return -1;
    let c = text.charCodeAt(i);
    if (c === 0x25 /* % */ && i + 2 < to) {
      const byte = hex(text.charCodeAt(i + 1)) * 16 + hex(text.charCodeAt(i + 2));
      if (byte >= 0) {
        c = byte;
        i += 2;
      }
    } else if (c === 0x2b /* + */) {
      c = 0x20;
    }
    if (c !== prefix.charCodeAt(p)) return -1;
    i++;
  }
  return i;
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -256;
}

// A value as URLSearchParams reads it and, when its escapes do not all decode, also as written
// (qs and fast-querystring then keep it raw; Hono keeps the runs that fail raw). Only escapes of
// invalid UTF-8 reach the exception, and those already make two values, which ends the scan.
function addValue(into: string[], query: string, from: number, to: number, state: ScanState): void {
  const raw = query.slice(from, to);
  if (raw === state.lastValue) return;
  state.lastValue = raw;
  const plain = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!plain.includes('%')) {
    push(into, plain);
    return;
  }
  if (!STRAY_PERCENT.test(plain)) {
    try {
      push(into, decodeURIComponent(plain));
      return;
    } catch {
      // Escapes of invalid UTF-8: read below, both ways.
    }
  }
  push(into, new URLSearchParams(`k=${raw}`).get('k') as string);
  push(into, plain);
}

function push(into: string[], value: string): void {
  if (value !== '' && into.length < 2 && !into.includes(value)) into.push(value);
}
