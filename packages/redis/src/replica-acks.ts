// waitForReplicas: the consume script followed by WAIT on the same connection, and the refund of unacknowledged counts.

import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { CONSUME_SCRIPT, type ScriptCall } from './consume-script.js';

/** How many replicas must acknowledge a check's counts, and how long Redis waits for them. */
export interface ReplicaAcksOptions {
  /** Replicas that must have the counts before a check is answered. At least 1. Default: `1`. */
  replicas?: number | undefined;
  /** How long Redis waits for them (WAIT's timeout), in ms. At least 1. Default: `50`. */
  timeoutMs?: number | undefined;
}

/** ReplicaAcksOptions with the defaults applied. */
export interface ReplicaAcks {
  readonly replicas: number;
  readonly timeoutMs: number;
}

/** The script's reply and how many replicas acknowledged the writes before it. */
export interface AckedReply {
  readonly reply: unknown;
  /**
   * When the script's own reply was read (`performance.now()`), before WAIT's: the moment that
   * tells Redis's clock (see RedisClock), which WAIT's wait would blur.
   */
  readonly answeredAt: number;
  readonly acks: number;
  /** Why WAIT gave no count (an error reply); the writes then count as unacknowledged. */
  readonly waitError?: string;
}

/**
 * Why a batch fails for want of acknowledgements, or undefined when enough replicas have it.
 *
 * @example
 * ackFailure({ replicas: 1, timeoutMs: 50 }, { reply, acks: 0 });
 * // '0 of 1 replicas acknowledged the counts within 50 ms; they were taken back'
 */
export function ackFailure(wait: ReplicaAcks, answer: AckedReply): string | undefined {
  if (answer.waitError !== undefined) return `WAIT failed (${answer.waitError}); the counts were taken back`;
  if (answer.acks >= wait.replicas) return undefined;
  return `${answer.acks} of ${wait.replicas} replicas acknowledged the counts within ${wait.timeoutMs} ms; they were taken back`;
}

const CONSUME_SHA = createHash('sha1').update(CONSUME_SCRIPT).digest('hex');

/**
 * Runs the consume script, then `WAIT replicas timeoutMs`, in one pipeline. WAIT counts the
 * replicas that have every write its connection made so far, so it must follow the script on
 * the connection that ran it: a pipeline is written to one connection, and on a Cluster ioredis
 * sends it to the master of its keys' slot (WAIT has no key, so on its own it would go to a
 * random node, where it would acknowledge nothing of ours, and say yes). For the same reason the
 * script goes as EVALSHA and, on NOSCRIPT, the whole pipeline again with EVAL (ioredis's own
 * NOSCRIPT retry, with defineCommand, would send the script on its own, after the WAIT).
 *
 * WAIT blocks the connection until it returns, so commands sent after it on the same client
 * (other checks, the app's own commands) wait for it too.
 *
 * @example
 * const { reply, acks } = await consumeWithAcks(client, encodeBatch(prefix, slack, checks), { replicas: 1, timeoutMs: 50 });
 */
export async function consumeWithAcks(
  client: Redis | Cluster,
  call: ScriptCall,
  wait: ReplicaAcks,
): Promise<AckedReply> {
  let answeredAt = Number.NaN;
  // A command's callback runs when its own reply is read; the pipeline resolves after WAIT's.
  const onScriptReply = () => {
    answeredAt = performance.now();
  };
  const run = async (withEval: boolean) => {
    const pipeline = client.pipeline();
    const args = [...call.keys, ...call.argv];
    if (withEval) pipeline.eval(CONSUME_SCRIPT, call.keys.length, ...args, onScriptReply);
    else pipeline.evalsha(CONSUME_SHA, call.keys.length, ...args, onScriptReply);
    pipeline.wait(wait.replicas, wait.timeoutMs);
    return (await pipeline.exec()) ?? [];
  };
  let results = await run(false);
  let withEval = false;
  let refreshed = false;
  for (;;) {
    const message = results[0]?.[0]?.message ?? '';
    if (!withEval && message.startsWith('NOSCRIPT')) {
      withEval = true;
    } else if (!refreshed && client.isCluster && message.startsWith('MOVED ')) {
      // The slot moved (a failover, resharding): the script did not run. ioredis follows MOVED
      // for a pipeline only when every command in it got one, which WAIT never does; learn the
      // new owner and send the pipeline there, once.
      refreshed = true;
      await new Promise<void>((resolve) => (client as Cluster).refreshSlotsCache(() => resolve()));
    } else {
      break;
    }
    results = await run(withEval);
  }
  const [script, acked] = results;
  if (script === undefined || acked === undefined) throw new Error('the pipeline returned no reply');
  if (script[0] !== null) throw script[0];
  if (acked[0] !== null) return { reply: script[1], answeredAt, acks: 0, waitError: acked[0].message };
  return { reply: script[1], answeredAt, acks: Number(acked[1]) };
}
