// Policies and helpers shared by the core tests.

import type { Policy } from '../src/policy-schema.js';

export const WEB_KEY = 'pk_live_web_0123456789';
export const BACKEND_KEY = 'sk_live_backend_0123456789';
export const OPEN_KEY = 'pk_live_open_0123456789';

/** 2026-11-23T12:00:00Z: a Monday, well away from any DST change. */
export const NOON_UTC = Date.UTC(2026, 10, 23, 12);

export function examplePolicy(): Policy {
  return {
    sourceIpHeader: 'X-Source-IP',
    keys: [
      {
        id: 'shop-web',
        key: WEB_KEY,
        allowedUrls: ['https://shop.example.com', 'example.org/checkout'],
        dailyLimit: 10,
        perIpDailyLimit: 3,
        timeZone: 'Europe/London',
      },
      {
        id: 'shop-backend',
        key: BACKEND_KEY,
        dailyLimit: 20,
        perIpDailyLimit: 2,
        ipForwarding: true,
        timeZone: 'America/New_York',
      },
      { id: 'open', key: OPEN_KEY },
    ],
  };
}

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
