// Deterministic client addresses for benchmarks: a mix of IPv4 and IPv6 spellings, all distinct.

/**
 * A small seeded generator (xorshift32), so every run benchmarks the same addresses and two
 * machines compare like with like. Not for anything that needs real randomness.
 *
 * @example
 * const next = seededRandom(42);
 * next(); // an integer in [0, 2^32)
 */
export function seededRandom(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/**
 * `count` distinct address strings, alternating IPv4 and IPv6. The IPv6 ones come in the
 * spellings a server really sees: full eight groups, `::`-compressed, upper case, and
 * IPv4-mapped (`::ffff:a.b.c.d`, which is how a dual-stack socket reports IPv4 clients).
 *
 * @example
 * const ips = clientAddresses(10_000); // ['198.51.7.22', '2001:db8:4f1:9a0c:...', ...]
 */
export function clientAddresses(count, seed = 0x7011_6a7e) {
  const next = seededRandom(seed);
  const byte = () => next() & 0xff;
  const group = () => (next() & 0xffff).toString(16);
  const v4 = () => `${1 + (next() % 223)}.${byte()}.${byte()}.${byte()}`;
  const v6Spellings = [
    () => `2001:db8:${group()}:${group()}:${group()}:${group()}:${group()}:${group()}`,
    () => `2001:db8:${group()}:${group()}::${group()}`,
    () => `2001:DB8:${group()}:${group()}:${group()}::${group()}`.toUpperCase(),
    () => `::ffff:${v4()}`,
  ];
  const seen = new Set();
  const out = [];
  let i = 0;
  while (out.length < count) {
    const ip = i % 2 === 0 ? v4() : (v6Spellings[(i >> 1) % v6Spellings.length] ?? v4)();
    i++;
    if (seen.has(ip)) continue;
    seen.add(ip);
    out.push(ip);
  }
  return out;
}

// 24-bit mixing: each step (odd multiply, xor with a right shift) is a bijection on [0, 2^24), so distinct
// inputs give distinct outputs and no Set is needed to deduplicate.
function mix24(k) {
  let x = Math.imul(k, 0x2f6b35) & 0xff_ffff;
  x ^= x >>> 12;
  x = Math.imul(x, 0x9e_3779) & 0xff_ffff;
  x ^= x >>> 11;
  return x;
}

const hex = (n) => n.toString(16);

/** How many addresses {@link addressAt} can hand out before it would repeat itself. */
export const ADDRESS_SPACE = 2 ** 25;

/**
 * The `i`-th of up to 2^25 distinct client addresses, computed on demand: no list, no Set, so a
 * spray of ten million costs no memory of its own. Even `i` gives dotted IPv4; odd `i` gives IPv6
 * in the spellings of {@link clientAddresses} (full, `::`-compressed, upper case, IPv4-mapped).
 * The addresses are distinct as counters too, not only as strings: every IPv6 one sits in its own
 * /64 and the mapped IPv4 ones (first octet 101–200) never equal a plain one (first octet 1–100),
 * so `n` addresses make exactly `n` per-IP counters under Tollgate's keying and under a peer's.
 *
 * Each address is one flat string, as Node hands out `socket.remoteAddress`: the parts are
 * joined rather than concatenated, because V8 keeps a `+` or template-literal result as a tree
 * of pieces (32 bytes a node), and a store that keeps such a tree as a key would be charged for
 * memory a real server never sees.
 *
 * @example
 * addressAt(2); // '2.123.237.87'
 * addressAt(7); // '::ffff:104.244.54.166'
 */
export function addressAt(i) {
  if (!Number.isSafeInteger(i) || i < 0 || i >= ADDRESS_SPACE) {
    throw new RangeError(`addressAt: expected an integer in [0, ${ADDRESS_SPACE}), got ${i}`);
  }
  const k = Math.floor(i / 2);
  const s = mix24(k);
  const b = s >>> 16;
  const c = (s >>> 8) & 0xff;
  const d = s & 0xff;
  if (i % 2 === 0) return [1 + (k % 100), b, c, d].join('.');
  const host = mix24(k ^ 0x5a_5a5a);
  const hi = hex(s >>> 12);
  const lo = hex(s & 0xfff);
  switch (k % 4) {
    case 0:
      return ['2001', 'db8', hi, lo, hex(host >>> 8), hex(k & 0xffff), hex(host & 0xff), '1'].join(':');
    case 1:
      return ['2001', 'db8', hi, lo, '', hex(host & 0xffff)].join(':');
    case 2:
      return ['2001', 'DB8', hi, lo, hex(host >>> 8), hex(k & 0xff), '', hex(host & 0xfff)]
        .join(':')
        .toUpperCase();
    default:
      return ['::ffff:', 101 + (k % 100), '.', b, '.', c, '.', d].join('');
  }
}

/**
 * The first `count` addresses of {@link addressAt} as an array.
 *
 * @example
 * const ips = addressList(1_000_000);
 */
export function addressList(count) {
  const out = new Array(count);
  for (let i = 0; i < count; i++) out[i] = addressAt(i);
  return out;
}
