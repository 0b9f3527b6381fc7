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
