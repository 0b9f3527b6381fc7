// How long a response may be reused, from its Cache-Control header (RFC 9111), as a private cache.

/**
 * Milliseconds a response may be served from a private cache: `max-age` minus `Age`. Zero when
 * the response must not be stored or reused without revalidation (`no-store`, `no-cache`, no
 * `max-age`), or when `Vary: *` says no stored copy can match. Any strings: never throws.
 *
 * @example
 * freshnessMs('public, max-age=60', null, null) // 60000
 */
export function freshnessMs(cacheControl: string | null, age: string | null, vary: string | null): number {
  if (cacheControl === null || (vary ?? '').split(',').some((v) => v.trim() === '*')) return 0;
  let maxAge: number | undefined;
  for (const part of cacheControl.split(',')) {
    const [rawName = '', ...rest] = part.split('=');
    const name = rawName.trim().toLowerCase();
    // RFC 9111 §5.2.2.3 allows a quoted value for max-age, though it should be a token.
    const value = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name === 'no-store' || name === 'no-cache') return 0;
    if (name === 'max-age' && /^\d{1,12}$/.test(value)) {
      // A repeated directive makes the response's freshness ambiguous; the shortest is safe.
      maxAge = Math.min(maxAge ?? Number.POSITIVE_INFINITY, Number(value));
    }
  }
  if (maxAge === undefined) return 0;
  const ageSeconds = age !== null && /^\s*\d{1,12}\s*$/.test(age) ? Number(age) : 0;
  return Math.max(0, maxAge - ageSeconds) * 1000;
}

/** The request header names a response's `Vary` lists, lower-case (`Accept-Encoding` aside, which fetch handles). */
export function varyNames(vary: string | null): string[] {
  if (vary === null) return [];
  return vary
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '' && v !== 'accept-encoding');
}
