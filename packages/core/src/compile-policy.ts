// Turns a validated policy into lookup tables and precompiled matchers, once, at setup.

import { CounterKeys } from './counter-keys.js';
import { createDayClock, type DayClock } from './day-window.js';
import { TollgateError } from './errors.js';
import { createIpKeyer, type IpKeyer } from './ip-key.js';
import { keySha256 } from './key-hash.js';
import { checkPolicySchema, describePath, type KeyPolicyFields, policyError } from './policy-schema.js';
import { credentialId } from './token-binding.js';
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
  /** A disabled key is refused with 403 `key_disabled`. */
  readonly disabled: boolean;
  /** Where threshold notifications go: email addresses and webhook URLs. */
  readonly notify: readonly string[];
  readonly clock: DayClock;
  /** This key's counter specs; counter keys start with its id, which the policy restricts to [A-Za-z0-9._-]. */
  readonly counters: CounterKeys;
  /** The key's current credentials by credential id: a token bound to one opens the key only while it is here. */
  readonly credentials: ReadonlyMap<string, Credential>;
}

/** One way to present a key: a credential, possibly with an end. */
export interface Credential {
  readonly key: CompiledKey;
  /** Its public id (`credentialId` of its SHA-256), which tokens issued from it carry. */
  readonly id: string;
  /** Epoch ms from which the credential no longer works; undefined for no end. */
  readonly expiresAt: number | undefined;
}

/** The whole policy, compiled. */
export interface CompiledPolicy {
  /** Hex SHA-256 of a credential → the key it opens. O(1) whatever the number of keys. */
  readonly byHash: ReadonlyMap<string, Credential>;
  readonly byId: ReadonlyMap<string, CompiledKey>;
  /** Lower-case name of the forwarding header, as Node presents incoming headers. */
  readonly sourceIpHeader: string;
  /** The header name as configured, for the echo on responses. */
  readonly sourceIpHeaderName: string;
  readonly ipKey: IpKeyer;
}

/** How a policy is compiled beyond what the policy says. */
export interface CompileOptions {
  /** Turns a normalised address into the label its counter key holds (default: the address). */
  readonly ipLabel?: ((ip: string) => string) | undefined;
}

/**
 * Validates and compiles a policy. Every problem is collected and thrown together as
 * `ERR_TOLLGATE_INVALID_POLICY`, each naming its key and field.
 *
 * @example
 * const compiled = compilePolicy({ keys: [{ id: 'web', key: 'pk_live_0123456789' }] });
 */
