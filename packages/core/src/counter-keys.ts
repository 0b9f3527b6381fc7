// Counter specs for one key's current day, built once and reused: the hot path allocates no key strings.

import type { DayWindow } from './day-window.js';
import { rateLimitPolicy } from './rate-limit-headers.js';
import type { CounterSpec } from './store.js';

/** Most per-IP specs kept per key and day before the cache starts over (memory bound under IP sprays). */
const MAX_IP_SPECS = 50_000;

/**
 * Hands out the counter specs of one key. A spec's key string is built once per key, day and
 * address, so the store hashes a string V8 has already hashed instead of a fresh
 * concatenation on every request (the difference is most of the memory store's cost).
 *
 * @example
 * const keys = new CounterKeys('shop-web', 50, 1000);
 * store.consume(keys.specs(window, '203.0.113.7'), now);
 */
export class CounterKeys {
  private day: DayWindow | undefined;
  private daily: CounterSpec | undefined;
  private perIp = new Map<string, CounterSpec>();
  private policyHeader = '';
  private scope = '';

  constructor(
    private readonly id: string,
    private readonly perIpLimit: number | undefined,
    private readonly dailyLimit: number | undefined,
    /** How an address appears in its counter key: itself, or a keyed hash of it (ipHashSecret). */
    private readonly ipLabel: (ip: string) => string = (ip) => ip,
  ) {}

  /** The per-IP counter first (when capped), then the daily counter (when capped). */
  specs(day: DayWindow, ip: string): CounterSpec[] {
    if (day !== this.day) this.startDay(day);
    const out: CounterSpec[] = [];
    if (this.perIpLimit !== undefined) {
      let spec = this.perIp.get(ip);
      if (spec === undefined) {
        if (this.perIp.size >= MAX_IP_SPECS) this.perIp.clear();
        // Built once per address and day, so a keyed hash costs one HMAC per address per day.
        spec = {
          key: `${this.scope}:ip:${this.ipLabel(ip)}`,
          limit: this.perIpLimit,
          expiresAt: day.end,
          scope: this.scope,
          kind: 'client',
        };
        this.perIp.set(ip, spec);
      }
      out.push(spec);
    }
    if (this.daily !== undefined) out.push(this.daily);
    return out;
  }

  /** The day's `RateLimit-Policy` value, or undefined when the cache has moved on to another day. */
  policyHeaderFor(day: DayWindow): string | undefined {
    return day === this.day ? this.policyHeader : undefined;
  }

  private startDay(day: DayWindow): void {
    this.day = day;
    this.scope = `${this.id}:${day.day}`;
    const windowSeconds = Math.round((day.end - day.start) / 1000);
    const limits = [];
    if (this.perIpLimit !== undefined)
      limits.push({ name: 'ip-daily' as const, limit: this.perIpLimit, windowSeconds });
    if (this.dailyLimit !== undefined)
      limits.push({ name: 'daily' as const, limit: this.dailyLimit, windowSeconds });
    this.policyHeader = rateLimitPolicy(limits);
    this.perIp.clear();
    this.daily =
      this.dailyLimit === undefined
        ? undefined
        : {
            key: `${this.scope}:daily`,
            limit: this.dailyLimit,
            expiresAt: day.end,
            scope: this.scope,
            kind: 'key',
          };
  }
}
