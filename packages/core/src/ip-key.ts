// Turns a raw client address (socket peer or a forwarding header) into the key that per-IP daily caps count under.

import { LRUCache } from 'lru-cache';
import { type KnownOptions, readOptions } from './option-reader.js';

/**
 * Options for {@link createIpKeyer}. `undefined` means "not given" and takes the default.
 *
 * @example
 * const keyer = createIpKeyer({ ipv6Prefix: 56, cacheSize: 50_000 });
 */
export interface IpKeyOptions {
  /** IPv6 addresses are counted per prefix of this length, since one user usually holds a whole /64. Default 64; 1..128. */
  ipv6Prefix?: number;
  /** How many distinct raw strings to remember (LRU). Default 10_000; 1..1_000_000. */
  cacheSize?: number;
}

/**
 * Returns the counting key for a raw address string, or undefined when it is not exactly one valid address.
 * IPv4 → dotted quad ("1.2.3.4"); IPv4-mapped IPv6 ("::ffff:1.2.3.4", "::ffff:0102:0304", any case) → the IPv4 form;
 * IPv6 → RFC 5952 canonical text of the network address plus "/<prefix>" ("2001:db8:1:2::/64"), or the bare canonical address when ipv6Prefix is 128.
 *
 * Only `::ffff:0:0/96` (IPv4-mapped) folds into IPv4. Every other form that embeds an IPv4 address is counted
 * as the IPv6 address it is, grouped by prefix like any other:
 * - IPv4-compatible `::1.2.3.4` (deprecated by RFC 4291) is `::102:304`, so under /64 it shares `::/64` with `::1`;
 * - NAT64 `64:ff9b::/96` (RFC 6052), IPv4-translated `::ffff:0:a.b.c.d`, 6to4 `2002::/16` and Teredo
 *   `2001::/32` are plain IPv6; under /64 all of `64:ff9b::/96` shares the one key `64:ff9b::/64`.
 *
 * A zone id (`fe80::1%eth0`, as Node reports link-local peers) is dropped: it names the receiving
 * interface, not the client.
 *
 * @example
 * const keyOf: IpKeyer = createIpKeyer();
 * keyOf('203.0.113.7');              // '203.0.113.7'
 * keyOf('::FFFF:203.0.113.7');       // '203.0.113.7'
 * keyOf('2001:DB8:1:2:0:0:0:1');     // '2001:db8:1:2::/64'
 * keyOf('203.0.113.7:443');          // undefined
 */
export type IpKeyer = (raw: string) => string | undefined;

const DEFAULT_IPV6_PREFIX = 64;
const DEFAULT_CACHE_SIZE = 10_000;
// lru-cache allocates its index arrays for `max` entries up front, so a typo such as 1e9 would cost gigabytes
// at startup.
const MAX_CACHE_SIZE = 1_000_000;
// The longest valid text is 45 characters (ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255); the rest leaves room
// for a zone id. Anything longer is refused before it is parsed or cached, so huge hostile values cost nothing
// and cached keys stay small.
const MAX_RAW_LENGTH = 64;
// lru-cache cannot hold `undefined`; no valid key is empty, so '' stands for "not an address".
const INVALID = '';
const KNOWN_OPTIONS = { ipv6Prefix: true, cacheSize: true } as const satisfies KnownOptions<
  keyof IpKeyOptions
>;

interface IpKeyConfig {
  ipv6Prefix: number;
  cacheSize: number;
}

/**
 * Compiles a keyer once at setup; the keyer is then called per request. Results for the last `cacheSize`
 * distinct raw strings, valid or not, are kept, so a repeated address costs one cache lookup.
 * Bad options throw {@link TollgateError} with code `ERR_TOLLGATE_INVALID_OPTIONS`, naming the field.
 *
 * @example
 * const ipKey = createIpKeyer({ ipv6Prefix: 48 });
 * ipKey('2001:db8:1:2::1');   // '2001:db8:1::/48'
 * ipKey('2001:db8:1:ffff::9'); // '2001:db8:1::/48' (same network, same daily budget)
 * ipKey('[::1]:80');          // undefined
 */
export function createIpKeyer(options?: IpKeyOptions): IpKeyer {
  const config = parseOptions(options);
  const { ipv6Prefix } = config;
  const masks = prefixMasks(ipv6Prefix);
  const cache = new LRUCache<string, string>({ max: config.cacheSize });

  return (raw) => {
    // The type says string, but adapters pass things like socket.remoteAddress, which is undefined on a
    // destroyed socket.
    if (typeof raw !== 'string' || raw.length > MAX_RAW_LENGTH) return undefined;
    const hit = cache.get(raw);
    if (hit !== undefined) return hit === INVALID ? undefined : hit;
    const key = computeKey(raw, ipv6Prefix, masks);
    cache.set(raw, key ?? INVALID);
    return key;
  };
}

/**
 * Whether `raw` is exactly one IPv4 or IPv6 address under the same strict rules as {@link createIpKeyer}
 * (four-part decimal IPv4 without leading zeros; any RFC 4291 IPv6 text, optionally with a zone id; nothing
 * else: no ports, brackets, lists, CIDR suffixes, whitespace or hostnames). Not cached; meant for config
 * checks and tests.
 *
 * @example
 * isValidIp('10.0.0.1');      // true
 * isValidIp('fe80::1%eth0');  // true
 * isValidIp('010.0.0.1');     // false (leading zero: octal to some parsers, decimal to others)
 * isValidIp('10.0.0.1:8080'); // false
 */
