// The Lua script behind every check: test all counters, then increment all or none, in one round trip.

import { type ConsumeResult, type CounterSpec, TollgateError } from '@tollgate/core';
import { redisKey } from './redis-key.js';

/**
 * Runs a batch of checks, one after the other, in one call. KEYS: every check's counter keys in
 * order. ARGV: the expiry slack (ms), then per check its deadline (epoch ms by Redis's clock),
 * its number of counters `n`, and each counter's `limit` and `expiresAt`. Returns Redis's time
 * (epoch ms) when it ran the batch, then per check either `-2` alone (skipped: it arrived after
 * its deadline) or `refusedBy` (0-based, or -1 when every counter had room and was
 * incremented) followed by its `n` counts.
 *
 * Redis runs a script alone, so each check's test-and-increment is atomic across every process
 * that shares the server: each count value is handed out once, which is what makes caps and
 * threshold events exact. Batching changes nothing there: the checks run in order, as if sent
 * one by one, but Redis parses and dispatches one command instead of one per check, which is
 * most of its cost per check.
 *
 * A check whose deadline has passed by Redis's clock is skipped and changes nothing: its caller
 * has given up on it (answered it by `failureMode`), so counting it would charge a request
 * that was refused, or counted elsewhere. This is what a frozen or overloaded Redis does to the
 * checks queued up meanwhile once it runs again. Each check carries its own deadline, so a
 * batch may hold checks made at different times.
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
local t = redis.call('TIME')
local redisNow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = { redisNow }
local k = 0
local a = 2
local o = 1
while a <= #ARGV do
  local n = tonumber(ARGV[a + 1])
  if redisNow > tonumber(ARGV[a]) then
    out[o + 1] = -2
    o = o + 1
  else
    local refused = -1
    for i = 1, n do
      local key = KEYS[k + i]
      local count = redis.call('INCR', key)
      if count == 1 then
        local at = tonumber(ARGV[a + 1 + 2 * i]) + slack
        if at <= redisNow then at = redisNow + slack end
        redis.call('PEXPIREAT', key, string.format('%d', at))
      end
      out[o + 1 + i] = count
      if count > tonumber(ARGV[a + 2 * i]) then
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
  end
  k = k + n
  a = a + 2 + 2 * n
end
return out
`;

/**
 * Start of the names the script is defined under on the ioredis client, one per key count
 * (`tollgateConsumeV3x2`). The version changes with the script's arguments or reply.
 */
export const CONSUME_COMMAND = 'tollgateConsumeV3';

/** The status of a skipped check in the script's reply. */
const SKIPPED = -2;

/**
 * How long before its caller gives up (`timeoutMs` after the check was made) Redis must have run a
 * check, in ms: a fifth of `timeoutMs`, at least 1. It covers the answer's way back and the error
 * of the store's reading of Redis's clock (see RedisClock), so that a check Redis counted is
 * one its caller gets the answer of; a check that reaches Redis within the margin is skipped,
 * and fails as a late one would.
 *
 * @example
 * skipMarginMs(50); // 10: a check reaching Redis over 40 ms after it was made is skipped
 */
export function skipMarginMs(timeoutMs: number): number {
  return Math.max(1, Math.ceil(timeoutMs / 5));
}

/** One check as the script takes it: its counters and its deadline by Redis's clock (epoch ms). */
export interface ScriptCheck {
  readonly specs: readonly CounterSpec[];
  readonly deadline: number;
}

/** A batch as KEYS and ARGV for the script, and each check's number of counters. */
export interface ScriptCall {
  readonly keys: string[];
  readonly argv: string[];
  readonly sizes: number[];
}

/**
 * The script's KEYS and ARGV for a batch of checks.
 *
 * @example
 * encodeBatch('tollgate:', 60_000, [{ specs, deadline: 1_795_000_000_040 }]);
 * // { keys: ['tollgate:{shop:2026-11-23}:daily@…'], argv: ['60000', '1795000000040', '1', '1000', '…'], sizes: [1] }
 */
export function encodeBatch(prefix: string, slackMs: number, checks: readonly ScriptCheck[]): ScriptCall {
  const keys: string[] = [];
  const argv: string[] = [String(slackMs)];
  const sizes: number[] = new Array(checks.length);
  for (let c = 0; c < checks.length; c++) {
    const { specs, deadline } = checks[c] as ScriptCheck;
    sizes[c] = specs.length;
    // Whole ms, rounded down: a deadline a fraction early only skips a check that was nearly late.
    argv.push(String(Math.floor(deadline)), String(specs.length));
    for (const spec of specs) {
      keys.push(redisKey(prefix, spec));
      argv.push(String(spec.limit), String(Math.ceil(spec.expiresAt)));
    }
  }
  return { keys, argv, sizes };
}

/** The script's reply: Redis's time when it ran, and per check its result, or `null` when skipped. */
export interface DecodedReply {
  readonly redisNow: number;
  readonly results: (ConsumeResult | null)[];
}

/**
 * Splits the script's reply into one result per check, given each check's number of counters;
 * a skipped check is `null` (it changed nothing).
 *
 * @example
 * decodeReply([1795000000000, -1, 3, 17, -2], [2, 2]);
 * // { redisNow: 1795000000000, results: [{ allowed: true, refusedBy: -1, counts: [3, 17] }, null] }
 */
export function decodeReply(reply: unknown, sizes: readonly number[]): DecodedReply {
  const bad = () =>
    new TollgateError('ERR_TOLLGATE_STORE', 'redis store: unexpected reply from the consume script');
  if (!Array.isArray(reply) || reply.length < 1 + sizes.length) throw bad();
  const redisNow = Number(reply[0]);
  const results: (ConsumeResult | null)[] = new Array(sizes.length);
  let o = 1;
  for (let c = 0; c < sizes.length; c++) {
    const n = sizes[c] as number;
    const status = Number(reply[o]);
    if (status === SKIPPED) {
      results[c] = null;
      o += 1;
      continue;
    }
    if (!Number.isInteger(status) || status < -1 || status >= n || o + n >= reply.length) throw bad();
    const counts = new Array<number>(n);
    for (let i = 0; i < n; i++) counts[i] = Number(reply[o + 1 + i]);
    results[c] = { allowed: status < 0, refusedBy: status, counts };
    o += 1 + n;
  }
  if (o !== reply.length || !Number.isFinite(redisNow)) throw bad();
  return { redisNow, results };
}
