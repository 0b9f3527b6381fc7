// The policy and keys every test suite (core, each framework) works with.

import type { Policy } from '@tollgate/core';

export const WEB_KEY = 'pk_live_web_0123456789';
export const BACKEND_KEY = 'sk_live_backend_0123456789';
export const OPEN_KEY = 'pk_live_open_0123456789';

/** 2026-11-23T12:00:00Z: a Monday, well away from any DST change. */
export const NOON_UTC = Date.UTC(2026, 10, 23, 12);

/** Caps of the example policy; tests that count to a cap pick small ones. */
export interface ExampleCaps {
  webDaily?: number;
  webPerIp?: number;
  backendDaily?: number;
  backendPerIp?: number;
}

/**
 * A browser key with a whitelist (London), a backend key with forwarding (New York), and an
 * uncapped key.
 */
export function examplePolicy(caps: ExampleCaps = {}): Policy {
  return {
    sourceIpHeader: 'X-Source-IP',
    keys: [
      {
        id: 'shop-web',
        key: WEB_KEY,
        allowedUrls: ['https://shop.example.com', 'example.org/checkout'],
        dailyLimit: caps.webDaily ?? 10,
        perIpDailyLimit: caps.webPerIp ?? 3,
        timeZone: 'Europe/London',
      },
      {
        id: 'shop-backend',
        key: BACKEND_KEY,
        dailyLimit: caps.backendDaily ?? 20,
        perIpDailyLimit: caps.backendPerIp ?? 2,
        ipForwarding: true,
        timeZone: 'America/New_York',
      },
      { id: 'open', key: OPEN_KEY },
    ],
  };
}
