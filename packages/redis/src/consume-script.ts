// The Lua script behind every check: test all counters, then increment all or none, in one round trip.

import { type ConsumeResult, TollgateError } from '@tollgate/core';

/**
 * Runs a batch of checks, one after the other, in one call. KEYS: every check's counter keys in
 * order. ARGV: the expiry slack (ms), then per check its number of counters `n` followed by
 * each counter's `limit` and `expiresAt`. Returns, per check, `refusedBy` (0-based, or -1 when
 * every counter had room and was incremented) followed by its `n` counts.
 *
 * Redis runs a script alone, so each check's test-and-increment is atomic across every process
 * that shares the server: each count value is handed out once, which is what makes caps and
 * threshold events exact. Batching changes nothing there: the checks run in order, as if sent
 * one by one, but Redis parses and dispatches one command instead of one per check, which is
 * most of its cost per check.
 *
 * A check increments first and undoes its increments when a counter turns out to be full,
 * because the allowed path, by far the common one, then needs no GET; nobody can see the
 * undone state, so a refused check changes nothing.
 *
 * A new key lives until `expiresAt + slack` by PEXPIREAT. Its name carries its `expiresAt`
 * (see redisKey), so a key is never reused past its reset instant and the script needs no
 * expiry check on the hot path. An expiry already in the past by Redis's clock (a caller's
 * clock far behind Redis's, or a test clock) is moved to Redis's now + slack rather than
 * deleting the key at once, which would restart the count on every check.
 */
export const CONSUME_SCRIPT = `
local slack = tonumber(ARGV[1])
local redisNow = nil
local out = {}
local k = 0
local a = 2
local o = 0
while a <= #ARGV do
  local n = tonumber(ARGV[a])
  local refused = -1
  for i = 1, n do
    local key = KEYS[k + i]
    local count = redis.call('INCR', key)
    if count == 1 then
      local at = tonumber(ARGV[a + 2 * i]) + slack
      if redisNow == nil then
        local t = redis.call('TIME')
        redisNow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      end
      if at <= redisNow then at = redisNow + slack end
      redis.call('PEXPIREAT', key, string.format('%d', at))
    end
    out[o + 1 + i] = count
    if count > tonumber(ARGV[a + 2 * i - 1]) then
      -- Full: undo this check's increments. A counter at 1 is deleted, as absent means zero.
      for j = 1, i do
        local c = out[o + 1 + j]
        if c == 1 then redis.call('DEL', KEYS[k + j]) else redis.call('DECR', KEYS[k + j]) end
        out[o + 1 + j] = c - 1
      end
      refused = i - 1
      for j = i + 1, n do
        out[o + 1 + j] = tonumber(redis.call('GET', KEYS[k + j]) or '0')
      end
      break
    end
  end
  out[o + 1] = refused
  o = o + 1 + n
  k = k + n
  a = a + 1 + 2 * n
end
return out
`;

/** Start of the names the script is defined under on the ioredis client, one per key count (`tollgateConsumeV2x2`). */
export const CONSUME_COMMAND = 'tollgateConsumeV2';

/**
 * Splits the script's reply into one ConsumeResult per check, given each check's number of
 * counters.
 *
 * @example
 * decodeReply([-1, 3, 17, 0, 5, 9], [2, 2]);
 * // [{ allowed: true, refusedBy: -1, counts: [3, 17] }, { allowed: false, refusedBy: 0, counts: [5, 9] }]
 */
export function decodeReply(reply: unknown, sizes: readonly number[]): ConsumeResult[] {
  const expected = sizes.reduce((sum, n) => sum + 1 + n, 0);
  if (!Array.isArray(reply) || reply.length !== expected) {
    throw new TollgateError('ERR_TOLLGATE_STORE', 'redis store: unexpected reply from the consume script');
  }
  const results: ConsumeResult[] = new Array(sizes.length);
  let o = 0;
  for (let c = 0; c < sizes.length; c++) {
    const n = sizes[c] as number;
    const refusedBy = Number(reply[o]);
    const counts = new Array<number>(n);
    for (let i = 0; i < n; i++) counts[i] = Number(reply[o + 1 + i]);
    results[c] = { allowed: refusedBy < 0, refusedBy, counts };
    o += 1 + n;
  }
  return results;
}
