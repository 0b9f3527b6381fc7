// Tests for ip-key.ts: which raw strings count as one address, and which key each address is counted under.

import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TollgateError } from '../src/errors.js';
import { createIpKeyer, type IpKeyOptions, isValidIp } from '../src/ip-key.js';

// ---------------------------------------------------------------------------------------------------------
// Independent helpers: the tests build addresses from 16-bit groups and use Node's WHATWG URL parser (which
// serialises IPv6 hosts per RFC 5952) and node:net as oracles, so they do not share code with ip-key.ts.

const group16 = fc.integer({ min: 0, max: 0xffff });
const groups8 = fc.array(group16, { minLength: 8, maxLength: 8 });
const prefixes = fc.integer({ min: 1, max: 128 });

const isMapped = (g: readonly number[]) => g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
const expanded = (g: readonly number[]) => g.map((x) => x.toString(16).padStart(4, '0')).join(':');
const unpadded = (g: readonly number[]) => g.map((x) => x.toString(16)).join(':');
/** The last 32 bits written as a dotted quad, as RFC 4291 allows. */
const withDottedTail = (g: readonly number[]) => {
  const [g6 = 0, g7 = 0] = g.slice(6);
  return `${unpadded(g.slice(0, 6))}:${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
};
/** RFC 5952 text of an IPv6 address, per WHATWG URL host serialisation. */
const canonical = (address: string) => new URL(`http://[${address}]/`).hostname.slice(1, -1);
const maskGroups = (g: readonly number[], prefix: number) =>
  g.map((x, i) => {
    const bits = Math.min(16, Math.max(0, prefix - 16 * i));
    return bits === 0 ? 0 : x & (0xffff - (2 ** (16 - bits) - 1));
  });
const expectedV6Key = (g: readonly number[], prefix: number) => {
  const text = canonical(expanded(maskGroups(g, prefix)));
  return prefix === 128 ? text : `${text}/${prefix}`;
};
const sharePrefix = (a: readonly number[], b: readonly number[], prefix: number) =>
  maskGroups(a, prefix).every((x, i) => x === maskGroups(b, prefix)[i]);
const hex4 = (n: number) => n.toString(16).padStart(4, '0');
const v4ToGroups = (ip: string) => {
  const [a = 0, b = 0, c = 0, d = 0] = ip.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d] as const;
};

// One keyer per prefix for the properties: building one per run would spend the time on cache allocation.
const keyers = new Map<number, ReturnType<typeof createIpKeyer>>();
const keyerFor = (prefix: number) => {
  let keyer = keyers.get(prefix);
  if (keyer === undefined) {
    keyer = createIpKeyer({ ipv6Prefix: prefix, cacheSize: 256 });
    keyers.set(prefix, keyer);
  }
  return keyer;
};

