// The wait before each retry: exponential caps with full jitter.

// Full jitter (a uniformly random wait below the cap) spreads the retries of many deliveries
// that failed together, say when a receiver was down, over the whole window instead of
// sending them back in waves that knock it over again.

/**
 * The longest wait after failed attempt `attempt` (1 for the first): `baseDelayMs × 2^(attempt-1)`,
 * never more than `maxDelayMs`.
 *
 * @example
 * backoffCap(3, 1000, 60_000) // 4000
 */
export function backoffCap(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  // 2^1024 is Infinity and 0 × Infinity is NaN: the exponent stops long before that matters.
  const exponent = Math.min(Math.max(0, attempt - 1), 1000);
  return Math.min(maxDelayMs, baseDelayMs * 2 ** exponent);
}

/**
 * The wait after failed attempt `attempt`: somewhere in [0, cap), drawn with `random` (a number
 * in [0, 1) as from `Math.random`; anything else counts as 0).
 *
 * @example
 * backoffDelay(1, 1000, 60_000, Math.random) // somewhere in [0, 1000)
 */
export function backoffDelay(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const r = random();
  const unit = r >= 0 && r < 1 ? r : 0;
  return Math.floor(unit * backoffCap(attempt, baseDelayMs, maxDelayMs));
}
