// Day windows: hand-written examples for the documented odd days, and properties over every zone Intl knows.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDayClock, type DayWindow, isValidTimeZone } from '../src/day-window.js';
import { TollgateError } from '../src/errors.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const utc = (iso: string) => Date.parse(`${iso}Z`);

// Expected wall times come from Intl.formatToParts here, independently of the implementation's reader.
const formatters = new Map<string, Intl.DateTimeFormat>();
/** The wall time of `t` in `zone` as a sortable `YYYY-MM-DDTHH:MM:SS.mmm` string. */
function wall(zone: string, t: number): string {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      fractionalSecondDigits: 3,
    });
    formatters.set(zone, f);
  }
  const p: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const { type, value } of f.formatToParts(t)) p[type] = value;
  return `${p.year?.padStart(4, '0')}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}.${p.fractionalSecond}`;
}
const offset = (zone: string, t: number) => utc(wall(zone, t)) - t;

/** The first offset change after `t` within ~400 days, to the millisecond, found by daily steps and bisection. */
function nextOffsetChange(zone: string, t: number): number | undefined {
  const before = offset(zone, t);
  for (let k = 1; k <= 400; k++) {
    if (offset(zone, t + k * DAY) === before) continue;
    let lo = t + (k - 1) * DAY;
    let hi = t + k * DAY;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offset(zone, mid) === before) lo = mid;
      else hi = mid;
    }
    return hi;
  }
  return undefined;
}

const windowAt = (zone: string, iso: string) => createDayClock(zone).window(utc(iso));
const hours = (w: DayWindow) => (w.end - w.start) / HOUR;

