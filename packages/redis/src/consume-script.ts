// The Lua script behind every check: test all counters, then increment all or none, in one round trip.

import { type ConsumeResult, TollgateError } from '@tollgate/core';

/**
 * KEYS: the counters' Redis keys. ARGV: `now` (the caller's clock, epoch ms), the expiry slack
 * (ms), then each counter's `limit` and `expiresAt`. Returns `{refusedBy, count1, count2, ...}`
 * with `refusedBy` 0-based, or -1 when every counter had room and was incremented.
 *
 * Redis runs a script alone, so test-and-increment is atomic across every process that shares
 * the server: each count value is handed out once, which is what makes caps and threshold
 * events exact. The script increments first and undoes its increments when a counter turns out
 * to be full, because the allowed path, by far the common one, then needs no GET: nobody can
 * see the undone state, so a refused call changes nothing.
 *
 * A key lives until `expiresAt + slack` (PEXPIREAT, so the value is stored exactly as the
 * caller's clock gave it) and counts as gone from `expiresAt` on: `PEXPIRETIME - slack` is
 * compared with the caller's `now`, as the memory store does. The slack keeps a key in place
 * for app servers whose clocks run behind Redis's. An expiry already in the past by Redis's
 * clock (a test clock set in the past) is moved to Redis's now + slack rather than deleting
 * the key at once, which would restart the count on every check.
 *
 * Needs Redis 7.0 or later (PEXPIRETIME).
 */
export const CONSUME_SCRIPT = `
local now = tonumber(ARGV[1])
local slack = tonumber(ARGV[2])
local n = #KEYS
local out = {-1}
local redisNow = nil

local function expire(i)
  local at = tonumber(ARGV[2 + 2 * i]) + slack
  if redisNow == nil then
    local t = redis.call('TIME')
    redisNow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  if at <= redisNow then at = redisNow + slack end
  redis.call('PEXPIREAT', KEYS[i], string.format('%d', at))
end

local function stale(key)
  local at = redis.call('PEXPIRETIME', key)
  return at >= 0 and at - slack <= now
end

for i = 1, n do
  local key = KEYS[i]
  local count = redis.call('INCR', key)
  if count == 1 then
    expire(i)
  elseif stale(key) then
    redis.call('SET', key, 1)
    expire(i)
    count = 1
  end
  out[i + 1] = count
  if count > tonumber(ARGV[1 + 2 * i]) then
    -- Full: undo this call's increments. A counter at 1 is deleted, as absent means zero.
    for j = 1, i do
      if out[j + 1] == 1 then redis.call('DEL', KEYS[j]) else redis.call('DECR', KEYS[j]) end
      out[j + 1] = out[j + 1] - 1
    end
    out[1] = i - 1
    for j = i + 1, n do
      local c = tonumber(redis.call('GET', KEYS[j]) or '0')
      if c > 0 and stale(KEYS[j]) then c = 0 end
      out[j + 1] = c
    end
    return out
  end
end
return out
`;

/** Start of the names the script is defined under on the ioredis client, one per counter count (`tollgateConsumeV1x2`). */
export const CONSUME_COMMAND = 'tollgateConsumeV1';

/**
 * Turns the script's reply into a ConsumeResult.
 *
 * @example
 * decodeReply([-1, 3, 17]); // { allowed: true, refusedBy: -1, counts: [3, 17] }
 */
export function decodeReply(reply: unknown): ConsumeResult {
  if (!Array.isArray(reply) || reply.length === 0) {
    throw new TollgateError('ERR_TOLLGATE_STORE', 'redis store: unexpected reply from the consume script');
  }
  const refusedBy = Number(reply[0]);
  const counts = new Array<number>(reply.length - 1);
  for (let i = 1; i < reply.length; i++) counts[i - 1] = Number(reply[i]);
  return { allowed: refusedBy < 0, refusedBy, counts };
}
