// Events the engine emits so operators can monitor and alert; none ever carries a key or token.

import type { DecisionCode } from './decision.js';

/** A request was refused with 401: no key, an unknown key, or several keys at once. */
export interface AuthFailureEvent {
  readonly type: 'auth_failure';
  readonly code: Extract<DecisionCode, 'missing_key' | 'unknown_key' | 'ambiguous_key'>;
  readonly status: 401;
  /** The connecting address (normalised when valid). */
  readonly ip: string;
  readonly at: number;
}

/** A known key's request was refused (400, 403 or 429). */
export interface RefusalEvent {
  readonly type: 'refused';
  readonly code: Exclude<DecisionCode, 'ok' | 'preflight' | 'missing_key' | 'unknown_key' | 'ambiguous_key'>;
  readonly status: number;
  readonly keyId: string;
  /** The address the per-IP cap applies to, or the connecting address. */
  readonly ip: string;
  readonly at: number;
}

/**
 * A key's allowed count for the day reached 90% (`ceil(0.9 × limit)`) or 100% of its daily cap.
 * Emitted exactly once per key, threshold and day.
 */
export interface ThresholdEvent {
  readonly type: 'threshold';
  readonly keyId: string;
  readonly threshold: 0.9 | 1;
  readonly count: number;
  readonly limit: number;
  /** The key's local day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly at: number;
}

/**
 * The store failed (threw, rejected or timed out) during a check; the request was then decided
 * by `failureMode`: refused with 503, allowed uncounted, or counted in the local fallback store.
 */
export interface StoreErrorEvent {
  readonly type: 'store_error';
  readonly keyId: string;
  /** The store's error message. Stores must not put key material in their messages. */
  readonly message: string;
  /** How the request was decided instead. */
  readonly failureMode: FailureMode;
  readonly at: number;
}

/** What a check does when its store fails. See `EngineOptions.failureMode`. */
export type FailureMode = 'fail-closed' | 'fail-open' | 'fallback';

/** Every event `onEvent` can receive; switch on `type`. */
export type TollgateEvent = AuthFailureEvent | RefusalEvent | ThresholdEvent | StoreErrorEvent;
