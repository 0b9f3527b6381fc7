// A bound on how long one Redis command may take: its promise rejects when the time is up.

/**
 * Settles like `pending`, or rejects with `onTimeout()` after `ms` milliseconds, whichever
 * comes first. A late answer is absorbed: the rejection handler stays attached to `pending`,
 * so a reply or error that arrives after the deadline is neither an unhandled rejection nor
 * acted upon. (ioredis cannot withdraw a sent command, so a timed-out check may still have
 * been counted by Redis.)
 *
 * @example
 * const reply = await withDeadline(client.get('k'), 100, () => new Error('Redis did not answer'));
 */
export function withDeadline<T>(pending: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      // When the event loop was busy, this timer and Redis's reply can both be due; timers run
      // before the poll phase reads the socket. Waiting for the check phase (after polling)
      // lets a reply that has already arrived win instead of failing a check Redis answered.
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(onTimeout());
      });
    }, ms);
    pending.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
