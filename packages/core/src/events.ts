// Events the engine emits so operators can monitor and alert; none ever carries a key or token.

import type { UnusualActivityEvent } from './activity-monitor.js';
import type { DecisionCode } from './decision.js';

/**
 * A request was refused with 401: no key, an unknown or expired key, a bad bearer token, or
 * several keys at once. An unknown key is named by `keyHash`, a short prefix of its SHA-256
 * (enough to tell one stray key from a spray of guesses), never by the key.
 */
export interface AuthFailureEvent {
  readonly type: 'auth_failure';
  readonly code: Extract<
    DecisionCode,
    'missing_key' | 'unknown_key' | 'ambiguous_key' | 'key_expired' | 'invalid_token'
  >;
  readonly status: 401;
  /** The key's id, when the credential named a known key (an expired credential, a token's key). */
  readonly keyId?: string;
  /** First 12 hex digits of the presented key's SHA-256, for an unknown or expired key. */
  readonly keyHash?: string;
  /** For `invalid_token`: what was wrong with it (`expired`, `bad_signature`, ...). */
  readonly reason?: string;
  /** The connecting address; only with `eventIps: true`. */
  readonly ip?: string;
  readonly at: number;
}

/** A request was refused after authentication, or before it for plain HTTP (400, 403, 429, 503). */
export interface RefusalEvent {
  readonly type: 'refused';
  readonly code: Exclude<
    DecisionCode,
    'ok' | 'preflight' | 'missing_key' | 'unknown_key' | 'ambiguous_key' | 'key_expired' | 'invalid_token'
  >;
  readonly status: number;
  /** The key's id; absent for `https_required`, which is checked before the key. */
  readonly keyId?: string;
  /**
   * Only with `eventIps: true`: for a forwarding key whose forwarded value was accepted, that
   * address (normalised); otherwise the connecting address. Never a malformed forwarded value.
   */
  readonly ip?: string;
  readonly at: number;
}

/**
 * A key without `ipForwarding` sent the forwarding header, which was ignored (its own
 * connecting address was limited). At most once per key and minute. The header's value is
 * never included.
 */
export interface ForwardingIgnoredEvent {
  readonly type: 'forwarding_ignored';
  readonly keyId: string;
  readonly at: number;
}

/** `engine.reload()` swapped in a new policy (`ok: true`) or refused a bad one and kept the old. */
export interface ConfigReloadEvent {
  readonly type: 'config_reload';
  readonly ok: boolean;
  /** Keys in the new policy, when it was accepted. */
  readonly keys?: number;
  /** Why the new policy was refused (names keys by id and fields, never key material). */
  readonly message?: string;
  readonly at: number;
}

/** `keySource` failed (threw, rejected or returned an invalid entry); the request got 503. */
export interface KeySourceErrorEvent {
  readonly type: 'key_source_error';
  readonly message: string;
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
 * The store failed (threw, rejected or timed out) during checks; each was then decided by
 * `failureMode`: refused with 503, allowed uncounted, or counted in the local fallback store.
 * Coalesced per engine (that is, per store, whichever keys were checked): the first failure
 * after a quiet second is reported at once, later ones at most once a second, each event
 * counting the failures since the previous one. Failures still held when the store answers
 * again are reported by the first answered check a second or more after the previous event.
 */
export interface StoreErrorEvent {
  readonly type: 'store_error';
  /** The key of the last failed check this event counts (others may have been other keys). */
  readonly keyId: string;
  /** The last failure's error message. Stores must not put key material in their messages. */
  readonly message: string;
  /** How the requests were decided instead. */
  readonly failureMode: FailureMode;
  /** How many failed checks this event stands for: 1 for the first, then those since the previous event. */
  readonly count: number;
  /** When the last failure this event counts happened. */
  readonly at: number;
}

/** What a check does when its store fails. See `EngineOptions.failureMode`. */
export type FailureMode = 'fail-closed' | 'fail-open' | 'fallback';

/** Every event `onEvent` can receive; switch on `type`. */
export type TollgateEvent =
  | AuthFailureEvent
  | RefusalEvent
  | ThresholdEvent
  | StoreErrorEvent
  | ForwardingIgnoredEvent
  | ConfigReloadEvent
  | KeySourceErrorEvent
  | UnusualActivityEvent;
