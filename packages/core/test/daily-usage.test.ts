// The table behind the usage gauges: newest daily count per key, 0 after the key's midnight, bounded.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DailyUsageTable, supersedes } from '../src/daily-usage.js';
import type { LimitState } from '../src/decision.js';

const DAY = 86_400_000;
const MIDNIGHT = Date.UTC(2026, 10, 24); // the end of 2026-11-23 in UTC

function daily(used: number, limit = 100, resetAt = MIDNIGHT): LimitState {
  return { name: 'daily', limit, used, remaining: Math.max(0, limit - used), resetAt, windowSeconds: 86_400 };
}
function perIp(used: number): LimitState {
  return { ...daily(used, 5), name: 'ip-daily' };
}
const read = (table: DailyUsageTable, now: number) =>
  Object.fromEntries([...table.current(now)].map(([k, u]) => [k, { used: u.used, limit: u.limit }]));

describe('DailyUsageTable', () => {
  it("keeps each key's daily count and cap, never the per-IP one", () => {
    const table = new DailyUsageTable();
    table.note('shop-web', [perIp(4), daily(40)]);
    table.note('shop-backend', [daily(7, 1000)]);
    table.note('open', []); // no daily cap: nothing to show
    table.note('ip-only', [perIp(1)]);
    expect(read(table, MIDNIGHT - 1)).toEqual({
      'shop-web': { used: 40, limit: 100 },
      'shop-backend': { used: 7, limit: 1000 },
    });
  });

  it("reads 0 from the key's midnight on, until its next request", () => {
    const table = new DailyUsageTable();
    table.note('shop-web', [daily(99)]);
    expect(read(table, MIDNIGHT - 1)['shop-web']?.used).toBe(99);
    expect(read(table, MIDNIGHT)['shop-web']).toEqual({ used: 0, limit: 100 });
    table.note('shop-web', [daily(1, 100, MIDNIGHT + DAY)]);
    expect(read(table, MIDNIGHT + 1)['shop-web']?.used).toBe(1);
  });

  it('within a day the higher count wins; a tie brings a reloaded cap; a new window replaces', () => {
    const table = new DailyUsageTable();
    table.note('k', [daily(10)]);
    table.note('k', [daily(8)]); // an earlier check that completed late
    expect(read(table, 0).k).toEqual({ used: 10, limit: 100 });
    table.note('k', [daily(10, 50)]); // same count after a reload lowered the cap
    expect(read(table, 0).k).toEqual({ used: 10, limit: 50 });
    table.note('k', [daily(2, 50, MIDNIGHT + DAY)]);
    expect(read(table, 0).k).toEqual({ used: 2, limit: 50 });
    expect(supersedes({ used: 3, limit: 1, resetAt: 5 }, { used: 1, limit: 1, resetAt: 4 })).toBe(true);
  });

  it('forgets the least recently seen key past its bound', () => {
    const table = new DailyUsageTable(2);
    table.note('a', [daily(1)]);
    table.note('b', [daily(1)]);
    table.note('a', [daily(2)]); // a is now the most recent
    table.note('c', [daily(1)]);
    expect(Object.keys(read(table, 0)).sort()).toEqual(['a', 'c']);
    expect(table.size).toBe(2);
  });

  it('for any order of one day’s checks, shows their highest count; never a count after midnight; stays bounded', () => {
    const observation = fc.record({
      key: fc.constantFrom('a', 'b', 'c', 'd'),
      used: fc.nat({ max: 1000 }),
      day: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(fc.array(observation, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (obs, max) => {
        const table = new DailyUsageTable(max);
        const roomy = new DailyUsageTable();
        for (const o of obs) {
          const state = daily(o.used, 1000, MIDNIGHT + o.day * DAY);
          table.note(o.key, [state]);
          roomy.note(o.key, [state]);
          expect(table.size).toBeLessThanOrEqual(max);
          // The key just seen is never the one forgotten.
          expect(read(table, 0)[o.key]).toBeDefined();
        }
        for (const [key, u] of roomy.current(0)) {
          // The window held is the one of the key's last check, and its count the highest of
          // that run of checks in that window.
          const mine = obs.filter((o) => o.key === key);
          const last = mine.at(-1);
          if (last === undefined) throw new Error(`no checks for ${key}`);
          let run = mine.length - 1;
          while (run > 0 && mine[run - 1]?.day === last.day) run--;
          expect(u.resetAt).toBe(MIDNIGHT + last.day * DAY);
          expect(u.used).toBe(Math.max(...mine.slice(run).map((o) => o.used)));
        }
        for (const now of [MIDNIGHT, MIDNIGHT + DAY, MIDNIGHT + 3 * DAY]) {
          for (const [, u] of roomy.current(now)) if (now >= u.resetAt) expect(u.used).toBe(0);
        }
      }),
    );
  });
});
