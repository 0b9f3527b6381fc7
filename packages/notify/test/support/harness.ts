// Shared test setup: threshold events, a recording onEvent, an instant sleep, and cleanup of servers and notifiers.

import type { ThresholdEvent } from '@tollgate/core';
import { afterEach } from 'vitest';
import type { NotifierOptions, NotifyEvent } from '../../src/index.js';

export const SECRET = 'whsec_test_0b6f1c9a3e5d7f2b4c6e8a0d1f3b5c7e';

/** 2026-11-23T14:30:00Z. */
export const AT = Date.UTC(2026, 10, 23, 14, 30);

export function thresholdEvent(overrides: Partial<ThresholdEvent> = {}): ThresholdEvent {
  return {
    type: 'threshold',
    keyId: 'shop-web',
    threshold: 0.9,
    count: 900,
    limit: 1000,
    day: '2026-11-23',
    at: AT,
    ...overrides,
  };
}

/** Records events and waits; sleeping returns at once, so retries take no real time. */
export function recorder(random: () => number = Math.random) {
  const events: NotifyEvent[] = [];
  const delays: number[] = [];
  const deps = {
    onEvent: (e: NotifyEvent) => events.push(e),
    sleep: async (ms: number) => {
      delays.push(ms);
    },
    random,
    now: () => AT,
    allowInsecureWebhooks: true,
  } satisfies Partial<NotifierOptions>;
  const ofType = <T extends NotifyEvent['type']>(type: T) =>
    events.filter((e): e is Extract<NotifyEvent, { type: T }> => e.type === type);
  return { events, delays, deps, ofType };
}

const cleanups: (() => Promise<void>)[] = [];

/** Runs `close` after the current test, last registered first. */
export function onCleanup(close: () => Promise<void>): void {
  cleanups.push(close);
}

afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close();
});