function expectInvalidOptions(options: unknown, field: string) {
  let caught: unknown;
  try {
    createIpKeyer(options as IpKeyOptions);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TollgateError);
  expect((caught as TollgateError).code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
  // The factory and the field are part of the contract (config errors say which); the rest of the text is not.
  expect((caught as TollgateError).message).toMatch(/^createIpKeyer: options[.:]/);
  expect((caught as TollgateError).message).toContain(field);
}

// ---------------------------------------------------------------------------------------------------------

describe('which strings are one address', () => {
  const keyOf = createIpKeyer();

  it.each([
    '0.0.0.0',
    '1.2.3.4',
    '10.0.0.1',
    '100.64.0.0',
    '255.255.255.255',
    '::',
    '::1',
    '1::',
    '2001:db8::1',
    'FE80::1',
    '2001:DB8:ABCD:EF01::',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7::',
    '::2:3:4:5:6:7:8',
    '1:2:3:4:5::8',
    '0000:0000:0000:0000:0000:0000:0000:0001',
    '::ffff:1.2.3.4',
    '::FFFF:1.2.3.4',
    '::1.2.3.4',
    '1:2:3:4:5:6:1.2.3.4',
    '1:2:3:4:5::1.2.3.4',
    '64:ff9b::192.0.2.33',
    'fe80::1%eth0',
    'fe80::1%br-lan',
    'fe80::1%eth0.100',
    'fe80::1%12',
  ])('accepts %j', (raw) => {
    expect(isValidIp(raw)).toBe(true);
    expect(keyOf(raw)).toBeTypeOf('string');
  });

  it.each([
    ['empty', ''],
    ['space only', ' '],
    ['three parts', '1.2.3'],
    ['two parts', '127.1'],
    ['one number', '2130706433'],
    ['five parts', '1.2.3.4.5'],
    ['hex octet', '0x7f.0.0.1'],
    ['octet over 255', '256.0.0.1'],
    ['last octet over 255', '1.2.3.256'],
    ['leading zero', '01.2.3.4'],
    ['leading zero, last octet', '1.2.3.04'],
    ['double zero', '1.2.3.00'],
    ['empty octet', '1..3.4'],
    ['leading dot', '.1.2.3'],
    ['trailing dot', '1.2.3.4.'],
    ['leading space', ' 1.2.3.4'],
    ['trailing space', '1.2.3.4 '],
    ['trailing newline', '1.2.3.4\n'],
    ['tab inside', '1.2.\t3.4'],
    ['space inside IPv6', '2001:db8:: 1'],
    ['full-width digits', '\uff11.\uff12.\uff13.\uff14'],
    ['Arabic-Indic digit', '1.2.3.\u0664'],
    ['IPv4 with port', '1.2.3.4:80'],
    ['bracketed IPv6 with port', '[::1]:80'],
    ['bracketed IPv6', '[::1]'],
    ['list', '1.2.3.4, 5.6.7.8'],
    ['list without space', '1.2.3.4,5.6.7.8'],
    ['IPv4 CIDR', '1.2.3.0/24'],
    ['IPv6 CIDR', '2001:db8::/32'],
    ['hostname', 'localhost'],
    ['domain', 'example.com'],
    ['IPv4 with zone', '1.2.3.4%eth0'],
    ['empty zone', 'fe80::1%'],
    ['zone with space', 'fe80::1%eth 0'],
    ['two zones', 'fe80::1%eth0%eth1'],
    ['zone with colon', 'fe80::1%eth0:80'],
    ['mapped, leading-zero octet', '::ffff:01.2.3.4'],
    ['mapped, hex octet', '::ffff:0x7f.0.0.1'],
    ['mapped, three parts', '::ffff:1.2.3'],
    ['two ::', '1::2::3'],
    ['triple colon', ':::'],
    ['single colon', ':'],
    ['leading single colon', ':1:2:3:4:5:6:7'],
    ['trailing single colon', '1:2:3:4:5:6:7:'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
    ['seven groups', '1:2:3:4:5:6:7'],
    [':: for no group, at end', '1:2:3:4:5:6:7:8::'],
    [':: for no group, at start', '::1:2:3:4:5:6:7:8'],
    [':: for no group, inside', '1:2:3:4::5:6:7:8'],
    ['five hex digits', '12345::'],
    ['non-hex', 'g::1'],
    ['dotted tail too late', '1:2:3:4:5:6:7:1.2.3.4'],
    ['dotted tail with :: and 8 groups', '1:2:3:4:5:6::1.2.3.4'],
    ['dotted part first', '1.2.3.4::'],
    ['dotted part not last', '::1.2.3.4:5'],
    ['65 characters', '1'.repeat(65)],
    ['well-formed but too long', `fe80::1%${'a'.repeat(57)}`],
    ['a megabyte', '1.'.repeat(500_000)],
  ])('rejects %s: %j', (_why, raw) => {
    expect(isValidIp(raw)).toBe(false);
    expect(keyOf(raw)).toBeUndefined();
    // Second call comes from the cache (lengths <= 64) and must still say "invalid".
    expect(keyOf(raw)).toBeUndefined();
  });

  it('treats a non-string (a destroyed socket has no remoteAddress) as invalid', () => {
    expect(keyOf(undefined as unknown as string)).toBeUndefined();
    expect(isValidIp(undefined as unknown as string)).toBe(false);
  });

  it('the length limit is exactly 64 characters', () => {
    const zoned = (n: number) => `fe80::1%${'a'.repeat(n - 8)}`;
    expect(zoned(64)).toHaveLength(64);
    expect(keyOf(zoned(64))).toBe('fe80::/64');
    expect(keyOf(zoned(65))).toBeUndefined();
  });
});

describe('keys', () => {
  it.each<[string, string]>([
    ['1.2.3.4', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['::ffff:0102:0304', '1.2.3.4'],
    ['::ffff:102:304', '1.2.3.4'],
    ['::FfFf:0A0B:0C0D', '10.11.12.13'],
    ['0:0:0:0:0:ffff:102:304', '1.2.3.4'],
    ['0000:0000:0000:0000:0000:FFFF:0102:0304', '1.2.3.4'],
    ['::ffff:1.2.3.4%eth0', '1.2.3.4'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff::9', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0000:0000:0000:0001', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['::1', '::/64'],
    ['::', '::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    ['::1.2.3.4', '::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b::/64'],
    ['::ffff:0:1.2.3.4', '::/64'],
  ])('default /64: %j -> %j', (raw, key) => {
    expect(createIpKeyer()(raw)).toBe(key);
  });

  it.each<[string, string]>([
    ['2001:db8:1:2::1', '2001:db8:1::/48'],
    ['2001:db8:1:ffff::9', '2001:db8:1::/48'],
    ['2001:db8:2::1', '2001:db8:2::/48'],
    ['1.2.3.4', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
  ])('/48: %j -> %j', (raw, key) => {
    expect(createIpKeyer({ ipv6Prefix: 48 })(raw)).toBe(key);
  });

  it.each<[string, string]>([
    ['2001:db8:1:2::1', '2001:db8:1:2::1'],
    ['2001:0DB8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1.2.3.4', '::102:304'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['::ffff:0:1.2.3.4', '::ffff:0:102:304'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
  ])('/128: %j -> %j', (raw, key) => {
    expect(createIpKeyer({ ipv6Prefix: 128 })(raw)).toBe(key);
  });

  it.each<[number, string, string]>([
    [56, '2001:db8:1:2ff::1', '2001:db8:1:200::/56'],
    [1, '8000::1', '8000::/1'],
    [1, '7fff::1', '::/1'],
    [127, '::3', '::2/127'],
  ])('/%i: %j -> %j', (prefix, raw, key) => {
    expect(createIpKeyer({ ipv6Prefix: prefix })(raw)).toBe(key);
  });
});

describe('options', () => {
  it.each<[string, unknown]>([
    ['ipv6Prefix', 0],
    ['ipv6Prefix', 129],
    ['ipv6Prefix', 1.5],
    ['ipv6Prefix', -1],
    ['ipv6Prefix', Number.NaN],
    ['ipv6Prefix', Number.POSITIVE_INFINITY],
    ['ipv6Prefix', '64'],
    ['ipv6Prefix', null],
    ['cacheSize', 0],
    ['cacheSize', -1],
    ['cacheSize', 1.5],
    ['cacheSize', Number.NaN],
    ['cacheSize', 2_000_000],
    ['cacheSize', '100'],
  ])('rejects %s: %s', (field, value) => {
    expectInvalidOptions({ [field]: value }, field);
  });

  it('rejects unknown keys, naming them', () => {
    expectInvalidOptions({ ipv6prefix: 48 }, 'ipv6prefix');
  });

  it('rejects a non-object', () => {
    expectInvalidOptions(null, 'options');
    expectInvalidOptions(64, 'options');
  });

  it('accepts the edges and treats undefined as not given', () => {
    expect(createIpKeyer({ ipv6Prefix: 1, cacheSize: 1 })('ffff::1')).toBe('8000::/1');
    expect(createIpKeyer({ ipv6Prefix: 128, cacheSize: 1_000_000 })('::1')).toBe('::1');
    const defaults = createIpKeyer({
      ipv6Prefix: undefined,
      cacheSize: undefined,
    } as unknown as IpKeyOptions);
    expect(defaults('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('properties', () => {
  it('(1) every IPv4 and its mapped IPv6 forms share one key: the dotted quad', () => {
    fc.assert(
      fc.property(fc.ipV4(), prefixes, (ip, prefix) => {
        const keyOf = keyerFor(prefix);
        const [high, low] = v4ToGroups(ip);
        const forms = [
          ip,
          `::ffff:${ip}`,
          `::FFFF:${ip}`,
          `0:0:0:0:0:ffff:${ip}`,
          `::ffff:${high.toString(16)}:${low.toString(16)}`,
          `::ffff:${hex4(high)}:${hex4(low)}`.toUpperCase(),
          `0000:0000:0000:0000:0000:ffff:${hex4(high)}:${hex4(low)}`,
        ];
        for (const form of forms) expect(keyOf(form), form).toBe(ip);
      }),
    );
  });

  it('(2) any string: never throws, returns undefined or a key, and agrees with isValidIp', () => {
    const keyOf = createIpKeyer({ cacheSize: 16 });
    const check = (raw: string) => {
      const key = keyOf(raw);
      expect(key === undefined || (typeof key === 'string' && key.length > 0)).toBe(true);
      expect(key !== undefined).toBe(isValidIp(raw));
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), check), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ maxLength: 80 }), check), { numRuns: 2000 });
  });

  it('(2b) on IP-shaped noise, validity matches node:net (which has the same strict rules, zones aside)', () => {
    const ipChar = fc.constantFrom(...'0123456789abcdefABCDEF:.:.::/[], x'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: ipChar, maxLength: 50 }), (raw) => {
        expect(isValidIp(raw), raw).toBe(isIP(raw) !== 0);
      }),
      { numRuns: 20_000 },
    );
    // Also near-valid inputs: a real address with one character changed, removed or inserted.
    const mutated = fc
      .tuple(fc.oneof(fc.ipV4(), fc.ipV6()), fc.nat(), ipChar, fc.constantFrom('replace', 'delete', 'insert'))
      .map(([ip, at, char, how]) => {
        const i = at % (ip.length + 1);
        if (how === 'delete') return ip.slice(0, i) + ip.slice(i + 1);
        if (how === 'insert') return ip.slice(0, i) + char + ip.slice(i);
        return ip.slice(0, i) + char + ip.slice(i + 1);
      });
    fc.assert(
      fc.property(mutated, (raw) => {
        expect(isValidIp(raw), raw).toBe(isIP(raw) !== 0);
      }),
      { numRuns: 20_000 },
    );
  });

  it('(3) every fc.ipV6() is accepted, and its key survives re-formatting', () => {
    fc.assert(
      fc.property(fc.ipV6(), prefixes, (ip, prefix) => {
        const keyOf = keyerFor(prefix);
        const key = keyOf(ip);
        expect(key).toBeTypeOf('string');
        expect(keyOf(ip.toUpperCase())).toBe(key);
        expect(keyOf(canonical(ip))).toBe(key);
        expect(keyOf(`${ip}%eth0`)).toBe(key);
      }),
      { numRuns: 2000 },
    );
  });

  it('(3b) the key of any 128-bit address, in any text form, is the canonical network address', () => {
    fc.assert(
      fc.property(groups8, prefixes, (g, prefix) => {
        const keyOf = keyerFor(prefix);
        const [g6 = 0, g7 = 0] = g.slice(6);
        const want = isMapped(g)
          ? `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`
          : expectedV6Key(g, prefix);
        const forms = [
          expanded(g),
          expanded(g).toUpperCase(),
          unpadded(g),
          canonical(expanded(g)),
          canonical(expanded(g)).toUpperCase(),
          withDottedTail(g),
        ];
        for (const form of forms) expect(keyOf(form), form).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('(3c) two IPv6 addresses share a key exactly when they share the prefix', () => {
    // Sparse groups make shared prefixes and zero runs common, which random 16-bit groups rarely produce.
    const sparseGroup = fc.oneof(fc.constant(0), fc.constant(1), fc.constant(0xffff), group16);
    const sparse8 = fc.array(sparseGroup, { minLength: 8, maxLength: 8 });
    const pair = fc
      .tuple(sparse8, sparse8, fc.integer({ min: 0, max: 8 }))
      .map(([a, b, keep]) => [a, [...a.slice(0, keep), ...b.slice(keep)]] as const)
      .filter(([a, b]) => !isMapped(a) && !isMapped(b));
    fc.assert(
      fc.property(pair, fc.constantFrom(1, 16, 48, 56, 63, 64, 65, 96, 127, 128), ([a, b], prefix) => {
        const keyOf = keyerFor(prefix);
        expect(keyOf(expanded(a)) === keyOf(unpadded(b))).toBe(sharePrefix(a, b, prefix));
      }),
      { numRuns: 5000 },
    );
  });

  it('(4) the cached keyer agrees with a fresh one, including after evictions', () => {
    const pool = fc.array(
      fc.oneof(
        fc.ipV4(),
        fc.ipV6(),
        fc.ipV4().map((ip) => `::ffff:${ip}`),
        fc.ipV4().map((ip) => `${ip}:80`),
        fc.constantFrom('', ' ', '::', '1.2.3', '01.2.3.4', 'fe80::1%eth0'),
        fc.string({ maxLength: 10 }),
      ),
      { minLength: 1, maxLength: 8 },
    );
    const run = pool.chain((values) =>
      fc.tuple(fc.constant(values), fc.array(fc.nat(values.length - 1), { minLength: 1, maxLength: 60 })),
    );
    fc.assert(
      fc.property(run, fc.integer({ min: 1, max: 4 }), prefixes, ([values, picks], cacheSize, prefix) => {
        const cached = createIpKeyer({ cacheSize, ipv6Prefix: prefix });
        for (const pick of picks) {
          const raw = values[pick] ?? '';
          // A new keyer has an empty cache, so this is always a miss.
          expect(cached(raw), raw).toBe(createIpKeyer({ cacheSize: 1, ipv6Prefix: prefix })(raw));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('(5) a port, a list, whitespace, brackets or a CIDR suffix make any valid address invalid', () => {
    const keyOf = createIpKeyer();
    const dressUp = (ip: string) => [
      `${ip}, 1.2.3.4`,
      `${ip},1.2.3.4`,
      `1.2.3.4, ${ip}`,
      ` ${ip}`,
      `${ip} `,
      `${ip}\t`,
      `${ip}\r\n`,
      `[${ip}]`,
      `[${ip}]:80`,
      `${ip}/24`,
    ];
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        for (const raw of [...dressUp(ip), `${ip}:80`]) expect(keyOf(raw), raw).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.ipV6(),
          fc.ipV4().map((ip) => `::ffff:${ip}`),
        ),
        (ip) => {
          // `${ip}:80` is not in this list: "2001:db8::1:80" is itself a valid IPv6 address, which is why IPv6
          // ports need brackets, and why the bracketed forms must be refused rather than unwrapped.
          for (const raw of dressUp(ip)) expect(keyOf(raw), raw).toBeUndefined();
        },
      ),
    );
  });
});
