// Taking back what a failed check counted: a check whose caller got a failure must not cost the cap.

import type { ConsumeResult } from '@tollgate/core';
import type { Cluster, Redis } from 'ioredis';
import type { ScriptCall } from './consume-script.js';

/**
 * Takes back one increment per key. A key listed twice (the daily counter of two checks in one
 * batch) is taken back twice. A counter at 1 is deleted, as absent means zero; one already gone
 * (cleared) is left alone.
 */
export const REFUND_SCRIPT = `
for i = 1, #KEYS do
  local c = tonumber(redis.call('GET', KEYS[i]) or '0')
  if c == 1 then redis.call('DEL', KEYS[i]) elseif c > 1 then redis.call('DECR', KEYS[i]) end
end
return #KEYS
`;

/** What a batch's answer means for each check, and what must be taken back. */
export interface BatchOutcome {
  /** Per check: its result, or why it failed. */
  readonly outcomes: ({ readonly result: ConsumeResult } | { readonly failure: string })[];
  /** The keys of the checks that were counted but fail: one entry per increment. */
  readonly takeBack: string[];
}

/**
 * Sorts a batch's results: a skipped check fails (Redis changed nothing); with `unacked` set
 * (replicas did not acknowledge the batch), every allowed check fails too and its keys are to
 * be taken back; refusals stand either way (they changed nothing, and refusing is safe).
 *
 * @example
 * batchOutcome(call, [{ allowed: true, refusedBy: -1, counts: [3] }, null], undefined);
 * // { outcomes: [{ result: … }, { failure: 'Redis received the check after its deadline and skipped it' }], takeBack: [] }
 */
export function batchOutcome(
  call: ScriptCall,
  results: readonly (ConsumeResult | null)[],
  unacked: string | undefined,
): BatchOutcome {
  const outcomes: BatchOutcome['outcomes'] = new Array(results.length);
  const takeBack: string[] = [];
  let k = 0;
  for (let c = 0; c < results.length; c++) {
    const result = results[c] as ConsumeResult | null;
    const n = call.sizes[c] as number;
    if (result === null) {
      outcomes[c] = { failure: 'Redis received the check after its deadline and skipped it' };
    } else if (unacked !== undefined && result.allowed) {
      for (let i = k; i < k + n; i++) takeBack.push(call.keys[i] as string);
      outcomes[c] = { failure: unacked };
    } else {
      outcomes[c] = { result };
    }
    k += n;
  }
  return { outcomes, takeBack };
}

/**
 * The keys of every allowed check in a batch, one entry per increment: what to take back when
 * the answer came after the checks had already been failed by the store's deadline.
 */
export function countedKeys(call: ScriptCall, results: readonly (ConsumeResult | null)[]): string[] {
  const keys: string[] = [];
  let k = 0;
  for (let c = 0; c < results.length; c++) {
    const n = call.sizes[c] as number;
    if (results[c]?.allowed === true) for (let i = k; i < k + n; i++) keys.push(call.keys[i] as string);
    k += n;
  }
  return keys;
}

/**
 * Takes back one increment per key (see REFUND_SCRIPT), as a pipeline so that a Cluster routes
 * it by its keys (one batch: one slot). Best effort: when it fails, the counts stay, which only
 * costs cap; never more than the cap is handed out.
 */
export function refund(client: Redis | Cluster, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return Promise.resolve();
  return client
    .pipeline()
    .eval(REFUND_SCRIPT, keys.length, ...keys)
    .exec()
    .then(
      () => {},
      () => {},
    );
}
