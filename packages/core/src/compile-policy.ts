// Turns a validated policy into lookup tables and precompiled matchers, once, at setup.

import { CounterKeys } from './counter-keys.js';
import { createDayClock, type DayClock } from './day-window.js';
import { TollgateError } from './errors.js';
import { createIpKeyer, type IpKeyer } from './ip-key.js';
import { describePath, parsePolicySchema, policyError } from './policy-schema.js';
import { cachedMatcher } from './url-match-cache.js';
import { compileUrlPatterns, type UrlMatcher } from './url-pattern.js';

/** Header the end user's IP is forwarded in when a policy does not name one. */
export const DEFAULT_SOURCE_IP_HEADER = 'X-Source-IP';

/** One key, ready for the hot path. */
export interface CompiledKey {
  readonly id: string;
  /** Undefined when the key has no whitelist (any origin is fine). */
  readonly matchUrl: UrlMatcher | undefined;
  readonly dailyLimit: number | undefined;
  /** `ceil(0.9 × dailyLimit)`: the count at which the 90% event fires. */
  readonly warnAt: number | undefined;
  readonly perIpDailyLimit: number | undefined;
  readonly ipForwarding: boolean;
  readonly clock: DayClock;
  /** This key's counter specs; counter keys start with its id, which the policy restricts to [A-Za-z0-9._-]. */
  readonly counters: CounterKeys;
}

/** The whole policy, compiled. */
export interface CompiledPolicy {
  /** Raw key → compiled key. A Map lookup is O(1) whatever the number of keys. */
  readonly byKey: ReadonlyMap<string, CompiledKey>;
  readonly byId: ReadonlyMap<string, CompiledKey>;
  /** Lower-case name of the forwarding header, as Node presents incoming headers. */
  readonly sourceIpHeader: string;
  /** The header name as configured, for the echo on responses. */
  readonly sourceIpHeaderName: string;
  readonly ipKey: IpKeyer;
}

/**
 * Validates and compiles a policy. Every problem is collected and thrown together as
 * `ERR_TOLLGATE_INVALID_POLICY`, each naming its key and field.
 *
 * @example
 * const compiled = compilePolicy({ keys: [{ id: 'web', key: 'pk_live_0123456789' }] });
 */
export function compilePolicy(input: unknown): CompiledPolicy {
  const policy = parsePolicySchema(input);
  const issues: string[] = [];
  const at = (path: PropertyKey[]) => describePath(path, input);
  const clocks = new Map<string, DayClock>();
  const byKey = new Map<string, CompiledKey>();
  const byId = new Map<string, CompiledKey>();

  policy.keys.forEach((k, i) => {
    if (byId.has(k.id)) issues.push(`${at(['keys', i, 'id'])}: duplicate id "${k.id}"`);
    // Never echo key material, not even a duplicated one.
    if (byKey.has(k.key))
      issues.push(`${at(['keys', i, 'key'])}: the same key is already used by "${byKey.get(k.key)?.id}"`);
    if (k.allowedUrls !== undefined && k.ipForwarding === true) {
      issues.push(
        `${at(['keys', i, 'ipForwarding'])}: a key with allowedUrls is used from browsers, where anyone could set the forwarding header to dodge the per-IP cap; use a separate backend key`,
      );
    }

    const zone = k.timeZone ?? 'UTC';
    let clock = clocks.get(zone);
    if (clock === undefined) {
      try {
        clock = createDayClock(zone);
        clocks.set(zone, clock);
      } catch (e) {
        issues.push(`${at(['keys', i, 'timeZone'])}: ${messageOf(e)}`);
      }
    }

    let matchUrl: UrlMatcher | undefined;
    if (k.allowedUrls !== undefined) {
      k.allowedUrls.forEach((pattern, j) => {
        try {
          compileUrlPatterns([pattern]);
        } catch (e) {
          issues.push(`${at(['keys', i, 'allowedUrls', j])}: ${messageOf(e)}`);
        }
      });
      if (k.allowedUrls.length === 0) {
        issues.push(
          `${at(['keys', i, 'allowedUrls'])}: an empty whitelist would refuse every request; omit it to allow any origin`,
        );
      } else {
        try {
          matchUrl = cachedMatcher(compileUrlPatterns(k.allowedUrls));
        } catch {
          // Already reported pattern by pattern above.
        }
      }
    }

    const compiled: CompiledKey = {
      id: k.id,
      matchUrl,
      dailyLimit: k.dailyLimit,
      warnAt: k.dailyLimit === undefined ? undefined : Math.ceil(0.9 * k.dailyLimit),
      perIpDailyLimit: k.perIpDailyLimit,
      ipForwarding: k.ipForwarding ?? false,
      clock: clock ?? createDayClock('UTC'),
      counters: new CounterKeys(k.id, k.perIpDailyLimit, k.dailyLimit),
    };
    if (!byId.has(k.id)) byId.set(k.id, compiled);
    if (!byKey.has(k.key)) byKey.set(k.key, compiled);
  });

  if (issues.length > 0) throw policyError(issues);

  const name = policy.sourceIpHeader ?? DEFAULT_SOURCE_IP_HEADER;
  return {
    byKey,
    byId,
    sourceIpHeader: name.toLowerCase(),
    sourceIpHeaderName: name,
    ipKey: createIpKeyer({ ipv6Prefix: policy.ipv6Prefix ?? 64 }),
  };
}

function messageOf(e: unknown): string {
  if (e instanceof TollgateError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
