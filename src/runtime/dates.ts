// Calendar arithmetic in a time zone, for handlers that work on "yesterday" or "last week".
import { wallClock } from '../schedule/timezone';

/**
 * The calendar date of `time` in `timeZone`, shifted by `addDays`, as YYYY-MM-DD.
 *
 * @example
 * localDate(new Date('2026-11-25T15:10:00Z'), 'Asia/Seoul')      // '2026-11-26'
 * localDate(new Date('2026-11-25T15:10:00Z'), 'Asia/Seoul', -1)  // '2026-11-25'
 */
export function localDate(time: Date, timeZone: string, addDays = 0): string {
  const w = wallClock(time, timeZone);
  return new Date(Date.UTC(w.year, w.month - 1, w.day + addDays)).toISOString().slice(0, 10);
}

/** Day of the week of a YYYY-MM-DD date: 0 = Sunday ... 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}
