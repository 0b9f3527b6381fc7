// Public engine options, read once by the option reader: defaults filled in, unknown keys refused.

import {
  ACTIVITY_OPTION_KEYS,
  type ActivityMonitor,
  type ActivityMonitorOptions,
  activityMonitorWith,
} from './activity-monitor.js';
import type { FailureMode, TollgateEvent } from './events.js';
import type { KeySource } from './key-source.js';
import { createMemoryStore } from './memory-store.js';
import type { MeterLike } from './meter.js';
import { type KnownOptions, readOptions } from './option-reader.js';
import type { Policy } from './policy-schema.js';
import type { Store } from './store.js';
import {
  readTokenOptions,
  TOKEN_OPTION_KEYS,
  TOKEN_OPTIONS_EXPECTED,
  type TokenOptions,
} from './token-options.js';
import { type TokenVerifier, tokenVerifierWith } from './token-verifier.js';

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

/** EngineOptions with every default applied, and the verifier and monitor they configure. */
export interface EngineConfig {
  readonly policy: unknown;
  readonly store: Store;
  readonly now: () => number;
  readonly onEvent: ((event: TollgateEvent) => void) | undefined;
  readonly failureMode: FailureMode;
  readonly requireHttps: boolean;
  /** Built from `options.tokens`. */
  readonly tokens: TokenVerifier | undefined;
  readonly ipHashSecret: string | undefined;
  readonly eventIps: boolean;
  readonly meter: MeterLike | undefined;
  /** Built from `options.unusualActivity`. */
  readonly unusualActivity: ActivityMonitor | undefined;
  readonly keySource: KeySource | undefined;
  readonly keySourceTtlMs: number;
}

/** Every field of {@link EngineOptions}; the compiler keeps the list in step with the type. */
export const ENGINE_OPTION_KEYS = {
  policy: true,
  store: true,
  now: true,
  onEvent: true,
  failureMode: true,
  requireHttps: true,
  tokens: true,
  ipHashSecret: true,
  eventIps: true,
  meter: true,
  unusualActivity: true,
  keySource: true,
  keySourceTtlMs: true,
} as const satisfies KnownOptions<keyof EngineOptions>;

const FAILURE_MODES: readonly FailureMode[] = ['fail-closed', 'fail-open', 'fallback'];

/**
 * Validates options and fills in defaults. Throws `ERR_TOLLGATE_INVALID_OPTIONS` naming
 * `factory` (what the options were given to: `createEngine`, or an adapter's `tollgate`) and
 * the option.
 */
export function parseOptions(options: unknown, factory = 'createEngine'): EngineConfig {
  const o = readOptions(factory, options, ENGINE_OPTION_KEYS, {
    expected: 'an object with at least `policy`',
  });
  const policy = o.required('policy');
  const store = o.check('store', isStore, 'a store with a consume() method') ?? createMemoryStore();
  const now = o.fn<() => number>('now') ?? Date.now;
  const onEvent = o.fn<(event: TollgateEvent) => void>('onEvent');
  const failureMode = o.oneOf('failureMode', FAILURE_MODES, 'fail-closed');
  const requireHttps = o.boolean('requireHttps', globalThis.process?.env?.NODE_ENV === 'production');
  const eventIps = o.boolean('eventIps', false);
  const ipHashSecret = o.string('ipHashSecret', { minLength: 32 });
  const meter = o.check('meter', isMeter, 'an OpenTelemetry Meter (metrics.getMeter(...))');
  const keySource = o.check('keySource', isKeySource, 'an object with a byHash(sha256) method');
  const keySourceTtlMs = o.integer('keySourceTtlMs', { min: 1, unit: 'milliseconds', default: 60_000 });
  const tokens = o.object('tokens', TOKEN_OPTION_KEYS, TOKEN_OPTIONS_EXPECTED);
  const unusualActivity = o.object('unusualActivity', ACTIVITY_OPTION_KEYS, 'an object');
  return {
    policy,
    store,
    now,
    onEvent,
    failureMode,
    requireHttps,
    tokens: tokens === undefined ? undefined : tokenVerifierWith(readTokenOptions(tokens)),
    ipHashSecret,
    eventIps,
    meter,
    unusualActivity: unusualActivity === undefined ? undefined : activityMonitorWith(unusualActivity),
    keySource,
    keySourceTtlMs,
  };
}

function isStore(value: unknown): value is Store {
  return value !== null && typeof (value as Store | undefined)?.consume === 'function';
}

function isMeter(value: unknown): value is MeterLike {
  const meter = value as { createCounter?: unknown; createHistogram?: unknown } | null;
  return typeof meter?.createCounter === 'function' && typeof meter.createHistogram === 'function';
}

function isKeySource(value: unknown): value is KeySource {
  return value !== null && typeof (value as KeySource | undefined)?.byHash === 'function';
}
