// Local calendar days of an IANA time zone as instant ranges, so daily caps reset at each key's own midnight.

import { TollgateError } from './errors.js';

/**
 * One local calendar day of a time zone, as the half-open instant range [start, end).
 *
 * @example
 * const w = createDayClock('Europe/London').window(Date.UTC(2026, 2, 29, 12));
 * // { day: '2026-03-29', start: Date.UTC(2026, 2, 29), end: Date.UTC(2026, 2, 29, 23) } (a 23-hour day)
 */
export interface DayWindow {
  /** Local date, `YYYY-MM-DD`: used in counter keys, so it must be stable for every instant of the window. */
  readonly day: string;
  /** First instant (epoch ms) of the day: local midnight, or the first instant after it when midnight does not exist. */
  readonly start: number;
  /** Next reset (epoch ms): the start of the following local day. 23 or 25 hours after start on DST days. */
  readonly end: number;
}

/**
 * The day windows of one time zone. Create one per zone at setup and keep it: it caches the current window.
 *
 * @example
 * const clock = createDayClock('America/New_York');
 * const { day, end } = clock.window(Date.now()); // count under `day`, reset at `end`
 */
export interface DayClock {
  /** The zone name as Intl resolves it (canonical spelling and case). */
  readonly timeZone: string;
  /** The window containing `now` (epoch ms). Cached: the same object is returned while start <= now < end. */
  window(now: number): DayWindow;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

// Verified against Node's ICU time-zone data (2025c) for every zone from 1900 to 2200 (see the tests):
// offsets stay within -12 h..+14 h, the closest two offset changes of a zone are 167 h apart, and no
// change moves the clock back by 24 h or more (the largest is Kwajalein's 23 h in 1969). The search
// below relies on these facts with wide margins: offset changes at least SPAN apart, backward jumps
// under a day.
const SPAN = 60 * HOUR;
const MAX_SPAN = 8 * SPAN;

// Day strings are 4-digit years, and Intl's Gregorian calendar turns Julian before 1582, which
// Date.UTC does not; keep well inside the range where both agree.
const MIN_NOW = Date.UTC(1600, 0, 1);
const MAX_NOW = Date.UTC(9999, 11, 1);

/**
 * Whether `Intl` knows `timeZone`. Names are matched as Intl matches them (it ignores case).
 *
 * @example
 * isValidTimeZone('Europe/London'); // true
 * isValidTimeZone('europe/london'); // true (Intl ignores case)
 * isValidTimeZone('Europe/Londn'); // false
 */
export function isValidTimeZone(timeZone: string): boolean {
  // `timeZone: undefined` would silently mean "the host's zone", so insist on a non-empty string.
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A clock that maps instants to local days of `timeZone`. Call once per zone at setup.
 *
 * Throws `TollgateError` with code `ERR_TOLLGATE_INVALID_TIME_ZONE` for a zone Intl does not know.
 *
 * How a day is defined, for the days where "midnight" is not a single instant:
 * - The window of day D is [first instant whose wall time is >= D 00:00, first instant whose wall
 *   time is >= D+1 00:00). Windows therefore tile the timeline with no gaps or overlaps.
 * - Where the clocks jump forward over midnight (America/Santiago, America/Havana, Asia/Beirut,
 *   Africa/Cairo, Atlantic/Azores today; America/Sao_Paulo before 2019), D 00:00 never shows and the
 *   day starts at the jump, when the wall clock reads 01:00.
 * - Where the clocks go back across midnight, the wall date can read D, then D-1 again, then D
 *   (America/St_Johns on 2010-11-07 went from 00:01 back to 23:01 of the 6th). The repeated hour
 *   belongs to window D even though its wall date reads D-1: D had already begun, and putting those
 *   instants back into D-1 would reopen a day whose counters already reset. Its window is 25 hours.
 *   A fall-back at exactly 00:00 (to 23:00) is not this case: D 00:00 is first shown an hour later.
 * - A day that was skipped whole (Pacific/Apia 2011-12-30, Pacific/Kwajalein 1993-08-21) has no
 *   window: the window of the day before ends where the window of the day after starts.
 *
 * Correct for instants from 1900 to 2200 (checked against Node's zone data); it works from 1600 to
 * 9999 but makes no claim about the odd offsets of old local mean time there. Outside that range
 * `window()` throws a RangeError, and for a non-finite `now` a TypeError.
 *
 * @example
 * const clock = createDayClock('Asia/Kathmandu');
 * clock.window(Date.UTC(2026, 0, 1, 20)); // { day: '2026-01-02', start: Date.UTC(2026, 0, 1, 18, 15), ... }
 * createDayClock('Europe/Londn'); // throws TollgateError, code ERR_TOLLGATE_INVALID_TIME_ZONE
 */
export function createDayClock(timeZone: string): DayClock {
  let format: Intl.DateTimeFormat;
  try {
    if (typeof timeZone !== 'string' || timeZone === '') throw new RangeError('not a time zone name');
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (cause) {
    const message = `unknown time zone ${JSON.stringify(timeZone)}`;
    throw new TollgateError('ERR_TOLLGATE_INVALID_TIME_ZONE', message, { cause });
  }
  return new ZoneDayClock(format);
}

// A window no instant falls in, so the first call always takes the slow path.
const NO_WINDOW: DayWindow = Object.freeze({ day: '', start: Number.POSITIVE_INFINITY, end: 0 });

class ZoneDayClock implements DayClock {
  readonly timeZone: string;
  readonly #offsetAt: (t: number) => number;
  #current: DayWindow = NO_WINDOW;
  // The window before the current one, for callers whose timestamps straddle a reset slightly out
  // of order (concurrent requests at midnight); without it each straddle would recompute.
  #previous: DayWindow = NO_WINDOW;

  constructor(format: Intl.DateTimeFormat) {
    this.timeZone = format.resolvedOptions().timeZone;
    this.#offsetAt = offsetReader(format);
  }

  window(now: number): DayWindow {
    // Hot path: two comparisons, no allocation. NaN and infinities fail them and are rejected below.
    const current = this.#current;
    if (now >= current.start && now < current.end) return current;
    return this.#miss(now);
  }

  #miss(now: number): DayWindow {
    const previous = this.#previous;
    if (now >= previous.start && now < previous.end) return previous;
    if (!Number.isFinite(now))
      throw new TypeError(`DayClock.window: now must be a finite number, got ${now}`);
    if (now < MIN_NOW || now > MAX_NOW) {
      throw new RangeError(`DayClock.window: now (${now}) is outside the supported years 1600..9999`);
    }
    const computed = computeWindow(this.#offsetAt, now);
    // Keep the two latest windows in time order, so a clock moving forward keeps "yesterday" handy.
    if (this.#current === NO_WINDOW || computed.start >= this.#current.start) {
      this.#previous = this.#current;
      this.#current = computed;
    } else {
      this.#previous = computed;
    }
    return computed;
  }
}

/** A stretch of time from `start` (epoch ms) until the next segment's start, at one UTC offset. */
interface Segment {
  readonly start: number;
  readonly offset: number;
}

function computeWindow(offsetAt: (t: number) => number, now: number): DayWindow {
  // Describe the offsets around `now` exactly, then derive the window by arithmetic. A window longer
  // than ~36 h (only Kwajalein in 1969, at 47 h) does not fit the first span and takes a wider one.
  for (let span = SPAN; span <= MAX_SPAN; span *= 2) {
    const from = now - span;
    const to = now + span;
    const segments = offsetSegments(offsetAt, from, to);
    const reached = maxWallTime(segments, now);
    const midnight = reached - mod(reached, DAY);
    const start = firstReach(segments, midnight);
    const end = firstReach(segments, midnight + DAY);
    // Trust the result only when it lies well inside what was sampled: a backward jump shortly
    // before `from` could still hold the running maximum of the wall clock above wall(from).
    if (start > from + DAY && end <= to) {
      return Object.freeze({ day: new Date(midnight).toISOString().slice(0, 10), start, end });
    }
  }
  throw new Error(`DayClock.window: no day window found around ${now}`);
}

/**
 * The offsets over [from, to], sampled every SPAN at most; each change is then located to the second
 * (zone transitions fall on whole seconds). Correct while changes are at least one sample step apart.
 */
function offsetSegments(offsetAt: (t: number) => number, from: number, to: number): Segment[] {
  const steps = Math.ceil((to - from) / SPAN);
  const step = (to - from) / steps;
  let offset = offsetAt(from);
  const segments: Segment[] = [{ start: from, offset }];
  for (let i = 1; i <= steps; i++) {
    const t = i === steps ? to : from + i * step;
    const next = offsetAt(t);
    if (next === offset) continue;
    // offsetAt(lo * 1000) === offset and offsetAt(hi * 1000) !== offset throughout the search.
    let lo = Math.floor((from + (i - 1) * step) / 1000);
    let hi = Math.floor(t / 1000);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(mid * 1000) === offset) lo = mid;
      else hi = mid;
    }
    segments.push({ start: hi * 1000, offset: next });
    offset = next;
  }
  return segments;
}

/**
 * The latest wall time (as epoch ms of a UTC clock showing it) reached at or before `now`. Usually
 * the wall time of `now` itself; higher shortly after the clocks went back.
 */
function maxWallTime(segments: readonly Segment[], now: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as Segment;
    if (segment.start > now) break;
    const last = Math.min(now, (segments[i + 1]?.start ?? Number.POSITIVE_INFINITY) - 1);
    max = Math.max(max, last + segment.offset);
  }
  return max;
}

/** The first instant whose wall time is >= `wall`, or -Infinity if that was already so at the first segment. */
function firstReach(segments: readonly Segment[], wall: number): number {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as Segment;
    // Jumped to or over `wall` when this offset took effect (or was already past it).
    if (segment.start + segment.offset >= wall) return i === 0 ? Number.NEGATIVE_INFINITY : segment.start;
    const at = wall - segment.offset;
    if (at < (segments[i + 1]?.start ?? Number.POSITIVE_INFINITY)) return at;
  }
  throw new Error('unreachable: the last segment runs to infinity');
}