export function compilePolicy(input: unknown, options: CompileOptions = {}): CompiledPolicy {
  // Schema problems do not stop here: the rules below run on every field that passed, so
  // one error lists every problem of the file.
  const checked = checkPolicySchema(input);
  const issues: string[] = [...checked.issues];
  const at = (path: PropertyKey[]) => describePath(path, input);
  const clocks = new Map<string, DayClock>();
  const byHash = new Map<string, Credential>();
  const byId = new Map<string, CompiledKey>();
  const ids = new Set<string>();
  /** Who first used a credential (by its SHA-256), as a duplicate's message names it. */
  const owners = new Map<string, string>();

  checked.keys.forEach((entry, i) => {
    if (entry === undefined) return;
    const { fields: k, invalid } = entry;
    // Given, even if it failed the schema: "exactly one of" rules count what the file says.
    const given = (field: keyof KeyPolicyFields) => k[field] !== undefined || invalid.has(field);
    if (k.id !== undefined) {
      if (ids.has(k.id)) issues.push(`${at(['keys', i, 'id'])}: duplicate id "${k.id}"`);
      ids.add(k.id);
    }
    const credentials = credentialsOf(k, given, i, at, issues);
    if (given('allowedUrls') && k.ipForwarding === true) {
      issues.push(
        `${at(['keys', i, 'ipForwarding'])}: a key with allowedUrls is used from browsers, where anyone could set the forwarding header to dodge the per-IP cap; use a separate backend key`,
      );
    }

    const zone = invalid.has('timeZone') ? 'UTC' : (k.timeZone ?? 'UTC');
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

    // An entry with a bad field is only checked, not compiled: the policy is refused below.
    const ownCredentials = new Map<string, Credential>();
    const compiled: CompiledKey | undefined =
      k.id === undefined || invalid.size > 0
        ? undefined
        : {
            id: k.id,
            matchUrl,
            dailyLimit: k.dailyLimit,
            warnAt: k.dailyLimit === undefined ? undefined : Math.ceil(0.9 * k.dailyLimit),
            perIpDailyLimit: k.perIpDailyLimit,
            ipForwarding: k.ipForwarding ?? false,
            disabled: k.disabled ?? false,
            notify: Object.freeze([...(k.notify ?? [])]),
            clock: clock ?? createDayClock('UTC'),
            counters: new CounterKeys(k.id, k.perIpDailyLimit, k.dailyLimit, options.ipLabel),
            credentials: ownCredentials,
          };
    if (compiled !== undefined && !byId.has(compiled.id)) byId.set(compiled.id, compiled);
    for (const c of credentials) {
      // Never echo key material, not even a duplicated one: name the field and the other key.
      const owner = owners.get(c.sha256);
      if (owner !== undefined) {
        issues.push(`${at(c.path)}: the same key is already used by ${owner}`);
        continue;
      }
      owners.set(c.sha256, k.id !== undefined ? `"${k.id}"` : at(['keys', i]));
      if (compiled === undefined) continue;
      const credential: Credential = { key: compiled, id: credentialId(c.sha256), expiresAt: c.expiresAt };
      byHash.set(c.sha256, credential);
      ownCredentials.set(credential.id, credential);
    }
  });

  const policy = checked.policy;
  if (issues.length > 0 || policy === undefined) throw policyError(issues);

  const name = policy.sourceIpHeader ?? DEFAULT_SOURCE_IP_HEADER;
  return {
    byHash,
    byId,
    sourceIpHeader: name.toLowerCase(),
    sourceIpHeaderName: name,
    ipKey: createIpKeyer({ ipv6Prefix: policy.ipv6Prefix ?? 64 }),
  };
}

interface RawCredential {
  readonly sha256: string;
  readonly expiresAt: number | undefined;
  readonly path: PropertyKey[];
}

/** The key's credentials, whichever of `key`, `keySha256` or `credentials` the entry uses. */
function credentialsOf(
  k: KeyPolicyFields,
  given: (field: keyof KeyPolicyFields) => boolean,
  i: number,
  at: (path: PropertyKey[]) => string,
  issues: string[],
): RawCredential[] {
  const forms = (['key', 'keySha256', 'credentials'] as const).filter(given).length;
  if (forms !== 1) {
    issues.push(
      `${at(['keys', i])}: give exactly one of key, keySha256 or credentials${forms === 0 ? '' : ' (several given)'}`,
    );
    return [];
  }
  if (k.key !== undefined)
    return [{ sha256: keySha256(k.key), expiresAt: undefined, path: ['keys', i, 'key'] }];
  if (k.keySha256 !== undefined)
    return [{ sha256: k.keySha256, expiresAt: undefined, path: ['keys', i, 'keySha256'] }];
  // The one form given failed the schema (its problem is listed): nothing to compare.
  if (k.credentials === undefined) return [];
  const out: RawCredential[] = [];
  k.credentials.forEach((c, j) => {
    const path = ['keys', i, 'credentials', j];
    if ((c.key === undefined) === (c.keySha256 === undefined)) {
      issues.push(`${at(path)}: give exactly one of key or keySha256`);
      return;
    }
    const sha256 = c.key !== undefined ? keySha256(c.key) : (c.keySha256 as string);
    out.push({ sha256, expiresAt: c.expiresAt === undefined ? undefined : Date.parse(c.expiresAt), path });
  });
  return out;
}

function messageOf(e: unknown): string {
  if (e instanceof TollgateError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
