// Public engine options and their one parser: defaults filled in, unknown keys refused.

import type { ActivityMonitorOptions } from './activity-monitor.js';
import { TollgateError } from './errors.js';
import type { FailureMode, TollgateEvent } from './events.js';
import type { KeySource } from './key-source.js';
import { createMemoryStore } from './memory-store.js';
import type { MeterLike } from './meter.js';
import type { Policy } from './policy-schema.js';
import type { Store } from './store.js';
import type { TokenOptions } from './token-verifier.js';

/**
 * Options of `createEngine` (and of every framework adapter).
 *
 * @example
 * createEngine({ policy, onEvent: (e) => log.info(e) });
 */
export interface EngineOptions {
  /** The policy: the policy file's object form. Required (it may list no keys when `keySource` has them). */
  policy: Policy;
  /** Where counters live. Default: a new in-memory store (`createMemoryStore()`), for one process. */
  store?: Store | undefined;
  /** The clock, in epoch milliseconds. Default: `Date.now`. */
  now?: (() => number) | undefined;
  /**
   * Receives every event (auth failures, refusals, threshold crossings, store faults, reloads,
   * unusual activity). Called synchronously; an exception it throws is reported as a process
   * warning and does not affect the request. Default: no handler.
   */
  onEvent?: ((event: TollgateEvent) => void) | undefined;
  /**
   * What a check does when the store fails (throws, rejects, times out), always with a
   * `store_error` event: `'fail-closed'` refuses with 503 `store_unavailable`; `'fail-open'`
   * allows the request uncounted; `'fallback'` counts it in a local memory store until the
   * store answers again (caps then hold per process, not across processes).
   * Default: `'fail-closed'`.
   */
  failureMode?: FailureMode | undefined;
  /**
   * Refuse plain-HTTP requests with 403 `https_required`. The adapters tell from the
   * framework's own idea of the protocol, so its trust-proxy setting decides whether
   * `X-Forwarded-Proto` is believed. Default: on when `NODE_ENV` is `production`.
   */
  requireHttps?: boolean | undefined;
  /**
   * Accept `Authorization: Bearer <JWT>` naming a key (by `sub`, or `keyClaim`), verified with
   * these settings. Without it the Authorization header is left to the app.
   */
  tokens?: TokenOptions | undefined;
  /**
   * A secret (at least 32 characters) to store per-IP counters under an HMAC of the address
   * instead of the address itself. Use it with shared stores (Redis): every process must use
   * the same secret. Default: addresses are stored as they are.
   */
  ipHashSecret?: string | undefined;
  /** Put the client address in events (`ip`). It is personal data; default: `false`. */
  eventIps?: boolean | undefined;
  /** An OpenTelemetry `Meter`: decision counters and a check-latency histogram are recorded on it. */
  meter?: MeterLike | undefined;
  /** Emit `unusual_activity` when one key's refusals or auth failures in a minute exceed these. */
  unusualActivity?: ActivityMonitorOptions | undefined;
  /** Where keys not in `policy` are looked up (a database, an admin service), cached for `keySourceTtlMs`. */
  keySource?: KeySource | undefined;
  /** How long a key from `keySource` (or its absence) is remembered. Default: 60 000 ms. */
  keySourceTtlMs?: number | undefined;
}

/** EngineOptions with every default applied. */
export interface EngineConfig {
  readonly policy: unknown;
  readonly store: Store;
  readonly now: () => number;
  readonly onEvent: ((event: TollgateEvent) => void) | undefined;
  readonly failureMode: FailureMode;
  readonly requireHttps: boolean;
  readonly tokens: unknown;
  readonly ipHashSecret: string | undefined;
  readonly eventIps: boolean;
  readonly meter: MeterLike | undefined;
  readonly unusualActivity: unknown;
  readonly keySource: KeySource | undefined;
  readonly keySourceTtlMs: number;
}

const KNOWN = new Set([
  'policy',
  'store',
  'now',
  'onEvent',
  'failureMode',
  'requireHttps',
  'tokens',
  'ipHashSecret',
  'eventIps',
  'meter',
  'unusualActivity',
  'keySource',
  'keySourceTtlMs',
]);
const FAILURE_MODES: readonly FailureMode[] = ['fail-closed', 'fail-open', 'fallback'];

/** Validates options and fills in defaults. Throws `ERR_TOLLGATE_INVALID_OPTIONS` naming the option. */
export function parseOptions(options: unknown): EngineConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid('options: expected an object with at least `policy`');
  }
  const o = options as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    if (!KNOWN.has(name)) throw invalid(`options.${name}: unknown option`);
  }
  if (o.policy === undefined) throw invalid('options.policy: is required');
  const store = o.store;
  if (store !== undefined && (store === null || typeof (store as Store).consume !== 'function')) {
    throw invalid('options.store: expected a store with a consume() method');
  }
  if (o.now !== undefined && typeof o.now !== 'function') throw invalid('options.now: expected a function');
  if (o.onEvent !== undefined && typeof o.onEvent !== 'function')
    throw invalid('options.onEvent: expected a function');
  const failureMode = o.failureMode ?? 'fail-closed';
  if (!FAILURE_MODES.includes(failureMode as FailureMode)) {
    throw invalid(`options.failureMode: expected one of ${FAILURE_MODES.map((m) => `"${m}"`).join(', ')}`);
  }
  for (const name of ['requireHttps', 'eventIps'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean')
      throw invalid(`options.${name}: expected true or false`);
  }
  const secret = o.ipHashSecret;
  if (secret !== undefined && (typeof secret !== 'string' || secret.length < 32)) {
    throw invalid('options.ipHashSecret: expected a string of at least 32 characters');
  }
  const meter = o.meter as { createCounter?: unknown; createHistogram?: unknown } | undefined;
  if (
    meter !== undefined &&
    (typeof meter?.createCounter !== 'function' || typeof meter.createHistogram !== 'function')
  ) {
    throw invalid('options.meter: expected an OpenTelemetry Meter (metrics.getMeter(...))');
  }
  const source = o.keySource as KeySource | undefined;
  if (source !== undefined && (source === null || typeof source.byHash !== 'function')) {
    throw invalid('options.keySource: expected an object with a byHash(sha256) method');
  }
  const ttl = o.keySourceTtlMs ?? 60_000;
  if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 1) {
    throw invalid('options.keySourceTtlMs: expected a positive whole number of milliseconds');
  }
  return {
    policy: o.policy,
    failureMode: failureMode as FailureMode,
    store: (store as Store | undefined) ?? createMemoryStore(),
    now: (o.now as (() => number) | undefined) ?? Date.now,
    onEvent: o.onEvent as ((event: TollgateEvent) => void) | undefined,
    requireHttps:
      (o.requireHttps as boolean | undefined) ?? globalThis.process?.env?.NODE_ENV === 'production',
    tokens: o.tokens,
    ipHashSecret: secret as string | undefined,
    eventIps: (o.eventIps as boolean | undefined) ?? false,
    meter: o.meter as MeterLike | undefined,
    unusualActivity: o.unusualActivity,
    keySource: source,
    keySourceTtlMs: ttl,
  };
}

function invalid(message: string): TollgateError {
  return new TollgateError('ERR_TOLLGATE_INVALID_OPTIONS', message);
}