/**
 * Returns a function giving the UTC offset (ms) of the zone at an instant, read from `format`.
 *
 * Intl is used directly rather than date-fns-tz: `getTimezoneOffset(zone, date)` reads `date` as a
 * wall time in the host's own zone, so near a transition its answer depends on `process.env.TZ`
 * (London at 2026-10-25T01:30Z gives +1 h under TZ=America/New_York, the right answer is 0), and it
 * costs ~20 µs a call against ~2 µs for one `format()`.
 */
function offsetReader(format: Intl.DateTimeFormat): (t: number) => number {
  // `format()` is several times faster than `formatToParts()`. Its en-US shape ("1/31/2026, 23:05:09")
  // is checked once here against formatToParts; if some ICU version renders it differently, the
  // slower reader is used instead.
  const probe = Date.UTC(2001, 1, 3, 4, 5, 6);
  const fast = (t: number) => readDigits(format.format(t));
  const parts = (t: number) => readParts(format.formatToParts(t));
  const read = sameFields(fast(probe), parts(probe)) ? fast : parts;
  return (t) => {
    const second = t - mod(t, 1000);
    const f = read(second);
    return utcFromFields(f[0], f[1], f[2], f[3], f[4], f[5]) - second;
  };
}

type Fields = [year: number, month: number, day: number, hour: number, minute: number, second: number];

