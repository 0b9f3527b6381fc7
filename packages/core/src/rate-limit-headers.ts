// IETF RateLimit / RateLimit-Policy header values (draft-ietf-httpapi-ratelimit-headers-08) and Retry-After.

import type { LimitState } from './decision.js';

/**
 * `RateLimit-Policy` and `RateLimit` values for the given limits, in the draft-8 structured-field
 * form express-rate-limit's `draft-8` mode also sends: one list item per policy.
 *
 * @example
 * rateLimitHeaders([{ name: 'daily', limit: 1000, used: 1, remaining: 999, resetAt, windowSeconds: 86400 }], now)
 * // { 'RateLimit-Policy': '"daily";q=1000;w=86400', RateLimit: '"daily";r=999;t=3600' }
 */
export function rateLimitHeaders(
  limits: readonly LimitState[],
  now: number,
  policy: string = rateLimitPolicy(limits),
): Record<string, string> {
  let current = '';
  for (const l of limits) {
    current += `${current === '' ? '' : ', '}"${l.name}";r=${l.remaining};t=${secondsUntil(l.resetAt, now)}`;
  }
  return policy === '' ? {} : { 'RateLimit-Policy': policy, RateLimit: current };
}

/** The `RateLimit-Policy` value alone: it changes only with the day, so callers may compute it once per day. */
export function rateLimitPolicy(
  limits: readonly Pick<LimitState, 'name' | 'limit' | 'windowSeconds'>[],
): string {
  let policy = '';
  for (const l of limits)
    policy += `${policy === '' ? '' : ', '}"${l.name}";q=${l.limit};w=${l.windowSeconds}`;
  return policy;
}

/** Whole seconds from `now` to `at`, rounded up and at least 1 (a client must wait, not retry at once). */
export function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}