export function isValidIp(raw: string): boolean {
  if (typeof raw !== 'string' || raw.length > MAX_RAW_LENGTH) return false;
  return parseIPv4(raw, 0, raw.length) >= 0 || parseIPv6(raw) !== undefined;
}

function computeKey(raw: string, prefix: number, masks: readonly number[]): string | undefined {
  // A valid dotted quad without leading zeros is already its own canonical form.
  if (parseIPv4(raw, 0, raw.length) >= 0) return raw;
  const groups = parseIPv6(raw);
  if (groups === undefined) return undefined;
  if (isIPv4Mapped(groups)) {
    const high = groups[6] ?? 0;
    const low = groups[7] ?? 0;
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  for (let i = 0; i < 8; i++) groups[i] = (groups[i] ?? 0) & (masks[i] ?? 0);
  const text = formatIPv6(groups);
  return prefix === 128 ? text : `${text}/${prefix}`;
}

/**
 * Parses `raw[start, end)` as a strict four-part decimal IPv4 address and returns it as an unsigned 32-bit
 * number, or -1. Leading zeros are refused: `010` is 8 to inet_aton and 10 to others, and an address that two
 * parsers read differently is a way to dodge a per-IP cap.
 */
function parseIPv4(raw: string, start: number, end: number): number {
  let value = 0;
  let dots = 0;
  let octet = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (c - 0x30);
      if (octet > 255) return -1;
      digits++;
    } else if (c === 0x2e && digits > 0 && dots < 3) {
      value = value * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/**
 * Parses RFC 4291 section 2.2 text (optionally followed by `%zone`) into eight 16-bit groups, or undefined.
 * Written by hand rather than with ipaddr.js because ipaddr.js is lenient where a per-IP cap must be strict:
 * it reads `::1.2.3.4` as `::ffff:1.2.3.4`, accepts hex and leading-zero octets after `::ffff:`, and refuses
 * common zone names such as `br-lan` or `eth0.100`.
 */
function parseIPv6(raw: string): number[] | undefined {
  let end = raw.length;
  const percent = raw.indexOf('%');
  if (percent !== -1) {
    if (!isZoneId(raw, percent + 1, end)) return undefined;
    end = percent;
  }
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  let count = 0;
  // Where `::` stood, as a group index; -1 when there is none.
  let gap = -1;
  let i = 0;
  if (raw.charCodeAt(0) === 0x3a) {
    if (raw.charCodeAt(1) !== 0x3a) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    if (count === 8) return undefined;
    let j = i;
    let value = 0;
    while (j < end && j - i < 5) {
      const digit = hexValue(raw.charCodeAt(j));
      if (digit < 0) break;
      value = value * 16 + digit;
      j++;
    }
    if (j < end && raw.charCodeAt(j) === 0x2e) {
      // Dotted IPv4 may only fill the last 32 bits, so it runs to the end of the address.
      if (count > 6) return undefined;
      const v4 = parseIPv4(raw, i, end);
      if (v4 < 0) return undefined;
      groups[count++] = Math.floor(v4 / 0x10000);
      groups[count++] = v4 % 0x10000;
      break;
    }
    if (j === i || j - i > 4) return undefined;
    groups[count++] = value;
    if (j === end) break;
    if (raw.charCodeAt(j) !== 0x3a) return undefined;
    if (j + 1 < end && raw.charCodeAt(j + 1) === 0x3a) {
      if (gap !== -1) return undefined;
      gap = count;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === end) return undefined;
    }
  }
  if (gap === -1) return count === 8 ? groups : undefined;
  // `::` stands for one or more zero groups: move the groups after it to the end and zero the hole.
  if (count === 8) return undefined;
  const shift = 8 - count;
  for (let k = count - 1; k >= gap; k--) groups[k + shift] = groups[k] ?? 0;
  for (let k = gap; k < gap + shift; k++) groups[k] = 0;
  return groups;
}

/** RFC 6874 unreserved characters; covers interface names such as `eth0`, `br-lan`, `eth0.100` and Windows' `12`. */
function isZoneId(raw: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    const ok =
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x2d ||
      c === 0x2e ||
      c === 0x5f ||
      c === 0x7e;
    if (!ok) return false;
  }
  return true;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function isIPv4Mapped(groups: readonly number[]): boolean {
  return (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  );
}

/** RFC 5952: lower-case hex without leading zeros; `::` replaces the first longest run of two or more zero groups. */
function formatIPv6(groups: readonly number[]): string {
  let runStart = -1;
  let runLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > runLength) {
      runStart = i;
      runLength = j - i;
    }
    i = j;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === runStart) {
      text += '::';
      i += runLength - 1;
    } else {
      if (text !== '' && !text.endsWith(':')) text += ':';
      text += (groups[i] ?? 0).toString(16);
    }
  }
  return text;
}

/** The per-group masks for a prefix length, computed once at setup. */
function prefixMasks(prefix: number): number[] {
  const masks: number[] = [];
  for (let i = 0; i < 8; i++) {
    const bits = Math.min(16, Math.max(0, prefix - 16 * i));
    masks.push((0xffff << (16 - bits)) & 0xffff);
  }
  return masks;
}

function parseOptions(options: IpKeyOptions | undefined): IpKeyConfig {
  const o = readOptions('createIpKeyer', options, KNOWN_OPTIONS, { expected: 'an object', optional: true });
  return {
    ipv6Prefix: o.integer('ipv6Prefix', { min: 1, max: 128, default: DEFAULT_IPV6_PREFIX }),
    cacheSize: o.integer('cacheSize', { min: 1, max: MAX_CACHE_SIZE, default: DEFAULT_CACHE_SIZE }),
  };
}
