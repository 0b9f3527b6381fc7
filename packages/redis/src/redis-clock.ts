// Redis's clock as this process sees it, learned from the time each script reply carries.

/** One reading: the range Redis's clock minus the local one lies in, and the round trip that gave it. */
interface Reading {
  readonly low: number;
  readonly high: number;
  readonly rtt: number;
}

/**
 * Translates this process's monotonic clock (`performance.now()`) into Redis's wall clock (epoch
 * ms), so a check's deadline can be judged by Redis (see CONSUME_SCRIPT). App servers' clocks
 * need not agree with Redis's, and a local clock that is set or stepped changes nothing here.
 *
 * Each reply says when Redis ran the script (`redisNow`), a moment between sending and reading
 * the reply: the offset between the clocks lies in `[redisNow - receivedAt, redisNow + 1 - sentAt]`.
 * The middle of that range is off by at most half the round trip, and by much less when the
 * delays there and back are alike (a busy event loop delays both the write and the read). As
 * NTP does, the reading with the shortest round trip of the last one to two windows is used,
 * kept within the range of the latest reply (the true offset is in both). A reply whose range
 * does not meet that reading's proves it wrong (Redis's clock was set, or a Cluster node's
 * clock differs): it replaces it at once.
 *
 * Until the first reply, the process's wall clock stands in for Redis's, which is right
 * whenever both are on NTP.
 *
 * @example
 * const clock = new RedisClock(Date.now() - performance.now());
 * clock.observe(reply.redisNow, sentAt, performance.now());
 * const deadline = clock.toRedis(performance.now() + 40);
 */
export class RedisClock {
  private offset: number;
  private current: Reading | undefined;
  private previous: Reading | undefined;
  private windowStart = Number.NaN;

  /**
   * @param initialOffset Redis's epoch ms minus the local monotonic ms, before any reply
   *   (`Date.now() - performance.now()`: the local wall clock).
   * @param windowMs How long a reading stands before it starts to age out.
   */
  constructor(
    initialOffset: number,
    private readonly windowMs = 30_000,
  ) {
    this.offset = initialOffset;
  }

  /**
   * Learns from a reply that Redis's clock read `redisNow` (whole ms, rounded down) at some
   * moment between `sentAt` and `receivedAt` (local, ms).
   */
  observe(redisNow: number, sentAt: number, receivedAt: number): void {
    if (!Number.isFinite(redisNow) || !Number.isFinite(sentAt) || !Number.isFinite(receivedAt)) return;
    if (receivedAt < sentAt) return;
    const reading: Reading = {
      low: redisNow - receivedAt,
      high: redisNow + 1 - sentAt,
      rtt: receivedAt - sentAt,
    };
    const held = this.best();
    if (held !== undefined && (reading.high < held.low || reading.low > held.high)) {
      // The readings cannot both be right: the clock changed. Start again from this one.
      this.current = reading;
      this.previous = undefined;
      this.windowStart = receivedAt;
    } else {
      if (!(receivedAt - this.windowStart < this.windowMs)) {
        // Also taken when `windowStart` is NaN (the first reply).
        this.previous = this.current;
        this.current = undefined;
        this.windowStart = receivedAt;
      }
      if (this.current === undefined || reading.rtt <= this.current.rtt) this.current = reading;
    }
    const best = this.best() as Reading;
    const middle = (best.low + best.high) / 2;
    this.offset = Math.min(Math.max(middle, reading.low), reading.high);
  }

  private best(): Reading | undefined {
    if (this.current === undefined) return this.previous;
    if (this.previous === undefined) return this.current;
    return this.previous.rtt < this.current.rtt ? this.previous : this.current;
  }

  /** Redis's epoch ms at the local monotonic instant `local`. */
  toRedis(local: number): number {
    return local + this.offset;
  }
}