/** Fields from en-US "M/D/YYYY, HH:MM:SS": the six digit runs in order month, day, year, hour, minute, second. */
function readDigits(text: string): Fields {
  const n = [0, 0, 0, 0, 0, 0];
  let k = -1;
  let inNumber = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c >= 0 && c <= 9) {
      if (!inNumber) {
        k++;
        inNumber = true;
      }
      if (k < 6) n[k] = (n[k] as number) * 10 + c;
    } else {
      inNumber = false;
    }
  }
  if (k !== 5) return [Number.NaN, 0, 0, 0, 0, 0];
  return [n[2] as number, n[0] as number, n[1] as number, n[3] as number, n[4] as number, n[5] as number];
}

function readParts(parts: readonly Intl.DateTimeFormatPart[]): Fields {
  const f: Fields = [Number.NaN, 0, 0, 0, 0, 0];
  for (const part of parts) {
    const slot = FIELD_SLOT[part.type];
    if (slot !== undefined) f[slot] = Number(part.value);
  }
  return f;
}

const FIELD_SLOT: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {
  year: 0,
  month: 1,
  day: 2,
  hour: 3,
  minute: 4,
  second: 5,
};

function sameFields(a: Fields, b: Fields): boolean {
  return a.every((value, i) => value === b[i]);
}

function utcFromFields(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
) {
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (Number.isNaN(ms)) throw new Error(`DayClock: could not read the local time (year ${year})`);
  return ms;
}

/** Remainder with the sign of the divisor, so it also floors instants before 1970. */
function mod(a: number, b: number): number {
  const r = a % b;
  return r < 0 ? r + b : r;
}
