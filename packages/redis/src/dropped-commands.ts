// Settles the commands ioredis 5 and 6.0 drop on a reconnect, so nothing (an auto-pipeline above all) waits on them forever.

import type { Redis } from 'ioredis';

// When a ready connection closes, ioredis keeps the commands still awaiting a reply in
// `prevCommandQueue`. On the next `ready` it resends them, or, with
// `autoResendUnfulfilledCommands: false`, drops the list without settling a single promise
// (ioredis issue #2193, fixed upstream after 6.0.0). Under auto-pipelining that is a wedge: the
// pipeline holding such a command never finishes, and ioredis runs one pipeline at a time,
// so every later command queues behind it while the client reports `ready`. The same holds
// when the client gives up reconnecting (`end`) with commands stashed. ioredis 5.x and 6.0.0
// stash and drop alike (the same `prevCommandQueue`, a denque, and the same close and ready
// handlers); the suites run this against both (support/ioredis-majors.ts).
interface Stashed {
  readonly command?: { reject?: (error: Error) => void };
}
interface Internals {
  readonly prevCommandQueue?: { toArray?: () => readonly Stashed[] } | null;
  readonly options: { readonly autoResendUnfulfilledCommands?: boolean };
}

const watched = new WeakSet<Redis>();

/**
 * Rejects, once `redis` is ready again (or has ended), every command it had in flight when
 * its connection closed and will not resend. Harmless where ioredis settles them itself
 * (resending, or a release with the upstream fix): a settled promise ignores a second rejection. Idempotent per
 * connection object.
 *
 * @example
 * settleDroppedCommands(new Redis(url, { autoResendUnfulfilledCommands: false }));
 */
export function settleDroppedCommands(redis: Redis): void {
  if (watched.has(redis)) return;
  watched.add(redis);
  const internals = redis as unknown as Internals;
  const dropped = new Set<(error: Error) => void>();
  // 'close' is emitted on the tick after ioredis has stashed the queue, and long before the
  // reconnect can be ready, so the stash is there to read.
  redis.on('close', () => {
    const stash = internals.prevCommandQueue;
    if (stash == null || typeof stash.toArray !== 'function') return;
    for (const item of stash.toArray()) {
      const reject = item?.command?.reject;
      if (typeof reject === 'function') dropped.add(reject);
    }
  });
  const settle = (resent: boolean) => {
    if (!resent && dropped.size > 0) {
      const error = new Error('Connection closed before Redis answered; the command was not resent');
      for (const reject of dropped) reject(error);
    }
    dropped.clear();
  };
  redis.on('ready', () => settle(internals.options.autoResendUnfulfilledCommands !== false));
  redis.on('end', () => settle(false));
}
