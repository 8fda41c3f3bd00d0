// weekly-report: logs which week (Monday to Sunday, in the batch's time zone) just ended; the small
// non-VPC example, kept so both template shapes stay exercised.
import { batch } from '../src/runtime';

/** The Monday-to-Sunday week before `time`'s local week in `timeZone`, as YYYY-MM-DD bounds. */
export function previousLocalWeek(time: Date, timeZone: string): { from: string; to: string } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(time);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const local = new Date(Date.UTC(get('year'), get('month') - 1, get('day')));
  const sinceMonday = (local.getUTCDay() + 6) % 7;
  const monday = new Date(local.getTime() - (sinceMonday + 7) * 86_400_000);
  const sunday = new Date(monday.getTime() + 6 * 86_400_000);
  return { from: monday.toISOString().slice(0, 10), to: sunday.toISOString().slice(0, 10) };
}

export const handler = batch<{ report?: string }>(async (run) => {
  const week = previousLocalWeek(run.time, run.timezone);
  run.logger.info('weekly report', { report: run.input?.report ?? 'weekly', ...week, timezone: run.timezone });
  return { report: run.input?.report ?? 'weekly', ...week };
});
