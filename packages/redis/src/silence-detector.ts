// Decides when a connection that is up but answers nothing has been silent long enough to rebuild.

/**
 * Watches one connection's round trips. A stretch of silence starts at the first timed-out
 * round trip after the last answer; once a later one times out `silentMs` or more into the
 * stretch, with no answer in between, the connection is judged dead and the stretch ends.
 * Counting from a timeout rather than from the last answer means sparse traffic (one check
 * an hour) never looks silent: it takes two timeouts, `silentMs` apart, with nothing
 * answered between them.
 *
 * Times are milliseconds on any monotonic clock.
 *
 * @example
 * const silence = new SilenceDetector();
 * silence.timedOut(0, 1_000); // false: the stretch starts
 * silence.timedOut(1_200, 1_000); // true: rebuild the connection
 */
export class SilenceDetector {
  #since: number | undefined;

  /** Redis answered (a reply or an error reply): the connection is alive. */
  answered(): void {
    this.#since = undefined;
  }

  /**
   * A round trip timed out at `now`. Returns true when the connection has been silent for
   * `silentMs` and should be rebuilt; the next stretch then starts afresh.
   */
  timedOut(now: number, silentMs: number): boolean {
    if (this.#since === undefined || now < this.#since) {
      this.#since = now;
      return false;
    }
    if (now - this.#since < silentMs) return false;
    this.#since = undefined;
    return true;
  }
}
