// Keys that live outside the policy file (a database, an admin service), looked up on demand and cached.

import { LRUCache } from 'lru-cache';
import type { CompiledKey, CompiledPolicy, Credential } from './compile-policy.js';
import type { KeyPolicy } from './policy-schema.js';

/**
 * Where keys not listed in the policy are found. `byHash` receives the hex SHA-256 of the
 * presented key, never the key itself, so the source can store hashes only. `byId` is needed
 * only for bearer tokens, which name their key by id. Return `undefined` for "no such key".
 * Each answer, found or not, is cached for `keySourceTtlMs`; a thrown error is not cached and
 * refuses the request with 503 `policy_unavailable`.
 *
 * @example
 * const keySource: KeySource = {
 *   byHash: async (sha256) => db.oneOrNone('select policy from api_keys where sha256 = $1', [sha256]),
 * };
 */
export interface KeySource {
  byHash(sha256: string): KeyPolicy | undefined | Promise<KeyPolicy | undefined>;
  byId?(id: string): KeyPolicy | undefined | Promise<KeyPolicy | undefined>;
}

/** The source behind a cache: concurrent lookups of one key share one call. */
export interface SourceResolver {
  byHash(sha256: string): Promise<Credential | undefined>;
  byId(id: string): Promise<CompiledKey | undefined>;
  /** A key the source returned recently, by id (for notification targets). */
  cachedById(id: string): CompiledKey | undefined;
  clear(): void;
}

const NONE = Symbol('none');

/**
 * Builds the cached resolver. `compile` turns one source entry into a one-key compiled policy
 * (validated like the policy file; a bad entry throws, which refuses like a source fault).
 */
export function createSourceResolver(
  source: KeySource,
  ttlMs: number,
  compile: (entry: KeyPolicy) => CompiledPolicy,
): SourceResolver {
  const hashes = new LRUCache<string, Credential | typeof NONE>({ max: 10_000, ttl: ttlMs });
  const ids = new LRUCache<string, CompiledKey | typeof NONE>({ max: 10_000, ttl: ttlMs });
  const pending = new Map<string, Promise<unknown>>();

  // One call per key at a time: a burst of requests with a new key asks the source once.
  const once = <T>(slot: string, load: () => Promise<T>): Promise<T> => {
    const running = pending.get(slot) as Promise<T> | undefined;
    if (running !== undefined) return running;
    const p = load().finally(() => pending.delete(slot));
    pending.set(slot, p);
    return p;
  };

  const remember = (compiled: CompiledPolicy): void => {
    for (const [hash, credential] of compiled.byHash) hashes.set(hash, credential);
    for (const [id, key] of compiled.byId) ids.set(id, key);
  };

  return {
    async byHash(sha256) {
      const hit = hashes.get(sha256);
      if (hit !== undefined) return hit === NONE ? undefined : hit;
      return once(`h:${sha256}`, async () => {
        const entry = await source.byHash(sha256);
        if (entry === undefined || entry === null) {
          hashes.set(sha256, NONE);
          return undefined;
        }
        const compiled = compile(entry);
        remember(compiled);
        // A source that answers with another key's entry must not open this one.
        const credential = compiled.byHash.get(sha256);
        if (credential === undefined) hashes.set(sha256, NONE);
        return credential;
      });
    },
    async byId(id) {
      const hit = ids.get(id);
      if (hit !== undefined) return hit === NONE ? undefined : hit;
      if (source.byId === undefined) return undefined;
      const lookup = source.byId.bind(source);
      return once(`i:${id}`, async () => {
        const entry = await lookup(id);
        if (entry === undefined || entry === null) {
          ids.set(id, NONE);
          return undefined;
        }
        const compiled = compile(entry);
        remember(compiled);
        const key = compiled.byId.get(id);
        if (key === undefined) ids.set(id, NONE);
        return key;
      });
    },
    cachedById(id) {
      const hit = ids.get(id);
      return hit === undefined || hit === NONE ? undefined : hit;
    },
    clear() {
      hashes.clear();
      ids.clear();
    },
  };
}