describe('hand-written days', () => {
  it.each([
    // zone, an instant inside the day, day, start, end, hours
    ['UTC', '2026-01-15T13:45:00', '2026-01-15', '2026-01-15T00:00', '2026-01-16T00:00', 24],
    ['Europe/London', '2026-03-29T12:00', '2026-03-29', '2026-03-29T00:00', '2026-03-29T23:00', 23],
    ['Europe/London', '2026-10-25T12:00', '2026-10-25', '2026-10-24T23:00', '2026-10-26T00:00', 25],
    ['America/New_York', '2026-03-08T12:00', '2026-03-08', '2026-03-08T05:00', '2026-03-09T04:00', 23],
    ['America/New_York', '2026-11-01T12:00', '2026-11-01', '2026-11-01T04:00', '2026-11-02T05:00', 25],
    // +05:45: the local day starts at 18:15 UTC the day before.
    ['Asia/Kathmandu', '2026-01-01T20:00', '2026-01-02', '2026-01-01T18:15', '2026-01-02T18:15', 24],
    // Lord Howe moves its clocks by 30 minutes.
    ['Australia/Lord_Howe', '2026-04-05T03:00', '2026-04-05', '2026-04-04T13:00', '2026-04-05T13:30', 24.5],
    ['Australia/Lord_Howe', '2026-10-04T03:00', '2026-10-04', '2026-10-03T13:30', '2026-10-04T13:00', 23.5],
    // +13:45 summer, +12:45 winter.
    ['Pacific/Chatham', '2026-04-05T00:00', '2026-04-05', '2026-04-04T10:15', '2026-04-05T11:15', 25],
  ])('%s around %s', (zone, at, day, start, end, h) => {
    const w = windowAt(zone, at);
    expect(w).toEqual({ day, start: utc(start), end: utc(end) });
    expect(hours(w)).toBe(h);
    expect(wall(zone, w.start)).toBe(`${day}T00:00:00.000`);
  });

  it.each([
    // Clocks jump from 00:00 to 01:00, so the day starts at the jump with the wall clock at 01:00.
    ['America/Santiago', '2026-09-06', '2026-09-06T04:00', '2026-09-07T03:00'],
    ['America/Havana', '2026-03-08', '2026-03-08T05:00', '2026-03-09T04:00'],
    ['Asia/Beirut', '2026-03-29', '2026-03-28T22:00', '2026-03-29T21:00'],
    ['Africa/Cairo', '2026-04-24', '2026-04-23T22:00', '2026-04-24T21:00'],
    ['Atlantic/Azores', '2026-03-29', '2026-03-29T01:00', '2026-03-30T00:00'],
    ['America/Asuncion', '2024-10-06', '2024-10-06T04:00', '2024-10-07T03:00'],
    ['America/Sao_Paulo', '2018-11-04', '2018-11-04T03:00', '2018-11-05T02:00'],
  ])('%s on %s has no midnight: the day starts at 01:00', (zone, day, start, end) => {
    const w = createDayClock(zone).window(utc(start) + 6 * HOUR);
    expect(w).toEqual({ day, start: utc(start), end: utc(end) });
    expect(hours(w)).toBe(23);
    expect(wall(zone, w.start)).toBe(`${day}T01:00:00.000`);
    expect(wall(zone, w.start - 1) < day).toBe(true);
    expect(createDayClock(zone).window(w.start - 1).end).toBe(w.start);
  });

  it('America/St_Johns 2010-11-07 went from 00:01 back to 23:01: the repeated hour belongs to the 7th', () => {
    const clock = createDayClock('America/St_Johns');
    const inRepeat = utc('2010-11-07T03:00');
    expect(wall('America/St_Johns', inRepeat)).toBe('2010-11-06T23:30:00.000');
    const w = clock.window(inRepeat);
    expect(w).toEqual({ day: '2010-11-07', start: utc('2010-11-07T02:30'), end: utc('2010-11-08T03:30') });
    expect(hours(w)).toBe(25);
    expect(clock.window(w.start - 1)).toEqual({
      day: '2010-11-06',
      start: utc('2010-11-06T02:30'),
      end: w.start,
    });
  });

  it.each([
    // 01:00 back to 00:00: midnight shows twice; the day starts at the first one.
    ['Atlantic/Azores', '2026-10-25', '2026-10-25T00:00', '2026-10-26T01:00'],
    ['America/Havana', '2026-11-01', '2026-11-01T04:00', '2026-11-02T05:00'],
    // 00:00 back to 23:00: the 4th gets the repeated hour (its wall date reads the 4th both times).
    ['America/Santiago', '2026-04-04', '2026-04-04T03:00', '2026-04-05T04:00'],
  ])('%s on %s has a repeated hour at midnight', (zone, day, start, end) => {
    const clock = createDayClock(zone);
    const w = clock.window(utc(start));
    expect(w).toEqual({ day, start: utc(start), end: utc(end) });
    expect(hours(w)).toBe(25);
    expect(clock.window(utc(start) + HOUR + 30 * 60_000)).toBe(w);
    expect(clock.window(w.end - 1)).toBe(w);
  });

  it.each([
    ['Pacific/Apia', '2011-12-29', '2011-12-29T10:00', '2011-12-30T10:00', '2011-12-31', '2011-12-31T10:00'],
    [
      'Pacific/Kwajalein',
      '1993-08-20',
      '1993-08-20T12:00',
      '1993-08-21T12:00',
      '1993-08-22',
      '1993-08-22T12:00',
    ],
  ])(
    '%s skipped the day after %s: the windows stay contiguous',
    (zone, day, start, jump, after, afterEnd) => {
      const clock = createDayClock(zone);
      expect(clock.window(utc(jump) - 1)).toEqual({ day, start: utc(start), end: utc(jump) });
      expect(clock.window(utc(jump))).toEqual({ day: after, start: utc(jump), end: utc(afterEnd) });
    },
  );

  it('rejects unknown zones with ERR_TOLLGATE_INVALID_TIME_ZONE', () => {
    for (const zone of [
      'Europe/Londn',
      '',
      'Mars/Olympus_Mons',
      ' Europe/London',
      undefined as unknown as string,
    ]) {
      expect(isValidTimeZone(zone)).toBe(false);
      const error = (() => {
        try {
          createDayClock(zone);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(TollgateError);
      expect(error).toMatchObject({ code: 'ERR_TOLLGATE_INVALID_TIME_ZONE' });
    }
  });

  it('accepts what Intl accepts and reports the name Intl resolves to', () => {
    expect(isValidTimeZone('Europe/London')).toBe(true);
    expect(isValidTimeZone('europe/london')).toBe(true);
    expect(createDayClock('europe/london').timeZone).toBe('Europe/London');
    expect(createDayClock('Etc/UTC').timeZone).toBe('UTC');
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Kathmandu' }).resolvedOptions()
      .timeZone;
    expect(createDayClock('Asia/Kathmandu').timeZone).toBe(resolved);
  });

  it('returns the identical object within a window and a new one at its end', () => {
    const clock = createDayClock('Europe/London');
    const w = clock.window(utc('2026-10-25T12:00'));
    expect(clock.window(w.start)).toBe(w);
    expect(clock.window(w.end - 1)).toBe(w);
    const next = clock.window(w.end);
    expect(next).not.toBe(w);
    expect(next).toEqual({ day: '2026-10-26', start: w.end, end: utc('2026-10-27T00:00') });
    // A straggler from just before the reset still gets the old window, not a recomputed copy.
    expect(clock.window(w.end - 1)).toBe(w);
    expect(clock.window(w.end)).toBe(next);
    expect(Object.isFrozen(w)).toBe(true);
  });

  it('throws a TypeError for a non-finite now, even with a warm cache', () => {
    const clock = createDayClock('UTC');
    clock.window(utc('2026-01-01T12:00'));
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => clock.window(bad)).toThrow(TypeError);
    }
  });

  it('works at the ends of the promised range, 1900 to 2200', () => {
    expect(windowAt('UTC', '1900-01-01T00:00')).toEqual({
      day: '1900-01-01',
      start: utc('1900-01-01T00:00'),
      end: utc('1900-01-02T00:00'),
    });
    const late = windowAt('America/New_York', '2199-12-31T23:59:59.999');
    expect(late.day).toBe('2199-12-31');
    expect(wall('America/New_York', late.end)).toBe('2200-01-01T00:00:00.000');
  });
});

const ZONES = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
const zone = fc.constantFrom(...ZONES);
const instant = fc
  .date({
    min: new Date(utc('1970-01-01T00:00')),
    max: new Date(utc('2100-01-01T00:00')),
    noInvalidDate: true,
  })
  .map((d) => d.getTime());

// Every window outside 22..26 hours from 1970 to 2100, found by scanning every window of every zone:
// stations and towns whose clocks moved by 2 hours or more. (Days skipped across the date line leave
// their neighbours at 24 h; Kwajalein's 47-hour day was in 1969.)
const ODD_DAYS: Record<string, readonly string[]> = {
  'Antarctica/Casey': [
    ...['2009-10-18', '2010-03-05', '2011-10-28', '2012-02-22', '2016-10-22', '2018-03-11', '2018-10-07'],
    ...['2019-03-17', '2019-10-04', '2020-03-08', '2020-10-04', '2021-03-13', '2021-10-03', '2022-03-12'],
    ...['2022-10-02', '2023-03-09'],
  ],
  'Antarctica/Rothera': ['1976-11-30'],
  'Antarctica/Vostok': ['1994-01-31', '1994-11-01'],
  'America/Danmarkshavn': ['1996-01-01'],
  'Asia/Ust-Nera': ['1981-04-01'],
};

/** Checks one window against the definition, with wall times read independently of the implementation. */
function checkWindow(tz: string, now: number, w: DayWindow): void {
  // (1) It contains now.
  expect(w.start).toBeLessThanOrEqual(now);
  expect(now).toBeLessThan(w.end);
  // (2) It starts at the first instant whose wall time is >= day 00:00: exactly midnight, or a jump past it.
  const atStart = wall(tz, w.start);
  expect(wall(tz, w.start - 1) < `${w.day}T00:00`).toBe(true);
  if (atStart !== `${w.day}T00:00:00.000`) {
    expect(atStart.slice(0, 10)).toBe(w.day);
    expect(offset(tz, w.start)).toBeGreaterThan(offset(tz, w.start - 1));
  }
  // The wall date of now is the day, or the day before in a repeated hour.
  expect(wall(tz, now).slice(0, 10) <= w.day).toBe(true);
  // (3) The next window starts where this one ends, on a later day.
  const next = createDayClock(tz).window(w.end);
  expect(next.start).toBe(w.end);
  expect(next.day > w.day).toBe(true);
  expect(wall(tz, w.end - 1) < `${next.day}T00:00`).toBe(true);
  // (4) Length.
  const length = w.end - w.start;
  if (tz === 'UTC') expect(length).toBe(DAY);
  else if (length < 22 * HOUR || length > 26 * HOUR) expect(ODD_DAYS[tz] ?? []).toContain(w.day);
}

describe('properties over every zone', () => {
  it('windows contain now, start at (or just past) midnight, tile the timeline and last 22..26 h', () => {
    fc.assert(
      fc.property(zone, instant, (tz, now) => {
        checkWindow(tz, now, createDayClock(tz).window(now));
      }),
      { numRuns: 1500 },
    );
  });

  it('the same holds around offset changes, where the odd days are', () => {
    fc.assert(
      fc.property(zone, instant, fc.integer({ min: -36 * HOUR, max: 36 * HOUR }), (tz, from, delta) => {
        const change = nextOffsetChange(tz, from);
        const now = (change ?? from) + delta;
        checkWindow(tz, now, createDayClock(tz).window(now));
      }),
      { numRuns: 300 },
    );
  });

  it('a long-lived clock moved through time agrees with fresh clocks (cache correctness)', () => {
    fc.assert(
      fc.property(
        zone,
        instant,
        fc.array(fc.integer({ min: -3 * HOUR, max: 40 * HOUR }), { minLength: 1, maxLength: 40 }),
        (tz, from, steps) => {
          const clock = createDayClock(tz);
          let now = from;
          let last = clock.window(now);
          for (const step of steps) {
            now += step;
            const w = clock.window(now);
            expect(w).toEqual(createDayClock(tz).window(now));
            if (w.start === last.start) expect(w).toBe(last);
            last = w;
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
