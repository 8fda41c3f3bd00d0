// weekly-report: logs which week (Monday to Sunday, in the batch's time zone: UTC) just ended; the
// small non-VPC example on a UTC EventBridge rule, kept so every template shape stays exercised.
import { batch, localDate, weekday } from '../src/runtime';

/** The Monday-to-Sunday week before `time`'s local week in `timeZone`, as YYYY-MM-DD bounds. */
export function previousLocalWeek(time: Date, timeZone: string): { from: string; to: string } {
  const sinceMonday = (weekday(localDate(time, timeZone)) + 6) % 7;
  return { from: localDate(time, timeZone, -sinceMonday - 7), to: localDate(time, timeZone, -sinceMonday - 1) };
}

export const handler = batch<{ report?: string }>(async (run) => {
  const week = previousLocalWeek(run.time, run.timezone);
  run.logger.info('weekly report', { report: run.input?.report ?? 'weekly', ...week, timezone: run.timezone });
  return { report: run.input?.report ?? 'weekly', ...week };
});
