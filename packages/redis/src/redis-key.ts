// Redis key names: the store prefix, the counter's scope as a Cluster hash tag, then the counter.

import type { CounterSpec } from '@tollgate/core';

/**
 * The Redis key of a counter: `${prefix}{${scope}}${rest}`. Redis Cluster hashes only the text
 * between the first `{` and the next `}`, so every counter of one check (they share a scope)
 * lands in one slot, as a Lua script requires, while different keys and days spread over
 * the shards.
 *
 * `rest` is what follows the scope in the counter key (`:daily`, `:ip:203.0.113.7`), so the
 * engine's keys read `tollgate:{shop-web:2026-11-23}:daily@mwtxhc00`. A counter key that does
 * not start with `${scope}:` is kept whole after a `#`; as the first character of `rest` tells
 * the two forms apart, no two counters share a Redis key.
 *
 * The name ends with the counter's reset instant (`@` and base-36 epoch ms). A counter's key
 * names its day, so in practice this never changes; but it means a key is never reused past its
 * reset instant (same counter, new `expiresAt`: a new key), so the script needs no expiry check.
 *
 * @example
 * redisKey('tollgate:', { key: 'shop-web:2026-11-23:daily', scope: 'shop-web:2026-11-23', limit: 10, expiresAt });
 * // 'tollgate:{shop-web:2026-11-23}:daily@mwtxhc00'
 */
export function redisKey(prefix: string, spec: CounterSpec): string {
  const { key, scope } = spec;
  const rest =
    key.startsWith(scope) && (key.length === scope.length || key.charCodeAt(scope.length) === COLON)
      ? key.slice(scope.length)
      : `#${key}`;
  return `${prefix}{${hashTag(scope)}}${rest}@${Math.ceil(spec.expiresAt).toString(36)}`;
}

const COLON = 58;

/**
 * The scope as it may stand between braces. Policy ids and days never contain `{`, `}` or
 * `%`, so this is the scope itself; other scopes are percent-encoded, which keeps them
 * distinct and brace-free. An empty scope becomes a lone `%` (which encoding never
 * produces), because Redis hashes the whole key when the braces are empty.
 */
export function hashTag(scope: string): string {
  if (scope === '') return '%';
  if (!/[%{}]/.test(scope)) return scope;
  return scope.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A glob pattern for SCAN MATCH that matches exactly the keys starting with `prefix`.
 *
 * @example
 * keyPattern('app*1:'); // 'app\\*1:*'
 */
export function keyPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
}
