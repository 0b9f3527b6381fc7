// Helpers shared by the core tests; the policy and keys come from the testkit.

import { TollgateError } from '../src/errors.js';

export { BACKEND_KEY, examplePolicy, NOON_UTC, OPEN_KEY, WEB_KEY } from '@tollgate/testkit/fixtures';

/** A clock the test moves by hand. */
export function manualClock(start: number): {
  now: () => number;
  set(t: number): void;
  advance(ms: number): void;
} {
  let t = start;
  return {
    now: () => t,
    set: (v) => {
      t = v;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/** The TollgateError `fn` throws; anything else (or nothing) fails the test. */
export function errorOf(fn: () => unknown): TollgateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TollgateError) return e;
    throw e;
  }
  throw new Error('expected a TollgateError');
}
