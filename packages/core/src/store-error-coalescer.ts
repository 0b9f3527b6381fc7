// Folds a store's failures into few `store_error` events: the first at once, then at most one a second with a count.

import type { FailureMode, StoreErrorEvent } from './events.js';

/** Least time between two `store_error` events of one engine. */
export const STORE_ERROR_INTERVAL_MS = 1_000;

/**
 * Turns failed checks into `store_error` events without flooding alerting: in an outage every
 * check fails (hundreds a second), and one event each would bury everything else. The first
 * failure after a quiet interval is reported at once with `count: 1`. Later failures are held
 * and counted; the first failure at least `intervalMs` after the previous event reports them
 * all, itself included. Failures still held when the store answers again are reported by
 * the first answered check at least `intervalMs` after the previous event, so every failure
 * is counted in exactly one event once the store is back. `keyId`, `message` and `at` are
 * those of the last failure an event counts.
 *
 * Time is whatever clock the caller passes (the engine's `now`), so it needs no timer; a
 * clock that goes back by more than `intervalMs` counts as time passed.
 *
 * @example
 * const coalescer = new StoreErrorCoalescer('fallback');
 * const event = coalescer.failed('shop-web', 'timed out', Date.now());
 * if (event) onEvent(event);
 */
export class StoreErrorCoalescer {
  private lastEventAt = Number.NEGATIVE_INFINITY;
  private held = 0;
  private last: { keyId: string; message: string; at: number } | undefined;

  constructor(
    private readonly failureMode: FailureMode,
    private readonly intervalMs: number = STORE_ERROR_INTERVAL_MS,
  ) {}

  /** True while failures are held: the engine then tells the coalescer about answered checks. */
  get holding(): boolean {
    return this.held > 0;
  }

  /** A check failed at `at`: the event to emit now, or undefined when the failure is held. */
  failed(keyId: string, message: string, at: number): StoreErrorEvent | undefined {
    this.held += 1;
    this.last = { keyId, message, at };
    return this.due(at) ? this.flush(at) : undefined;
  }

  /** The store answered a check at `at`: the event for failures still held, when one is due. */
  answered(at: number): StoreErrorEvent | undefined {
    return this.held > 0 && this.due(at) ? this.flush(at) : undefined;
  }

  private due(at: number): boolean {
    const since = at - this.lastEventAt;
    return since >= this.intervalMs || since < -this.intervalMs;
  }

  private flush(at: number): StoreErrorEvent {
    const last = this.last as { keyId: string; message: string; at: number };
    const event: StoreErrorEvent = {
      type: 'store_error',
      keyId: last.keyId,
      message: last.message,
      failureMode: this.failureMode,
      count: this.held,
      at: last.at,
    };
    this.held = 0;
    this.last = undefined;
    this.lastEventAt = at;
    return event;
  }
}
