// Calendar arithmetic in a time zone, for handlers that work on "yesterday" or "last week".

/**
 * The calendar date of `time` in `timeZone`, shifted by `addDays`, as YYYY-MM-DD.
 *
 * @example
 * localDate(new Date('2026-11-25T15:10:00Z'), 'Asia/Seoul')      // '2026-11-26'
 * localDate(new Date('2026-11-25T15:10:00Z'), 'Asia/Seoul', -1)  // '2026-11-25'
 */
export function localDate(time: Date, timeZone: string, addDays = 0): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(time);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return new Date(Date.UTC(get('year'), get('month') - 1, get('day') + addDays)).toISOString().slice(0, 10);
}

/** Day of the week of a YYYY-MM-DD date: 0 = Sunday ... 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}
