// Redis's clock as this process sees it, learned from the time each script reply carries.

/**
 * Translates this process's monotonic clock (`performance.now()`) into Redis's wall clock (epoch
 * ms), so a check's deadline can be judged by Redis (see CONSUME_SCRIPT). App servers' clocks
 * need not agree with Redis's: each reply says when Redis ran the script, and that moment lay
 * before the reply was read, so `redisNow - receivedAt` is a lower bound of the offset between
 * the two clocks, off by the reply's time on the way back. The store uses the highest such bound
 * seen recently: close to the true offset (the fastest reply decides), and never above it, so a
 * deadline is never moved later than the caller's own.
 *
 * Bounds age out after one to two windows, so a clock that steps back (Redis's, or a move to
 * another node) is followed within `2 * windowMs`; one that steps forward is followed at once,
 * since its bounds are higher. Until the first reply, the process's wall clock stands in for
 * Redis's, which is right whenever both are on NTP.
 *
 * @example
 * const clock = new RedisClock(Date.now() - performance.now());
 * clock.observe(reply.redisNow, performance.now());
 * const deadline = clock.toRedis(performance.now() + 40);
 */
export class RedisClock {
  private offset: number;
  private current = Number.NEGATIVE_INFINITY;
  private previous = Number.NEGATIVE_INFINITY;
  private windowStart = Number.NaN;

  /**
   * @param initialOffset Redis's epoch ms minus the local monotonic ms, before any reply
   *   (`Date.now() - performance.now()`: the local wall clock).
   * @param windowMs How long a bound counts before it starts to age out.
   */
  constructor(
    initialOffset: number,
    private readonly windowMs = 30_000,
  ) {
    this.offset = initialOffset;
  }

  /** Learns from a reply that Redis's clock read `redisNow` at some moment before `receivedAt` (local, ms). */
  observe(redisNow: number, receivedAt: number): void {
    if (!Number.isFinite(redisNow) || !Number.isFinite(receivedAt)) return;
    if (!(receivedAt - this.windowStart < this.windowMs)) {
      // Also taken when `windowStart` is NaN (the first reply).
      this.previous = this.current;
      this.current = Number.NEGATIVE_INFINITY;
      this.windowStart = receivedAt;
    }
    const bound = redisNow - receivedAt;
    if (bound > this.current) this.current = bound;
    this.offset = Math.max(this.current, this.previous);
  }

  /** Redis's epoch ms at the local monotonic instant `local`. */
  toRedis(local: number): number {
    return local + this.offset;
  }
}
