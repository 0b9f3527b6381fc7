// The retry schedule: exponential caps with full jitter (a uniformly random wait below each cap).

// Full jitter spreads the retries of many clients that failed together over the whole window,
// instead of sending them back in synchronised waves; see the AWS Architecture Blog's
// "Exponential Backoff and Jitter".

/**
 * The cap for the wait after failed attempt `n` (0 for the first failure):
 * `min(maxDelayMs, baseDelayMs × 2^n)`. Never decreases as `n` grows.
 *
 * @example
 * backoffCap(3, 500, 20_000) // 4000
 */
export function backoffCap(n: number, baseDelayMs: number, maxDelayMs: number): number {
  // 2^n overflows to Infinity past n = 1023, and 0 × Infinity is NaN: the exponent stops at 1000,
  // where any positive base has long passed any sensible maximum.
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(Math.max(0, n), 1000));
}

/**
 * The wait after failed attempt `n`: `random() × backoffCap(n)`, so anywhere in [0, cap).
 * `random` returns a number in [0, 1), as `Math.random` does; anything else counts as 0.
 *
 * @example
 * backoffDelay(0, 500, 20_000, Math.random) // somewhere in [0, 500)
 */
export function backoffDelay(
  n: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const r = random();
  const unit = r >= 0 && r < 1 ? r : 0;
  return Math.floor(unit * backoffCap(n, baseDelayMs, maxDelayMs));
}
