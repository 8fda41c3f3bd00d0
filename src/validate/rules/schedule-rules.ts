// Rules for when a batch runs: a schedule AWS accepts, and a real IANA time zone for it to run in.
import { BatchRule, show } from './types';
import { checkSchedule, ParsedSchedule } from '../../schedule/expression';
import { nextRuns } from '../../schedule/next-runs';
import { isTimeZone, suggestTimeZone } from '../../schedule/timezone';

/** The expression a schedule option stands for: a raw string or the typed helper's. */
export function scheduleExpression(schedule: unknown): string | undefined {
  if (typeof schedule === 'string') return schedule;
  if (schedule && typeof schedule === 'object' && typeof (schedule as { expressionString?: unknown }).expressionString === 'string') {
    return (schedule as { expressionString: string }).expressionString;
  }
  return undefined;
}

export const scheduleValid: BatchRule = (batch) => {
  const expression = scheduleExpression(batch.schedule);
  if (expression === undefined) {
    return [{
      field: 'schedule',
      message: `${show(batch.schedule)} is not a schedule.`,
      fix: 'write an AWS expression such as "cron(0 3 * * ? *)" or "rate(1 hour)", or use Schedule.cron({...}) / Schedule.rate(n, unit).',
    }];
  }
  const checked = checkSchedule(expression);
  if (checked.problems.length === 0 && checked.schedule?.kind === 'cron' && neverFires(checked.schedule, batch.timezone)) {
    return [{
      field: 'schedule',
      message: `${show(expression)} can never fire: no date matches all its fields (such as 30 February, 31 April, or a weekday that day never falls on in the years given).`,
      fix: 'check the day-of-month, month, day-of-week and year fields against a calendar; `npx projen schedule` shows the next runs of a valid schedule.',
    }];
  }
  return checked.problems.map((p) => ({
    field: 'schedule',
    // Quote the whole expression once; the problem itself names the part (minutes, rate unit...).
    message: `${p.message.includes(expression) ? '' : `${show(expression)}: `}${p.message}${/[.!?]$/.test(p.message) ? '' : '.'}`,
    fix: p.fix,
  }));
};

/** AWS cron's first year: a schedule with no run from then on has none at all. */
const CRON_EPOCH = new Date('1970-01-01T00:00:00Z');

/** Whether a cron matches no instant at all, in its zone (independent of today's date). */
function neverFires(schedule: ParsedSchedule, timezone: unknown): boolean {
  const timeZone = typeof timezone === 'string' && isTimeZone(timezone) ? timezone : 'UTC';
  return nextRuns(schedule, 1, CRON_EPOCH, { timeZone }).length === 0;
}

export const timezoneValid: BatchRule = (batch) => {
  if (batch.timezone === undefined || isTimeZone(batch.timezone)) return [];
  const suggestion = typeof batch.timezone === 'string' ? suggestTimeZone(batch.timezone) : undefined;
  return [{
    field: 'timezone',
    message: `${show(batch.timezone)} is not an IANA time zone.`,
    fix: suggestion
      ? `did you mean "${suggestion}"? Use a name from the IANA database such as "Asia/Seoul" or "UTC".`
      : 'use a name from the IANA database such as "Asia/Seoul", "Europe/Berlin" or "UTC".',
  }];
};
