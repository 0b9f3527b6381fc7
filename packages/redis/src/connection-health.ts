// Keeps the store's ioredis client able to recover: settles dropped commands and rebuilds a silent connection.

import type { Cluster, Redis } from 'ioredis';
import { settleDroppedCommands } from './dropped-commands.js';
import { SilenceDetector } from './silence-detector.js';

/** What the store reports to the health monitor of the client it sends on. */
export interface ConnectionHealth {
  /** A command was sent: its reply, or an error reply from Redis, shows the connection alive. */
  sent(pending: Promise<unknown>): void;
  /**
   * A round trip got no answer within `timeoutMs`. When a single-node client is `ready` yet
   * nothing has answered for {@link silentMs}`(timeoutMs)` (a half-open TCP connection after
   * a network change, a frozen or stuck server, commands lost by the client), its socket is
   * destroyed, so that ioredis reconnects as after any drop.
   */
  timedOut(timeoutMs: number): void;
}

/**
 * How long a ready connection may answer nothing, while round trips time out, before it is
 * rebuilt: 1 s, or 4 timeouts for a store with a long `timeoutMs`. Long enough that a Redis
 * merely slow for a moment (a fork, a long command) is left alone, short enough that a dead
 * connection costs about a second of failed checks instead of lasting until TCP gives up
 * (about 15 minutes on Linux).
 */
export function silentMs(timeoutMs: number): number {
  return Math.max(1_000, 4 * timeoutMs);
}

interface Single {
  readonly status: string;
  readonly options: { readonly retryStrategy?: unknown };
  readonly stream?: { destroy?: (error?: Error) => void } | null;
}

// One per client: every store on a client shares its connection, and its listeners.
const byClient = new WeakMap<Redis | Cluster, ConnectionHealth>();

/**
 * The health monitor of `client`, created on first use. It settles the commands ioredis 5 and
 * 6.0 drop on a reconnect (on every node of a Cluster). On a single-node client it also rebuilds
 * a connection that is ready but silent, provided the client reconnects on its own (it has a
 * `retryStrategy`; without one, closing the connection would end the client for good). On a
 * Cluster, ioredis handles its nodes' connections (slot refreshes, `clusterRetryStrategy`).
 *
 * @example
 * const health = connectionHealth(client);
 * health.sent(promise);
 * health.timedOut(50);
 */
export function connectionHealth(client: Redis | Cluster): ConnectionHealth {
  const known = byClient.get(client);
  if (known !== undefined) return known;
  let health: ConnectionHealth;
  if ((client as { isCluster?: boolean }).isCluster === true) {
    const cluster = client as Cluster;
    for (const node of cluster.nodes('all')) settleDroppedCommands(node);
    cluster.on('+node', (node: Redis) => settleDroppedCommands(node));
    health = { sent: () => {}, timedOut: () => {} };
  } else {
    settleDroppedCommands(client as Redis);
    health = watchSilence(client as unknown as Single);
  }
  byClient.set(client, health);
  return health;
}

function watchSilence(redis: Single): ConnectionHealth {
  const silence = new SilenceDetector();
  const answered = () => silence.answered();
  const failed = (e: unknown) => {
    // An error reply is Redis answering; a connection error is not.
    if (e instanceof Error && e.name === 'ReplyError') silence.answered();
  };
  return {
    sent(pending) {
      pending.then(answered, failed);
    },
    timedOut(timeoutMs) {
      if (!silence.timedOut(performance.now(), silentMs(timeoutMs))) return;
      if (redis.status !== 'ready' || typeof redis.options.retryStrategy !== 'function') return;
      // Destroyed, not ended: a graceful close waits for the peer, which a dead connection
      // never answers (ioredis would only destroy it after its `disconnectTimeout`, 2 s). The
      // socket's close makes ioredis reconnect as after any drop, by the client's own options.
      redis.stream?.destroy?.(new Error('redis store: no answer on a ready connection; reconnecting'));
    },
  };
}
