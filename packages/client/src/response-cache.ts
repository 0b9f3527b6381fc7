// The GET response cache: an LRU of AES-256-GCM ciphertexts under keys held only by this client.

import { LRUCache } from 'lru-cache';
import { concat, readCapped } from './body.js';
import { freshnessMs, varyNames } from './cache-control.js';

// A heap dump, or a cache backend shared with other code, sees only ciphertext and keyed hashes:
// the lookup key is an HMAC of the URL (so URLs, which may hold personal data, are not readable
// either) and the AES key is a non-extractable CryptoKey created per cache. Each entry's own
// lookup key is its additional authenticated data, so entries cannot be swapped between URLs.

export interface ResponseCacheConfig {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  readonly now: () => number;
}

/** A response read back from the cache, and how old it is. */
export interface CachedResponse {
  readonly response: Response;
  readonly ageMs: number;
}

export interface ResponseCache {
  /** A fresh stored response for a GET of `url` whose `Vary` headers match `headers`. */
  get(url: URL, headers: Headers): Promise<CachedResponse | undefined>;
  /**
   * Stores `res` (a 200 to a GET of `url`) if its `Cache-Control` allows, reading a clone so the
   * caller keeps the original body. Resolves once the entry is stored or refused.
   */
  put(url: URL, headers: Headers, res: Response): Promise<void>;
  /** The encrypted entries, for tests that check nothing is stored in the clear. */
  readonly entries: LRUCache<string, Uint8Array>;
}

interface Plain {
  /** Status, status text, URL. */
  s: number;
  t: string;
  u: string;
  /** Response headers. */
  h: [string, string][];
  /** The Vary'd request headers' values when stored. */
  v: [string, string | null][];
  /** Stored at, and fresh until (client clock). */
  at: number;
  until: number;
}

const IV_BYTES = 12;

/** An encrypted LRU response cache. */
export function createResponseCache(config: ResponseCacheConfig): ResponseCache {
  const subtle = globalThis.crypto.subtle;
  const entries = new LRUCache<string, Uint8Array>({
    max: config.maxEntries,
    maxSize: config.maxBytes,
    maxEntrySize: config.maxEntryBytes + 1024,
    sizeCalculation: (v) => v.byteLength,
    perf: { now: config.now },
  });
  const keys = (async () => ({
    aes: await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    hmac: await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
  }))();

  const lookupKey = async (url: URL): Promise<string> => {
    const mac = await subtle.sign('HMAC', (await keys).hmac, new TextEncoder().encode(`GET ${url.href}`));
    return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, '0')).join('');
  };

  return {
    entries,

    async get(url, headers) {
      const key = await lookupKey(url);
      const stored = entries.get(key);
      if (stored === undefined) return undefined;
      let plain: Uint8Array;
      try {
        plain = new Uint8Array(
          await subtle.decrypt(
            {
              name: 'AES-GCM',
              iv: stored.subarray(0, IV_BYTES),
              additionalData: new TextEncoder().encode(key),
            },
            (await keys).aes,
            stored.subarray(IV_BYTES),
          ),
        );
      } catch {
        entries.delete(key); // Tampered with, or not ours: a miss.
        return undefined;
      }
      const metaLength = new DataView(plain.buffer, plain.byteOffset).getUint32(0);
      const meta = JSON.parse(new TextDecoder().decode(plain.subarray(4, 4 + metaLength))) as Plain;
      if (config.now() >= meta.until || meta.v.some(([name, value]) => headers.get(name) !== value)) {
        return undefined;
      }
      const ageMs = Math.max(0, config.now() - meta.at);
      const h = new Headers(meta.h);
      h.set('age', String(Math.floor(ageMs / 1000)));
      const response = new Response(plain.slice(4 + metaLength), {
        status: meta.s,
        statusText: meta.t,
        headers: h,
      });
      // A constructed Response has an empty url; give back the one the original had.
      Object.defineProperty(response, 'url', { value: meta.u });
      return { response, ageMs };
    },

    async put(url, headers, res) {
      const ttl = freshnessMs(
        res.headers.get('cache-control'),
        res.headers.get('age'),
        res.headers.get('vary'),
      );
      if (ttl <= 0 || res.body === null) return;
      const declared = Number(res.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > config.maxEntryBytes) return;
      const body = await readCapped(res.clone(), config.maxEntryBytes);
      if (body === undefined) return;

      const meta: Plain = {
        s: res.status,
        t: res.statusText,
        u: res.url,
        // A cookie is for the response that set it, not for every later read of the cache.
        h: [...res.headers].filter(([name]) => name !== 'set-cookie'),
        v: varyNames(res.headers.get('vary')).map((name) => [name, headers.get(name)]),
        at: config.now(),
        until: config.now() + ttl,
      };
      const metaBytes = new TextEncoder().encode(JSON.stringify(meta));
      const plain = new Uint8Array(4 + metaBytes.byteLength + body.byteLength);
      new DataView(plain.buffer).setUint32(0, metaBytes.byteLength);
      plain.set(metaBytes, 4);
      plain.set(body, 4 + metaBytes.byteLength);

      const key = await lookupKey(url);
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = new Uint8Array(
        await subtle.encrypt(
          { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(key) },
          (await keys).aes,
          plain,
        ),
      );
      plain.fill(0);
      entries.set(key, concat([iv, sealed], IV_BYTES + sealed.byteLength), { ttl });
    },
  };
}
