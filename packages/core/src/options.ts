// Public engine options and their one parser: defaults filled in, unknown keys refused.

import { TollgateError } from './errors.js';
import type { FailureMode, TollgateEvent } from './events.js';
import { createMemoryStore } from './memory-store.js';
import type { Policy } from './policy-schema.js';
import type { Store } from './store.js';

/**
 * Options of `createEngine` (and of every framework adapter).
 *
 * @example
 * createEngine({ policy, onEvent: (e) => log.info(e) });
 */
export interface EngineOptions {
  /** The policy: the policy file's object form. Required. */
  policy: Policy;
  /** Where counters live. Default: a new in-memory store (`createMemoryStore()`), for one process. */
  store?: Store | undefined;
  /** The clock, in epoch milliseconds. Default: `Date.now`. */
  now?: (() => number) | undefined;
  /**
   * Receives every event (auth failures, refusals, threshold crossings, store faults).
   * Called synchronously; an exception it throws is reported as a process warning and does
   * not affect the request. Default: no handler.
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
}

/** EngineOptions with every default applied. */
export interface EngineConfig {
  readonly policy: unknown;
  readonly store: Store;
  readonly now: () => number;
  readonly onEvent: ((event: TollgateEvent) => void) | undefined;
  readonly failureMode: FailureMode;
}

const KNOWN = new Set(['policy', 'store', 'now', 'onEvent', 'failureMode']);
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
  return {
    policy: o.policy,
    failureMode: failureMode as FailureMode,
    store: (store as Store | undefined) ?? createMemoryStore(),
    now: (o.now as (() => number) | undefined) ?? Date.now,
    onEvent: o.onEvent as ((event: TollgateEvent) => void) | undefined,
  };
}

function invalid(message: string): TollgateError {
  return new TollgateError('ERR_TOLLGATE_INVALID_OPTIONS', message);
}
